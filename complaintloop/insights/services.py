"""Commands of the insights app: warning notices (风险预警单) and problems (R23, R25).
One transaction each, with its trace event and outbox row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintloop.core import calendar, clock, outbox
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.org.models import Role, Staff, Unit
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Ticket

from . import detection
from .models import (
    ACTIVE_ALERT,
    Alert,
    AlertStatus,
    DomainTerm,
    ImprovementAction,
    NoticeStatus,
    Problem,
    ProblemStatus,
    ProblemTicket,
    StopWord,
    WarningNotice,
    WarningNoticeEvent,
)

ISSUER_ROLES = {Role.QUALITY_MANAGER, Role.SUPERVISOR, Role.SYSTEM_ADMIN}
# Who may run detection by hand and edit the keyword dictionary.
ADMIN_ROLES = {Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN}
NOTICE_DUE_WORKDAYS = 3
REMONITOR_DAYS = 7

# Which notice operation may start from which status.
NOTICE_ALLOWED_FROM: dict[str, set[str]] = {
    "respond": {NoticeStatus.ISSUED},
    "close": {NoticeStatus.RESPONDED},
}
# The problem loop: discover → analyze → improve → evaluate → closed (evaluate may go
# back to improve when the effect is not there).
PROBLEM_NEXT: dict[str, set[str]] = {
    ProblemStatus.DISCOVER: {ProblemStatus.ANALYZE, ProblemStatus.CLOSED},
    ProblemStatus.ANALYZE: {ProblemStatus.IMPROVE},
    ProblemStatus.IMPROVE: {ProblemStatus.EVALUATE},
    ProblemStatus.EVALUATE: {ProblemStatus.CLOSED, ProblemStatus.IMPROVE},
    ProblemStatus.CLOSED: set(),
}


def can_issue(actor: Staff) -> bool:
    return actor.is_superuser or actor.role in ISSUER_ROLES


def can_administer(actor: Staff) -> bool:
    return actor.is_superuser or actor.role in ADMIN_ROLES


def _require_admin(actor: Staff) -> None:
    if not can_administer(actor):
        raise Forbidden("insights.forbidden", _("仅质量经理或系统管理员可执行此操作"))


def _require_issuer(actor: Staff) -> None:
    if not can_issue(actor):
        raise Forbidden("insights.forbidden", _("仅质量经理、主管或系统管理员可执行此操作"))


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid("field.required", _("请填写必填项"), {field: [_("必填")]})
    return text


def _locked(qs):
    # One writer per notice/problem at a time: the loser re-reads the new status and
    # fails its transition check with a 409 instead of overwriting.
    return qs.select_for_update(of=("self",)) if connection.features.has_select_for_update else qs


# --------------------------------------------------------------------------- notices


def _lock_notice(notice_id: int, actor: Staff) -> WarningNotice:
    notice = _locked(WarningNotice.objects.visible_to(actor).filter(pk=notice_id)).first()
    if notice is None:
        raise NotFound("notice.not_found", _("预警单不存在"))
    return notice


def _notice_event(
    notice: WarningNotice, kind: str, *, actor: Staff | None, from_status: str, comment: str = ""
) -> None:
    WarningNoticeEvent.objects.create(
        notice=notice,
        kind=kind,
        actor=actor,
        at=clock.now(),
        from_status=from_status,
        to_status=notice.status,
        comment=comment,
    )
    outbox.emit(
        "insights.notice",
        {
            "notice": notice.number,
            "kind": kind,
            "status": notice.status,
            "responsible_unit": notice.responsible_unit_id,
            "actor": actor.pk if actor is not None else None,
        },
    )


def _check(notice: WarningNotice, op: str) -> None:
    if notice.status not in NOTICE_ALLOWED_FROM[op]:
        raise Conflict(
            "notice.illegal_transition",
            _("预警单当前状态为「%(s)s」,不能执行此操作") % {"s": notice.get_status_display()},
            {"status": [notice.status]},
        )


def _next_number(at: datetime) -> str:
    prefix = f"WN{timezone.localtime(at):%Y%m%d}"
    last = (
        WarningNotice.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:04d}"


@dataclass
class NoticeIn:
    responsible_unit: str
    title: str = ""
    body: str = ""
    alert_id: int | None = None
    due_workdays: int = NOTICE_DUE_WORKDAYS


@transaction.atomic
def issue_notice(data: NoticeIn, *, actor: Staff) -> WarningNotice:
    """下发风险预警单 to the responsible unit, from an alert or by hand."""
    _require_issuer(actor)
    alert = None
    if data.alert_id is not None:
        alert = _locked(Alert.objects.visible_to(actor).filter(pk=data.alert_id)).first()
        if alert is None:
            raise NotFound("alert.not_found", _("预警不存在"))
        if alert.status == AlertStatus.CLOSED:
            raise Conflict("alert.closed", _("预警已关闭"))
    unit = Unit.objects.filter(code=data.responsible_unit, is_active=True).first()
    if unit is None:
        raise Invalid("unit.unknown", _("责任单位不存在"), {"responsible_unit": [_("未知单位")]})
    if not 1 <= data.due_workdays <= 60:
        raise Invalid("notice.due", _("反馈时限无效"), {"due_workdays": ["1..60"]})
    title = (data.title or "").strip()
    body = (data.body or "").strip()
    if alert is not None:
        title = title or _("%(region)s %(category)s 投诉量异常") % {
            "region": alert.region.name,
            "category": alert.category.full_name,
        }
        body = body or _(
            "%(day)s 当日 %(n)s 件,基线 %(e).1f 件,控制上限 %(u).1f 件,请核查原因并整改反馈。"
        ) % {"day": alert.day, "n": alert.observed, "e": alert.expected, "u": alert.upper_limit}
    title, body = _text(title, "title")[:200], _text(body, "body")
    now = clock.now()
    notice = WarningNotice.objects.create(
        number=_next_number(now),
        alert=alert,
        title=title,
        body=body,
        responsible_unit=unit,
        issued_by=actor,
        issued_at=now,
        due_at=calendar.deadline(now, data.due_workdays * calendar.workday_minutes()),
    )
    if alert is not None and alert.status == AlertStatus.OPEN:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.save(update_fields=["status"])
    _notice_event(notice, "issued", actor=actor, from_status="")
    return notice


@transaction.atomic
def respond(notice_id: int, *, actor: Staff, response: str) -> WarningNotice:
    """整改反馈: only staff of the responsible unit (or a unit under it) answer."""
    notice = _lock_notice(notice_id, actor)
    if actor.unit is None or not actor.unit.path.startswith(notice.responsible_unit.path):
        raise Forbidden("notice.not_responsible", _("仅责任单位人员可反馈"))
    _check(notice, "respond")
    before = notice.status
    notice.status = NoticeStatus.RESPONDED
    notice.response = _text(response, "response")
    notice.responded_by, notice.responded_at = actor, clock.now()
    notice.save(update_fields=["status", "response", "responded_by", "responded_at"])
    _notice_event(notice, "responded", actor=actor, from_status=before, comment=notice.response)
    return notice


def remonitor(alert: Alert, *, today=None) -> dict[str, Any]:
    """Whether the alert's series came back under its upper limit over the last 7 days."""
    today = today or timezone.localdate(clock.now())
    # Only days after the spike count: the spike itself is what is being re-checked.
    first = max(today - timedelta(days=REMONITOR_DAYS), alert.day + timedelta(days=1))
    last = today - timedelta(days=1)
    series = detection.series_since(alert, first, last) if first <= last else []
    counts = [n for _, n in series]
    return {
        "days": [d.isoformat() for d, _ in series],
        "counts": counts,
        "upper_limit": alert.upper_limit,
        "max": max(counts) if counts else 0,
        # no day after the spike yet: nothing shows it came back
        "back_under": bool(counts) and all(n <= alert.upper_limit for n in counts),
    }


@transaction.atomic
def close_notice(notice_id: int, *, actor: Staff, comment: str = "") -> WarningNotice:
    """关闭: the issuing side checks the response and re-monitors the series."""
    notice = _lock_notice(notice_id, actor)
    _require_issuer(actor)
    _check(notice, "close")
    before = notice.status
    notice.status = NoticeStatus.CLOSED
    notice.closed_by, notice.closed_at = actor, clock.now()
    notice.remonitor_result = remonitor(notice.alert) if notice.alert_id else {}
    notice.save(update_fields=["status", "closed_by", "closed_at", "remonitor_result"])
    if notice.alert_id and notice.remonitor_result.get("back_under"):
        Alert.objects.filter(pk=notice.alert_id).update(status=AlertStatus.CLOSED)
    _notice_event(notice, "closed", actor=actor, from_status=before, comment=comment)
    return notice


# -------------------------------------------------------------------------- problems


def _lock_problem(problem_id: int, actor: Staff) -> Problem:
    problem = _locked(Problem.objects.visible_to(actor).filter(pk=problem_id)).first()
    if problem is None:
        raise NotFound("problem.not_found", _("问题不存在"))
    return problem


def _staff(username: str | None, field: str) -> Staff:
    staff = Staff.objects.filter(username=username, is_active=True).first() if username else None
    if staff is None:
        raise Invalid("staff.unknown", _("人员不存在"), {field: [_("未知人员")]})
    return staff


@transaction.atomic
def open_problem(
    *,
    actor: Staff,
    title: str,
    owner: str | None = None,
    category: str | None = None,
    root_cause: str = "",
    tickets: list[str] | None = None,
) -> Problem:
    """Record a problem (R23) found behind complaints; the owner drives it."""
    _require_issuer(actor)
    owner_staff = _staff(owner, "owner") if owner else actor
    cat = None
    if category:
        cat = Category.objects.filter(code=category).first()
        if cat is None:
            raise Invalid("category.unknown", _("分类不存在"), {"category": [_("未知分类")]})
    unit = actor.unit or owner_staff.unit
    if unit is None:
        raise Invalid("problem.unit", _("无所属单位"), {"owner": [_("无所属单位")]})
    problem = Problem.objects.create(
        title=_text(title, "title")[:200],
        owner=owner_staff,
        unit=unit,
        category=cat,
        root_cause=root_cause or "",
        created_by=actor,
        created_at=clock.now(),
    )
    if tickets:
        _link(problem, tickets, actor)
    return problem


def _link(problem: Problem, numbers: list[str], actor: Staff) -> int:
    found = dict(
        Ticket.objects.visible_to(actor).filter(number__in=numbers).values_list("number", "pk")
    )
    missing = sorted(set(numbers) - set(found))
    if missing:
        raise NotFound("ticket.not_found", _("工单不存在"), {"tickets": missing[:20]})
    now = clock.now()
    rows = [ProblemTicket(problem=problem, ticket_id=pk, linked_at=now) for pk in found.values()]
    return len(ProblemTicket.objects.bulk_create(rows, ignore_conflicts=True))


@transaction.atomic
def link_tickets(problem_id: int, *, actor: Staff, tickets: list[str]) -> Problem:
    problem = _lock_problem(problem_id, actor)
    _require_issuer(actor)
    _link(problem, tickets, actor)
    return problem


@transaction.atomic
def advance(problem_id: int, *, actor: Staff, to: str, root_cause: str | None = None) -> Problem:
    """Move the problem along its loop; analysis must end with a root cause."""
    problem = _lock_problem(problem_id, actor)
    if not (actor.pk == problem.owner_id or can_issue(actor)):
        raise Forbidden("insights.forbidden", _("仅问题负责人或质量经理可操作"))
    if to not in PROBLEM_NEXT.get(problem.status, set()):
        raise Conflict(
            "problem.illegal_transition",
            _("问题当前状态为「%(s)s」,不能转到「%(t)s」")
            % {"s": problem.get_status_display(), "t": to},
            {"status": [problem.status]},
        )
    if root_cause is not None:
        problem.root_cause = root_cause.strip()
    if to == ProblemStatus.IMPROVE and not problem.root_cause:
        raise Invalid("problem.root_cause", _("请先填写根因"), {"root_cause": [_("必填")]})
    problem.status = to
    if to == ProblemStatus.CLOSED:
        problem.closed_at = clock.now()
    problem.save(update_fields=["status", "root_cause", "closed_at"])
    return problem


@transaction.atomic
def add_action(
    problem_id: int, *, actor: Staff, description: str, owner: str | None, due_at: datetime
) -> ImprovementAction:
    problem = _lock_problem(problem_id, actor)
    if not (actor.pk == problem.owner_id or can_issue(actor)):
        raise Forbidden("insights.forbidden", _("仅问题负责人或质量经理可操作"))
    if problem.status == ProblemStatus.CLOSED:
        raise Conflict("problem.closed", _("问题已关闭"))
    now = clock.now()
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if not now - timedelta(days=366) <= due_at <= now + timedelta(days=5 * 366):
        raise Invalid("action.due", _("完成时限无效"), {"due_at": [_("无效")]})
    return ImprovementAction.objects.create(
        problem=problem,
        description=_text(description, "description"),
        owner=_staff(owner, "owner") if owner else actor,
        created_at=now,
        due_at=due_at,
    )


@transaction.atomic
def complete_action(problem_id: int, action_id: int, *, actor: Staff) -> ImprovementAction:
    problem = _lock_problem(problem_id, actor)
    action = _locked(problem.actions.filter(pk=action_id)).first()
    if action is None:
        raise NotFound("action.not_found", _("改进措施不存在"))
    if actor.pk not in (action.owner_id, problem.owner_id) and not can_issue(actor):
        raise Forbidden("insights.forbidden", _("仅措施负责人可完成"))
    if action.done_at is not None:
        raise Conflict("action.done", _("措施已完成"))
    action.done_at = clock.now()
    action.save(update_fields=["done_at"])
    return action


# ---------------------------------------------------------------------------- alerts


def _lock_alert(alert_id: int, actor: Staff) -> Alert:
    alert = _locked(Alert.objects.visible_to(actor).filter(pk=alert_id)).first()
    if alert is None:
        raise NotFound("alert.not_found", _("预警不存在"))
    return alert


def _alert_changed(alert: Alert, kind: str, actor: Staff) -> None:
    outbox.emit(
        "insights.alert",
        {"alert": alert.pk, "kind": kind, "status": alert.status, "actor": actor.pk},
    )


@transaction.atomic
def acknowledge_alert(alert_id: int, *, actor: Staff, comment: str = "") -> Alert:
    """确认: someone is looking into the spike (it keeps quieting the series)."""
    _require_issuer(actor)
    alert = _lock_alert(alert_id, actor)
    if alert.status != AlertStatus.OPEN:
        raise Conflict(
            "alert.illegal_transition",
            _("预警当前状态为「%(s)s」,不能确认") % {"s": alert.get_status_display()},
            {"status": [alert.status]},
        )
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.handled_by, alert.handled_at = actor, clock.now()
    alert.note = (comment or "").strip()
    alert.save(update_fields=["status", "handled_by", "handled_at", "note"])
    _alert_changed(alert, "acknowledged", actor)
    return alert


@transaction.atomic
def dismiss_alert(alert_id: int, *, actor: Staff, reason: str) -> Alert:
    """忽略: a false alarm (a known campaign, a data fix); the reason is kept."""
    _require_issuer(actor)
    alert = _lock_alert(alert_id, actor)
    if alert.status not in ACTIVE_ALERT:
        raise Conflict(
            "alert.illegal_transition",
            _("预警当前状态为「%(s)s」,不能忽略") % {"s": alert.get_status_display()},
            {"status": [alert.status]},
        )
    if alert.notices.exclude(status=NoticeStatus.CLOSED).exists():
        raise Conflict("alert.has_notice", _("该预警有未关闭的预警单,不能忽略"))
    alert.note = _text(reason, "reason")
    alert.status = AlertStatus.DISMISSED
    alert.handled_by, alert.handled_at = actor, clock.now()
    alert.save(update_fields=["status", "handled_by", "handled_at", "note"])
    _alert_changed(alert, "dismissed", actor)
    return alert


def run_detection(day, *, actor: Staff) -> list[Alert]:
    """The nightly run, by hand for one day (idempotent per day)."""
    _require_admin(actor)
    today = timezone.localdate(clock.now())
    if not today - timedelta(days=366) <= day <= today:
        raise Invalid("detection.day", _("日期无效"), {"day": [_("须为过去一年内")]})
    return detection.run(day)


# ------------------------------------------------------------------------ dictionary

REEXTRACT_MAX_DAYS = 31


def _dictionary_changed(action: str, word: str, actor: Staff, **extra: Any) -> None:
    # Workers and web processes reload the dictionary on their next extraction; the row
    # also lets an optional re-extraction of recent tickets run off the request.
    outbox.emit("insights.dictionary", {"action": action, "word": word, "actor": actor.pk, **extra})


def _word(value: str | None, field: str) -> str:
    word = _text(value, field)
    if len(word) > 32 or any(c.isspace() for c in word):
        raise Invalid("dictionary.word", _("词语须为不含空格的 1–32 个字符"), {field: [_("无效")]})
    return word


@transaction.atomic
def save_domain_term(*, actor: Staff, word: str, weight: float = 1.5) -> DomainTerm:
    """Add a domain word (or change its weight): jieba keeps it whole and boosts it."""
    _require_admin(actor)
    word = _word(word, "word")
    if not 0.1 <= weight <= 10:
        raise Invalid("dictionary.weight", _("权重须在 0.1–10 之间"), {"weight": ["0.1..10"]})
    term, created = DomainTerm.objects.update_or_create(word=word, defaults={"weight": weight})
    _dictionary_changed("term_added" if created else "term_changed", word, actor, weight=weight)
    return term


@transaction.atomic
def delete_domain_term(*, actor: Staff, word: str) -> None:
    _require_admin(actor)
    if not DomainTerm.objects.filter(word=word).delete()[0]:
        raise NotFound("dictionary.not_found", _("词语不存在"))
    _dictionary_changed("term_deleted", word, actor)


@transaction.atomic
def add_stop_word(*, actor: Staff, word: str) -> StopWord:
    _require_admin(actor)
    word = _word(word, "word")
    stop, created = StopWord.objects.get_or_create(word=word)
    if not created:
        raise Conflict("dictionary.exists", _("停用词已存在"), {"word": [word]})
    _dictionary_changed("stop_added", word, actor)
    return stop


@transaction.atomic
def delete_stop_word(*, actor: Staff, word: str) -> None:
    _require_admin(actor)
    if not StopWord.objects.filter(word=word).delete()[0]:
        raise NotFound("dictionary.not_found", _("词语不存在"))
    _dictionary_changed("stop_deleted", word, actor)


@transaction.atomic
def request_reextraction(*, actor: Staff, days: int) -> None:
    """Recompute the keywords of the last ``days`` days' tickets with the current
    dictionary (a worker does it from the outbox row)."""
    _require_admin(actor)
    if not 1 <= days <= REEXTRACT_MAX_DAYS:
        raise Invalid("dictionary.days", _("天数无效"), {"days": [f"1..{REEXTRACT_MAX_DAYS}"]})
    _dictionary_changed("reextract", "", actor, reextract_days=days)


# ------------------------------------------------------------------- problem details


@transaction.atomic
def update_problem(
    problem_id: int,
    *,
    actor: Staff,
    title: str | None = None,
    owner: str | None = None,
    category: str | None = None,
    root_cause: str | None = None,
    evaluation: str | None = None,
) -> Problem:
    """Edit the analysis (root cause), the evaluation, the owner or the category."""
    problem = _lock_problem(problem_id, actor)
    if not (actor.pk == problem.owner_id or can_issue(actor)):
        raise Forbidden("insights.forbidden", _("仅问题负责人或质量经理可操作"))
    if problem.status == ProblemStatus.CLOSED:
        raise Conflict("problem.closed", _("问题已关闭"))
    if title is not None:
        problem.title = _text(title, "title")[:200]
    if owner:
        problem.owner = _staff(owner, "owner")
    if category is not None:
        if category:
            cat = Category.objects.filter(code=category).first()
            if cat is None:
                raise Invalid("category.unknown", _("分类不存在"), {"category": [_("未知分类")]})
            problem.category = cat
        else:
            problem.category = None
    if root_cause is not None:
        problem.root_cause = root_cause.strip()
    if evaluation is not None:
        problem.evaluation = evaluation.strip()
    problem.save()
    return problem


@transaction.atomic
def unlink_ticket(problem_id: int, *, actor: Staff, ticket: str) -> Problem:
    problem = _lock_problem(problem_id, actor)
    _require_issuer(actor)
    if not problem.links.filter(ticket__number=ticket).delete()[0]:
        raise NotFound("ticket.not_found", _("工单不存在"), {"tickets": [ticket]})
    return problem
