import os
from dataclasses import dataclass

import pytest

from complaintloop.customers.models import CustomerLevel
from complaintloop.org.models import Role, Staff, Unit, UnitKind
from complaintloop.tickets import services
from complaintloop.tickets.services import NewTicket

from .factories import (
    CategoryFactory,
    CustomerFactory,
    OrderTypeFactory,
    StaffFactory,
    UnitFactory,
    publish_routing_table,
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skip hides a guarantee (the PostgreSQL races, the browser journeys, the
    IMAP server): it fails the run, so green means they were exercised. The one skip
    allowed is a PostgreSQL-only test on the SQLite pass (CI runs both)."""
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return
    from django.db import connection

    from .markers import POSTGRES_ONLY_REASON

    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    if POSTGRES_ONLY_REASON in reason and connection.vendor != "postgresql":
        return
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, which must exercise it: {reason}"


@pytest.fixture(scope="session", autouse=True)
def _flush_may_purge_append_only_tables():
    """Transactional tests flush the database between tests. The ticket trace and the
    audit log refuse DELETE (SQLite) and TRUNCATE (PostgreSQL) unless the purge switch
    is open, so the test flush, and only it, opens it around its statements."""
    from django.db import connection

    DatabaseOperations = type(connection.ops)
    original = DatabaseOperations.sql_flush
    vendor = connection.vendor

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if not statements:
            return statements
        if vendor == "postgresql":
            return [
                "SET complaintloop.purge = 'on';",
                *statements,
                "RESET complaintloop.purge;",
            ]
        if vendor == "sqlite":
            return [
                "INSERT INTO ticket_event_purge (since) VALUES (datetime('now'));",
                "INSERT INTO core_purge_switch (since) VALUES (datetime('now'));",
                *statements,
                "DELETE FROM ticket_event_purge;",
                "DELETE FROM core_purge_switch;",
            ]
        return statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    # Personas are built per test; the production hasher would spend seconds on them.
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _embedded_settings(settings):
    # Outbox rows are drained explicitly in tests instead of going through a broker.
    settings.OUTBOX_DISPATCH_ON_COMMIT = False
    from django.utils import translation

    from complaintloop.core import cache, calendar
    from complaintloop.processes import engine
    from complaintloop.routing import services as routing

    # A request through LocaleMiddleware leaves its language active in the thread.
    translation.activate("zh-hans")
    calendar.clear_cache()
    routing.clear_cache()
    cache.clear_all()
    engine.clear_cache()
    yield
    cache.clear_all()
    calendar.clear_cache()
    routing.clear_cache()


@dataclass
class World:
    province: Unit
    nanjing: Unit
    suzhou: Unit
    nj_kf: Unit
    nj_wg: Unit
    nj_yz: Unit
    sz_kf: Unit
    sz_wg: Unit
    agent_nj: Staff
    handler_nj: Staff
    handler_nj_yz: Staff
    agent_sz: Staff
    handler_sz: Staff
    supervisor_nj: Staff
    quality: Staff
    auditor: Staff
    outsider: Staff

    def new_ticket(self, actor=None, **overrides) -> "services.Ticket":
        data = {
            "order_type": "complaint",
            "channel": "phone",
            "customer_phone": "13800001111",
            "category": "0101",
            "description": "家中宽带频繁掉线,晚上八点后无法上网",
        }
        data.update(overrides)
        ticket, _ = services.create(NewTicket(**data), actor=actor or self.agent_nj)
        return ticket


def _unit(code, name, kind, parent=None):
    return UnitFactory(code=code, name=name, kind=kind, parent=parent)


@pytest.fixture
def world(db) -> World:
    return build_world()


def _ensure_migrated_reference_data() -> None:
    """Migrations load the working calendar and the built-in processes; a transactional
    test elsewhere in the worker may have flushed or changed them, so put them back."""
    import datetime

    from complaintloop.core import cache, calendar
    from complaintloop.core.models import WorkCalendarDay
    from complaintloop.processes import services as processes
    from complaintloop.processes.models import ProcessDefinition
    from complaintloop.retention import services as retention
    from complaintloop.routing import services as routing

    if not WorkCalendarDay.objects.filter(
        date=datetime.date(2025, 10, 1), is_workday=False
    ).exists():
        calendar.seed_from_chinesecalendar(2020, 2026)
    processes.load_builtin()
    routing.ensure_default_tables()
    retention.ensure_default_policies()
    for key in processes.BUILTIN:
        if not ProcessDefinition.objects.filter(key=key, is_active=True).exists():
            newest = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
            ProcessDefinition.objects.filter(pk=newest.pk).update(is_active=True)
    cache.clear_all()


def build_world() -> World:
    """The shared personas and reference data; plain so non-fixture tests (hypothesis
    state machines) can build it inside their own transaction."""
    _ensure_migrated_reference_data()
    province = _unit("JS", "江苏省公司", UnitKind.PROVINCE)
    nanjing = _unit("NJ", "南京分公司", UnitKind.CITY, province)
    suzhou = _unit("SZ", "苏州分公司", UnitKind.CITY, province)
    nj_kf = _unit("NJ-KF", "南京客服中心", UnitKind.DEPARTMENT, nanjing)
    nj_wg = _unit("NJ-WG", "南京网管中心", UnitKind.DEPARTMENT, nanjing)
    nj_yz = _unit("NJ-YZ", "南京业务支撑中心", UnitKind.DEPARTMENT, nanjing)
    sz_kf = _unit("SZ-KF", "苏州客服中心", UnitKind.DEPARTMENT, suzhou)
    sz_wg = _unit("SZ-WG", "苏州网管中心", UnitKind.DEPARTMENT, suzhou)
    zl = _unit("JS-ZL", "质量管理部", UnitKind.DEPARTMENT, province)
    OrderTypeFactory(code="complaint", name="投诉")
    OrderTypeFactory(code="inquiry", name="咨询", time_limit_minutes=540)
    net = CategoryFactory(code="01", name="网络质量")
    CategoryFactory(code="0101", name="宽带故障", parent=net)
    bill = CategoryFactory(code="02", name="计费争议")
    CategoryFactory(code="0201", name="话费异常", parent=bill)
    publish_routing_table(
        [
            {"id": "net", "name": "网络类→网管", "category": "01", "department": "WG"},
            {"id": "bill", "name": "计费类→业务支撑", "category": "02", "department": "YZ"},
            {"id": "fallback", "name": "兜底→客服", "department": "KF"},
        ]
    )
    CustomerFactory(phone="13800001111", name="王先生", region=nanjing)
    CustomerFactory(phone="13900002222", name="李女士", region=suzhou, level=CustomerLevel.VIP)

    def staff(username, role, unit, scope=None):
        return StaffFactory(
            username=username, role=role, unit=unit, scope_unit=scope or unit.region
        )

    return World(
        province=province,
        nanjing=nanjing,
        suzhou=suzhou,
        nj_kf=nj_kf,
        nj_wg=nj_wg,
        nj_yz=nj_yz,
        sz_kf=sz_kf,
        sz_wg=sz_wg,
        agent_nj=staff("agent_nj", Role.AGENT, nj_kf),
        handler_nj=staff("handler_nj", Role.HANDLER, nj_wg),
        handler_nj_yz=staff("handler_nj_yz", Role.HANDLER, nj_yz),
        agent_sz=staff("agent_sz", Role.AGENT, sz_kf),
        handler_sz=staff("handler_sz", Role.HANDLER, sz_wg),
        supervisor_nj=staff("supervisor_nj", Role.SUPERVISOR, nj_kf),
        quality=staff("quality", Role.QUALITY_MANAGER, zl, province),
        auditor=staff("auditor", Role.AUDITOR, zl, province),
        outsider=StaffFactory(username="outsider", role=Role.HANDLER, unit=None, scope_unit=None),
    )
