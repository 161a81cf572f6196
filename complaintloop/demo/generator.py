"""The demo data set behind ``manage.py seed_demo``: a Jiangsu operator with five
cities, its staff, customers, the 4-level complaint taxonomy, routing rules and
months of tickets with events and work items, as if created through the services.

Reference data is upserted by code (running twice is harmless); tickets are appended
in batches so a million of them never sit in memory at once. Everything random comes
from one ``random.Random(seed)``, so a seed gives the same data set relative to now."""

from __future__ import annotations

import functools
import json
import random
import statistics
import time as timer
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from complaintloop.core import calendar, clock
from complaintloop.core.models import WorkCalendarDay
from complaintloop.customers.models import (
    ContactRecord,
    Customer,
    CustomerLevel,
    CustomerListEntry,
    ListKind,
)
from complaintloop.org.models import AssignmentMode, Role, Staff, Unit, UnitKind
from complaintloop.routing import services as routing
from complaintloop.routing.models import Urgency
from complaintloop.taxonomy.models import (
    Category,
    OrderType,
    Product,
    ServiceProvider,
    TimeBasisChoice,
)
from complaintloop.tickets.models import (
    EventKind,
    SlaState,
    Status,
    Ticket,
    TicketEvent,
    TicketNumberCounter,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)

from .text import (  # noqa: E402  (vocabulary kept apart from the generator)
    CONTACT_SUMMARIES,
    DESCRIPTION_EXTRAS,
    GIVEN_CHARS,
    PLACES,
    RESOLUTIONS,
    ROADS,
    SPIKE_PLACES,
    SPIKE_TEMPLATES,
    SURNAMES,
    TREE,
    TYPE_TEXTS,
)

PASSWORD = "demo12345"
WORKDAY = 540

PROVINCE_DEPARTMENTS = [
    ("KF", "客服中心"),
    ("WG", "网管中心"),
    ("YZ", "业务支撑中心"),
    ("ZL", "质量管理部"),
    ("SC", "市场部"),
]
CITY_DEPARTMENTS = [
    ("KF", "客服中心"),
    ("WG", "网管中心"),
    ("YZ", "业务支撑中心"),
    ("SC", "市场部"),
]
DISTRICT_TEAMS = [("YYT", "营业厅"), ("ZW", "装维班")]


@dataclass(frozen=True)
class City:
    code: str
    name: str
    weight: float
    id_prefix: str
    districts: tuple[tuple[str, str], ...]
    areas: tuple[str, ...]


CITIES = [
    City("NJ", "南京", 0.30, "3201", (("GL", "鼓楼区"), ("JN", "江宁区")),
         ("鼓楼区", "玄武区", "秦淮区", "建邺区", "江宁区", "栖霞区", "雨花台区", "浦口区")),
    City("SZ", "苏州", 0.27, "3205", (("GS", "姑苏区"), ("YQ", "工业园区")),
         ("姑苏区", "工业园区", "吴中区", "相城区", "虎丘区", "吴江区")),
    City("XZ", "徐州", 0.12, "3203", (("YL", "云龙区"), ("QS", "泉山区")),
         ("云龙区", "鼓楼区", "泉山区", "铜山区", "贾汪区")),
    City("WX", "无锡", 0.17, "3202", (("LX", "梁溪区"), ("BH", "滨湖区")),
         ("梁溪区", "滨湖区", "新吴区", "锡山区", "惠山区")),
    City("CZ", "常州", 0.14, "3204", (("TN", "天宁区"), ("WJ", "武进区")),
         ("天宁区", "钟楼区", "新北区", "武进区", "金坛区")),
]  # fmt: skip
CITY_BY_CODE = {c.code: c for c in CITIES}

# username, role, unit, scope, display name
DEMO_ACCOUNTS = [
    ("agent_nj", Role.AGENT, "NJ-KF", "NJ", "王晓燕"),
    ("handler_nj", Role.HANDLER, "NJ-WG", "NJ", "陈建国"),
    ("handler_sz", Role.HANDLER, "SZ-WG", "SZ", "周立新"),
    ("supervisor_nj", Role.SUPERVISOR, "NJ-KF", "NJ", "刘慧"),
    ("quality", Role.QUALITY_MANAGER, "JS-ZL", "JS", "孙丽华"),
    ("process_admin", Role.PROCESS_ADMIN, "JS-ZL", "JS", "赵明远"),
    ("sysadmin", Role.SYSTEM_ADMIN, "JS", "JS", "李卫东"),
    ("auditor", Role.AUDITOR, "JS-ZL", "JS", "钱佳"),
]
# Roles that work in the Django admin (their permissions come with the role: org.roles).
ADMIN_ROLES = {Role.PROCESS_ADMIN, Role.SYSTEM_ADMIN}
# Extra staff per city: department (or district team), role, how many.
CITY_STAFF = [
    ("KF", Role.AGENT, 2),
    ("KF", Role.SUPERVISOR, 1),
    ("WG", Role.HANDLER, 2),
    ("YZ", Role.HANDLER, 2),
    ("SC", Role.HANDLER, 1),
]
# Skills of each department's first handler (category codes: network quality, billing).
TEAM_SKILLS = {"WG": ["01"], "YZ": ["02"]}
PROVINCE_STAFF = [
    ("KF", Role.AGENT, 2),
    ("WG", Role.HANDLER, 1),
    ("YZ", Role.HANDLER, 1),
    ("SC", Role.HANDLER, 1),
    ("ZL", Role.QUALITY_MANAGER, 1),
]

ORDER_TYPES = [
    # code, name, limit (working minutes), sort, share of tickets
    ("complaint", "投诉", 3 * WORKDAY, 1, 0.74),
    ("suggestion", "建议", 5 * WORKDAY, 2, 0.04),
    ("request", "求助/申告", 2 * WORKDAY, 3, 0.09),
    ("appointment", "预约", 2 * WORKDAY, 4, 0.03),
    ("inquiry", "咨询", WORKDAY, 5, 0.07),
    ("praise", "表扬", 5 * WORKDAY, 6, 0.03),
]
# The process each order type runs (seed 002); complaints follow the general process
# unless their category says otherwise (SP complaints).
ORDER_TYPE_PROCESS = {
    "appointment": "onsite_visit",
    "inquiry": "inquiry",
    "suggestion": "suggestion",
    "praise": "suggestion",
}
SP_CATEGORY = "05"
PRODUCTS = [
    ("P5G", "5G套餐"),
    ("PKD", "家庭宽带"),
    ("PGH", "固定电话"),
    ("PZX", "集团专线"),
    ("PLL", "流量包"),
    ("PRH", "融合套餐"),
    ("PCL", "视频彩铃"),
    ("PTV", "IPTV/魔百和"),
]
PRODUCTS_BY_DOMAIN = {
    "01": ["P5G", "P5G", "PRH", "PKD"],
    "02": ["P5G", "PLL", "PRH", "PGH"],
    "03": ["P5G", "PRH", "PGH"],
    "04": ["P5G", "PLL", "PRH"],
    "05": ["PCL", "P5G"],
    "06": ["P5G", "PKD", "PRH"],
    "07": ["PKD", "PKD", "PTV", "PRH"],
}
SP_NAMES = [
    "北京掌上乐游科技有限公司",
    "上海星汉文化传媒有限公司",
    "深圳易讯互动网络有限公司",
    "广州乐动信息技术有限公司",
    "杭州云图数字娱乐有限公司",
    "南京悦读文化传播有限公司",
    "成都天府视听科技有限公司",
    "北京九州阅读文化有限公司",
    "上海趣玩网络科技有限公司",
    "武汉楚天彩信技术有限公司",
    "厦门海峡动漫文化有限公司",
    "西安古城音乐传媒有限公司",
    "天津滨海资讯服务有限公司",
    "江苏紫金视讯科技有限公司",
    "福州闽江游戏开发有限公司",
]
# priority, name, category code, order type, customer level, department, urgency, limit
ROUTING_RULES = [
    (10, "VIP客户网络故障直派网管", "01", "", "vip", "WG", Urgency.URGENT, WORKDAY),
    (11, "VIP客户计费争议直派支撑", "02", "", "vip", "YZ", Urgency.URGENT, WORKDAY),
    (19, "VIP客户优先处理", "", "", "vip", "KF", Urgency.URGENT, WORKDAY),
    (50, "咨询类由客服中心答复", "", "inquiry", "", "KF", "", None),
    (100, "网络质量派网管中心", "01", "", "", "WG", "", None),
    (110, "计费争议派业务支撑中心", "02", "", "", "YZ", "", None),
    (120, "增值业务(SP)派业务支撑中心", "05", "", "", "YZ", "", None),
    (130, "营销活动派市场部", "0402", "", "", "SC", "", None),
    (140, "资费套餐由客服中心处理", "04", "", "", "KF", "", None),
    (150, "业务办理派业务支撑中心", "03", "", "", "YZ", "", None),
    (160, "装维服务派网管中心", "0603", "", "", "WG", "", None),
    (170, "宽带办理派网管中心", "0701", "", "", "WG", "", None),
    (180, "宽带资费派业务支撑中心", "0702", "", "", "YZ", "", None),
    (9999, "兜底：客服中心处理", "", "", "", "KF", "", None),
]
CHANNELS = [
    ("phone", 0.60),
    ("app", 0.12),
    ("web", 0.08),
    ("hall", 0.08),
    ("sms", 0.04),
    ("account_manager", 0.03),
    ("email", 0.02),
    ("voicemail", 0.02),
    ("fax", 0.01),
]
SELF_SERVICE = {"web", "app", "sms", "email", "voicemail", "fax"}
CHANNEL_WORDS = {
    "phone": "客户来电反映：",
    "hall": "客户到营业厅反映：",
    "account_manager": "客户经理代客户反映：",
    "web": "客户通过网上营业厅留言：",
    "app": "客户通过手机APP反映：",
    "sms": "客户短信反映：",
    "email": "客户来信反映：",
    "voicemail": "客户语音留言：",
    "fax": "客户传真反映：",
}
LEVELS = [
    (CustomerLevel.VIP, 0.03),
    (CustomerLevel.GOLD, 0.10),
    (CustomerLevel.SILVER, 0.20),
    (CustomerLevel.ORDINARY, 0.67),
]
PHONE_PREFIXES = [
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "187",
    "188",
    "135",
    "136",
    "147",
    "198",
]
SATISFACTION = [("satisfied", 0.80), ("neutral", 0.12), ("dissatisfied", 0.08)]
SECOND_SATISFACTION = [("satisfied", 0.55), ("neutral", 0.25), ("dissatisfied", 0.20)]
# Hourly intake shape (index = hour): quiet nights, peaks mid-morning and afternoon.
HOURS_WEEKDAY = [
    1,
    0.5,
    0.3,
    0.3,
    0.3,
    0.6,
    1.5,
    3,
    6,
    9,
    10,
    9,
    6,
    7,
    9,
    9,
    8,
    7,
    5,
    5,
    5,
    4,
    3,
    2,
]
HOURS_WEEKEND = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 6, 6, 6, 6, 5, 5, 5, 5, 5, 4, 3, 2]
FIRST_RESPONSE_MINUTES = 120
CALLBACK_MINUTES = WORKDAY
SPIKE_CITY = "XZ"
SPIKE_AREA = "云龙区"
SPIKE_CATEGORY = "01010102"  # 网络质量/移动网络/无信号/弱信号/区域性无信号
SPIKE_DAYS_AGO = 21


# ----------------------------------------------------------------------------- time


class WorkClock:
    """``calendar.deadline`` with memoized day walks: exactly the same results, but a
    million deadlines take seconds instead of minutes."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        hours, minutes = settings.WORKDAY_START.split(":")
        self.open = time(int(hours), int(minutes))
        hours, minutes = settings.WORKDAY_END.split(":")
        self.close = time(int(hours), int(minutes))

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one clock per seeding run
    def window(self, day: date) -> tuple[datetime, datetime] | None:
        if not calendar.is_workday(day):
            return None
        return (
            datetime.combine(day, self.open, tzinfo=self.tz),
            datetime.combine(day, self.close, tzinfo=self.tz),
        )

    @functools.lru_cache(maxsize=200_000)  # noqa: B019
    def _from_day(self, day: date, remaining: int) -> datetime:
        for _ in range(calendar.MAX_DAYS_SCANNED):
            window = self.window(day)
            if window is not None:
                available = int((window[1] - window[0]).total_seconds() // 60)
                if remaining <= available:
                    return window[0] + timedelta(minutes=remaining)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("working calendar has no working time in range")

    def deadline(self, start: datetime, minutes: int, basis: str = "working") -> datetime:
        if basis == TimeBasisChoice.NATURAL:
            return start + timedelta(minutes=minutes)
        if minutes <= 0:
            return start
        current = timezone.localtime(start, self.tz)
        day = current.date()
        window = self.window(day)
        if window is not None:
            begin = max(current, window[0])
            if begin < window[1]:
                available = int((window[1] - begin).total_seconds() // 60)
                if minutes <= available:
                    return begin + timedelta(minutes=minutes)
                minutes -= available
        return self._from_day(day + timedelta(days=1), minutes)


def _pick(rng: random.Random, pairs):
    """Weighted choice from ``[(value, weight), ...]``."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by ``weights`` into integers that sum to it (largest remainder)."""
    s = sum(weights) or 1.0
    raw = [total * w / s for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def chinese_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    size = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN_CHARS) for _ in range(size))


# ------------------------------------------------------------------ reference data


def _unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
    unit = Unit.objects.filter(code=code).first() or Unit(code=code)
    unit.name, unit.kind, unit.parent, unit.is_active = name, kind, parent, True
    unit.save()  # computes path and region
    return unit


def seed_org() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    province = units["JS"] = _unit("JS", "江苏省公司", UnitKind.PROVINCE, None)
    for code, name in PROVINCE_DEPARTMENTS:
        units[f"JS-{code}"] = _unit(f"JS-{code}", name, UnitKind.DEPARTMENT, province)
    for city in CITIES:
        city_unit = units[city.code] = _unit(
            city.code, f"{city.name}分公司", UnitKind.CITY, province
        )
        for code, name in CITY_DEPARTMENTS:
            units[f"{city.code}-{code}"] = _unit(
                f"{city.code}-{code}", name, UnitKind.DEPARTMENT, city_unit
            )
        for dcode, dname in city.districts:
            district = _unit(f"{city.code}-{dcode}", dname, UnitKind.DISTRICT, city_unit)
            units[district.code] = district
            for tcode, tname in DISTRICT_TEAMS:
                code = f"{district.code}-{tcode}"
                units[code] = _unit(code, f"{dname}{tname}", UnitKind.TEAM, district)
    return units


def seed_staff(units: dict[str, Unit], seed: int) -> list[Staff]:
    password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
    wanted = [
        (username, role, unit, scope, name) for username, role, unit, scope, name in DEMO_ACCOUNTS
    ]
    for city in CITIES:
        for dept, role, count in CITY_STAFF:
            for i in range(1, count + 1):
                username = f"{city.code.lower()}_{dept.lower()}_{role}_{i:02d}"
                wanted.append((username, role, f"{city.code}-{dept}", city.code, None))
        for dcode, _name in city.districts:
            unit = f"{city.code}-{dcode}-YYT"
            wanted.append(
                (f"{unit.lower().replace('-', '_')}_01", Role.AGENT, unit, city.code, None)
            )
    wanted.extend(
        (f"js_{dept.lower()}_{role}_{i:02d}", role, f"JS-{dept}", "JS", None)
        for dept, role, count in PROVINCE_STAFF
        for i in range(1, count + 1)
    )

    existing = {s.username: s for s in Staff.objects.filter(username__in=[w[0] for w in wanted])}
    staff = []
    for username, role, unit_code, scope_code, name in wanted:
        person = existing.get(username)
        if person is None:
            person = Staff(username=username, password=password)
        rng = random.Random(f"{seed}:{username}")
        person.display_name = name or person.display_name or chinese_name(rng)
        person.role = role
        person.unit = units[unit_code]
        person.scope_unit = units[scope_code]
        person.is_staff = role in ADMIN_ROLES
        person.is_superuser = role == Role.SYSTEM_ADMIN
        person.is_active = True
        person.phone = person.phone or f"1390{rng.randrange(10**7):07d}"
        dept = unit_code.rsplit("-", 1)[-1]
        if dept in TEAM_SKILLS and not person.skills:
            # The first handler of a department takes its speciality, the others all.
            person.skills = TEAM_SKILLS[dept] if username.endswith("_01") else []
        person.save()
        staff.append(person)
    # Network centres hand new faults out in turn, business support to the least busy.
    Unit.objects.filter(code__endswith="-WG").update(assignment_mode=AssignmentMode.ROUND_ROBIN)
    Unit.objects.filter(code__endswith="-YZ").update(assignment_mode=AssignmentMode.LEAST_LOADED)
    return staff


def seed_taxonomy() -> dict[str, Category]:
    for code, name, limit, sort, _share in ORDER_TYPES:
        OrderType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "time_limit_minutes": limit,
                "sort": sort,
                "default_process_key": ORDER_TYPE_PROCESS.get(code, "general_complaint"),
                "time_basis": TimeBasisChoice.WORKING,
            },
        )
    for code, name in PRODUCTS:
        Product.objects.update_or_create(code=code, defaults={"name": name})
    for i, name in enumerate(SP_NAMES, start=1):
        ServiceProvider.objects.update_or_create(code=f"SP{i:03d}", defaults={"name": name})

    nodes: dict[str, Category] = {}

    def upsert(code: str, name: str, parent: Category | None, limit=None, is_local=False):
        node = Category.objects.filter(code=code).first() or Category(code=code)
        node.name, node.parent, node.is_local, node.is_active = name, parent, is_local, True
        if limit:
            node.time_limit_minutes = limit
        node.save()  # computes level, path and full name
        nodes[code] = node
        return node

    for c1, n1, level2 in TREE:
        top = upsert(c1, n1, None)
        for c2, n2, limit, level3 in level2:
            second = upsert(c1 + c2, n2, top, limit)
            for c3, n3, leaves in level3:
                third = upsert(c1 + c2 + c3, n3, second)
                for c4, n4, _weight, _texts in leaves:
                    upsert(c1 + c2 + c3 + c4, n4, third, is_local=True)
    # SP complaints go through the SP's own reply step (seed 002, SP 投诉流程).
    Category.objects.filter(code=SP_CATEGORY).update(default_process_key="sp_complaint")
    return nodes


def seed_routing(categories: dict[str, Category]) -> int:
    """The routing decision table (DMN, COLLECT) from ``ROUTING_RULES``, published once;
    a re-run of the seed leaves a table that already exists alone."""
    from complaintloop.routing import dmn, tables
    from complaintloop.routing.models import DecisionTable

    if DecisionTable.objects.filter(key=tables.ROUTING).exists():
        routing.clear_cache()
        return DecisionTable.objects.filter(key=tables.ROUTING).first().rule_count
    sheet = dmn.Sheet(
        key=tables.ROUTING,
        name="派单规则",
        hit_policy="COLLECT",
        inputs=[
            ("order_type", "工单类型"),
            ("category", "分类(含下级)"),
            ("customer_level", "客户级别"),
            ("text", "标题与描述"),
        ],
        outputs=[(n, str(label), t) for n, label, t in tables.SPECS[tables.ROUTING].outputs],
    )
    # Complaints that mention the regulator or the media are 特急 whatever their category.
    sheet.rows.append(
        (
            "escalation_words",
            "提及工信部或媒体曝光定为特急",
            ["-", "-", "-", 'contains(?, "工信部"), contains(?, "曝光"), contains(?, "媒体")'],
            ["", "", dmn.literal(Urgency.CRITICAL), "", ""],
        )
    )
    for priority, name, cat, order_type, level, dept, urgency, limit in ROUTING_RULES:
        sheet.rows.append(
            (
                f"rule_{priority}",
                name,
                [dmn.literal(order_type), dmn.literal(cat), dmn.literal(level), "-"],
                [
                    "",
                    dmn.literal(dept),
                    dmn.literal(urgency),
                    dmn.literal(limit),
                    dmn.literal(ORDER_TYPE_PROCESS.get(order_type, "")),
                ],
            )
        )
    routing.publish_sheet(sheet, comment="演示数据")
    return len(sheet.rows)


# ------------------------------------------------------------------------ customers


def _id_number(rng: random.Random, prefix: str) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    body = f"{prefix}{rng.choice(['02', '03', '04', '05', '06', '11'])}{born:%Y%m%d}{rng.randrange(1000):03d}"
    factors = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * f for d, f in zip(body, factors, strict=True)) % 11]
    return body + check


def seed_customers(
    count: int,
    seed: int,
    units: dict[str, Unit],
    staff: list[Staff],
    now: datetime,
    months: int,
    batch: int,
) -> tuple[int, int]:
    """Create ``count`` customers (those whose phone already exists are kept as they
    are), a few contact records each for a sample, and the blacklist/risk lists."""
    rng = random.Random(seed * 7919 + 1)
    existing = set(Customer.objects.values_list("phone", flat=True))
    agents = defaultdict(list)
    for person in staff:
        if person.role == Role.AGENT and person.unit.region_id:
            agents[person.unit.region_id].append(person)
    city_pairs = [(c, c.weight) for c in CITIES]
    phones: set[str] = set()
    created = contacts = 0
    pending: list[Customer] = []

    def flush():
        nonlocal created, contacts
        with transaction.atomic():
            Customer.objects.bulk_create(pending)
            records = []
            for customer in pending:
                if rng.random() < 0.45:
                    for _ in range(rng.randint(1, 4)):
                        channel, direction, summary = rng.choice(CONTACT_SUMMARIES)
                        at = now - timedelta(seconds=rng.randrange(int(months * 30.5 * 86400)))
                        records.append(
                            ContactRecord(
                                customer=customer,
                                channel=channel,
                                direction=direction,
                                summary=summary,
                                staff=rng.choice(agents[customer.region_id] or [None]),
                                at=at,
                            )
                        )
            ContactRecord.objects.bulk_create(records, batch_size=batch)
        created += len(pending)
        contacts += len(records)
        pending.clear()

    for _ in range(count):
        city = _pick(rng, city_pairs)
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        while phone in phones:
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        phones.add(phone)
        name = chinese_name(rng)
        level = _pick(rng, LEVELS)
        enterprise = rng.random() < 0.05
        area = rng.choice(city.areas)
        customer = Customer(
            name=name,
            phone=phone,
            id_number=_id_number(rng, city.id_prefix),
            email=(
                f"{rng.choice('abcdefghjklmnpqrstwxyz')}{rng.randrange(10**4, 10**8)}"
                f"@{rng.choice(['139.com', 'qq.com', '163.com', 'sina.com'])}"
                if rng.random() < 0.18
                else ""
            ),
            level=level,
            region=units[city.code],
            is_enterprise=enterprise,
            enterprise_name=(
                f"{city.name}{rng.choice(PLACES)[:2]}{rng.choice(['科技', '物流', '贸易', '建设', '医药', '电子'])}有限公司"
                if enterprise
                else ""
            ),
            address=f"{city.name}市{area}{rng.choice(ROADS)}{rng.randint(1, 399)}号{rng.choice(PLACES)}",
        )
        if phone in existing:
            continue
        pending.append(customer)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()

    if not CustomerListEntry.objects.exists():
        ids = list(Customer.objects.order_by("id").values_list("id", flat=True)[:5000])
        chosen = rng.sample(ids, min(len(ids), 17))
        reasons = {
            ListKind.BLACKLIST: [
                "多次辱骂坐席，恶意骚扰热线",
                "长期恶意投诉索要高额赔偿",
                "冒用他人身份办理业务",
            ],
            ListKind.KEY_RISK: [
                "扬言向工信部申诉",
                "曾向媒体曝光，舆情风险高",
                "多次越级投诉至省公司",
                "消协投诉未结案",
                "律师函要求赔偿",
            ],
        }
        entries = []
        for i, customer_id in enumerate(chosen):
            kind = ListKind.BLACKLIST if i < 5 else ListKind.KEY_RISK
            entries.append(
                CustomerListEntry(
                    customer_id=customer_id,
                    kind=kind,
                    reason=rng.choice(reasons[kind]),
                    expires_at=now + timedelta(days=rng.choice([90, 180, 365])),
                )
            )
        CustomerListEntry.objects.bulk_create(entries)
    return created, contacts


# -------------------------------------------------------------------------- tickets


@dataclass
class Context:
    now: datetime
    clock: WorkClock
    cities: dict[str, Unit]
    units: dict[str, Unit]
    types: dict[str, OrderType]
    categories: dict[str, Category]
    leaves: list[tuple[Category, float, tuple[str, ...]]]
    products: dict[str, Product]
    sps: list[ServiceProvider]
    customers: dict[str, list[tuple[int, str]]]
    agents: dict[str, list[int]]
    supervisors: dict[str, list[int]]
    handlers: dict[int, list[int]]
    units_by_code: dict[str, Unit]
    routes: dict = field(default_factory=dict)


def _context(now: datetime, units: dict[str, Unit], staff: list[Staff]) -> Context:
    categories = {c.code: c for c in Category.objects.all()}
    leaves = []
    for c1, _n1, level2 in TREE:
        for c2, _n2, _limit, level3 in level2:
            for c3, _n3, leaf_rows in level3:
                for c4, _n4, weight, texts in leaf_rows:
                    leaves.append((categories[c1 + c2 + c3 + c4], weight, texts))
    customers: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = Customer.objects.filter(region__code__in=list(CITY_BY_CODE)).order_by("id")
    for cid, level, city_code in rows.values_list("id", "level", "region__code").iterator(
        chunk_size=20000
    ):
        customers[city_code].append((cid, level))
    agents, supervisors, handlers = defaultdict(list), defaultdict(list), defaultdict(list)
    for person in staff:
        city = person.unit.code.split("-")[0]
        if person.role == Role.AGENT and person.unit.code.endswith("-KF"):
            agents[city].append(person.pk)
        elif person.role == Role.SUPERVISOR:
            supervisors[city].append(person.pk)
        elif person.role == Role.HANDLER or person.unit.code.endswith("-KF"):
            handlers[person.unit_id].append(person.pk)
    for city in CITIES:
        handlers[units[f"{city.code}-KF"].pk].extend(agents[city.code])
    return Context(
        now=now,
        clock=WorkClock(),
        cities={c.code: units[c.code] for c in CITIES},
        units={u.pk: u for u in units.values()},
        types={t.code: t for t in OrderType.objects.all()},
        categories=categories,
        leaves=leaves,
        products={p.code: p for p in Product.objects.all()},
        sps=list(ServiceProvider.objects.order_by("code")),
        customers=customers,
        agents=agents,
        supervisors=supervisors,
        handlers=handlers,
        units_by_code=units,
    )


def _route(ctx: Context, order_type: OrderType, category: Category, city: Unit, level: str):
    key = (order_type.pk, category.pk, city.pk, level)
    decision = ctx.routes.get(key)
    if decision is None:
        decision = ctx.routes[key] = routing.decide(
            order_type=order_type, category=category, region=city, customer_level=level
        )
    return decision


class _Slots(dict):
    """Template values drawn only when a template asks for them."""

    def __init__(self, rng: random.Random, city: City, leaf: str, sp: str, product: str):
        super().__init__(leaf=leaf, sp=sp, product=product, city=city.name)
        self.rng, self.city = rng, city

    def __missing__(self, key: str) -> str:
        rng = self.rng
        makers = {
            "district": lambda: rng.choice(self.city.areas),
            "place": lambda: rng.choice(PLACES),
            "road": lambda: rng.choice(ROADS),
            "hour": lambda: str(rng.choice([7, 8, 9, 10, 19, 20, 21, 22])),
            "amount": lambda: f"{rng.choice([5, 8, 10, 15, 20, 30, 50, 68, 99, 128, 200])}",
            "days": lambda: str(rng.randint(2, 10)),
            "times": lambda: str(rng.randint(2, 6)),
            "months": lambda: str(rng.randint(1, 6)),
            "gb": lambda: str(rng.choice([1, 2, 5, 10, 20, 30])),
            "month": lambda: str(rng.randint(1, 12)),
            "name": lambda: (
                rng.choice(SURNAMES)
                + rng.choice(["师傅", "经理", "工号" + str(rng.randint(1000, 9999))])
            ),
        }
        value = makers[key]() if key in makers else ""
        self[key] = value
        return value


@dataclass
class Draft:
    ticket: Ticket
    events: list[tuple]  # (at, kind, actor_id, comment, payload, to_status or None)
    items: list[WorkItem]


def _sla(ctx: Context, due: datetime, limit: int, basis: str) -> str:
    if ctx.now > due:
        return SlaState.BREACHED
    left = calendar.elapsed_minutes(ctx.now, due, basis)
    return SlaState.NEAR if left < limit * 0.2 else SlaState.OK


def _ticket(ctx: Context, rng: random.Random, created: datetime, city: City, spike: bool) -> Draft:
    now, wc = ctx.now, ctx.clock
    city_unit = ctx.cities[city.code]
    if spike:
        type_code = "complaint"
        category = ctx.categories[SPIKE_CATEGORY]
        texts: tuple[str, ...] = SPIKE_TEMPLATES
    else:
        type_code = _pick(rng, [(code, share) for code, _n, _l, _s, share in ORDER_TYPES])
        if type_code in TYPE_TEXTS:
            codes, texts = TYPE_TEXTS[type_code]
            pool = [leaf for leaf in ctx.leaves if leaf[0].code.startswith(codes)]
            category, _w, leaf_texts = rng.choices(pool, [p[1] or 1 for p in pool])[0]
            texts = texts or leaf_texts
        else:
            category, _w, texts = rng.choices(ctx.leaves, [leaf[1] for leaf in ctx.leaves])[0]
    order_type = ctx.types[type_code]
    customer_id, level = rng.choice(ctx.customers[city.code])
    channel = "phone" if spike and rng.random() < 0.8 else _pick(rng, CHANNELS)
    if spike and channel not in ("phone", "app"):
        channel = "app"
    decision = _route(ctx, order_type, category, city_unit, level)
    domain = category.code[:2]
    sp = rng.choice(ctx.sps) if domain == "05" else None
    product = ctx.products.get(rng.choice(PRODUCTS_BY_DOMAIN[domain]))
    slots = _Slots(rng, city, category.name, sp.name if sp else "", product.name if product else "")
    if spike:
        slots["district"] = SPIKE_AREA
        slots["place"] = rng.choice(SPIKE_PLACES)
    body = rng.choice(texts).format_map(slots)
    if type_code == "complaint":
        title = rng.choice(
            ["{leaf}", "{leaf}", "{district}{leaf}", "客户反映{leaf}", "{leaf}，要求尽快处理"]
        )
        if spike:
            title = rng.choice(
                ["{district}{place}一带手机无信号", "{district}区域性无信号", "{district}{leaf}"]
            )
        title = title.format_map(slots)
    elif type_code in ("praise", "suggestion", "appointment"):
        short = body.split("，")[0].rstrip("。")
        title = f"{order_type.name}：{short}"
    else:
        title = f"{order_type.name.split('/')[0]}：{category.name}"
    complaining = type_code in ("complaint", "request")
    extra = rng.choice(DESCRIPTION_EXTRAS) if complaining and rng.random() < 0.5 else ""
    description = f"{CHANNEL_WORDS[channel]}{body}{extra}"

    agent = rng.choice(ctx.agents[city.code])
    kf = ctx.units_by_code[f"{city.code}-KF"]
    owner = decision.unit
    handler_ids = ctx.handlers.get(owner.pk) or [None]
    handler = rng.choice(handler_ids)
    basis, limit = decision.time_basis, decision.time_limit_minutes
    due = wc.deadline(created, limit, basis)
    ticket = Ticket(
        order_type=order_type,
        channel=channel,
        customer_id=customer_id,
        customer_level=level,
        category=category,
        category_path=category.path,
        product=product,
        sp=sp,
        urgency=decision.urgency,
        region=city_unit,
        region_path=city_unit.path,
        title=title[:200],
        description=description,
        accepting_unit=kf,
        accepting_path=kf.path,
        created_by_id=agent,
        created_at=created,
        time_basis=basis,
        time_limit_minutes=limit,
        first_response_due_at=wc.deadline(created, FIRST_RESPONSE_MINUTES, basis),
        due_at=due,
    )
    resolution = rng.choice(RESOLUTIONS.get(type_code) or RESOLUTIONS[domain]).format_map(slots)
    events: list[tuple] = []
    items: list[WorkItem] = []

    fcr_rate = {"complaint": 0.23, "inquiry": 0.7}.get(type_code, 0.0)
    if (
        not spike
        and channel in ("phone", "hall")
        and rng.random() < fcr_rate
        and created + timedelta(minutes=20) < now
    ):
        # 首问解决: the call centre answers and closes at intake.
        closed = created + timedelta(minutes=rng.randint(3, 15), seconds=rng.randrange(60))
        ticket.owner_unit = kf
        ticket.is_fcr = True
        ticket.first_response_at = ticket.resolved_at = ticket.closed_at = closed
        ticket.resolution = resolution
        ticket.satisfaction = _pick(
            rng, [("satisfied", 0.86), ("neutral", 0.10), ("dissatisfied", 0.04)]
        )
        events.append((created, EventKind.CREATED, agent, "", {"channel": channel}, Status.NEW))
        events.append((closed, EventKind.CLOSED, agent, resolution, {"fcr": True}, Status.CLOSED))
        return _finish(ctx, ticket, events, items)

    # The whole future of the ticket, then cut at now.
    pre = rng.random() < (0.35 if channel in SELF_SERVICE else 0.03)
    routed = {"channel": channel, "unit": owner.code}
    if pre:
        events.append((created, EventKind.CREATED, agent, "", {"channel": channel}, Status.NEW))
        dispatched = wc.deadline(created, rng.randint(5, 90), basis)
        events.append((dispatched, EventKind.PRE_HANDLED, agent, "", routed, Status.PENDING))
        ticket.is_pre_handled = dispatched <= now
    else:
        dispatched = created
        events.append((created, EventKind.CREATED, agent, "", routed, Status.PENDING))
    long_accept = rng.random() < 0.1
    accept_minutes = rng.randint(60, 480) if long_accept else rng.randint(3, 90)
    accepted = max(wc.deadline(created, accept_minutes, basis), dispatched + timedelta(minutes=2))
    accepted += timedelta(seconds=rng.randrange(60))
    roll = rng.random()
    on_time_rate = 0.6 if spike else 0.8
    if roll < on_time_rate:
        share = rng.uniform(0.1, 0.95)
    elif roll < 0.98:
        share = rng.uniform(1.05, 2.0)
    else:
        share = rng.uniform(2.0, 6.0)
    replied = wc.deadline(created, int(limit * share), basis) + timedelta(seconds=rng.randrange(60))
    if replied <= accepted:
        replied = accepted + timedelta(minutes=rng.randint(10, 60))
    events.append((accepted, EventKind.ACCEPTED, handler, "", {}, Status.IN_PROGRESS))
    if replied > due and rng.random() < 0.6:
        urger = rng.choice(ctx.supervisors[city.code] or [agent])
        for _ in range(rng.randint(1, 2)):
            at = due + (replied - due) * rng.uniform(0.05, 0.95)
            events.append((at, EventKind.URGED, urger, "客户再次来电催促处理", {}, None))
    events.append((replied, EventKind.REPLIED, handler, resolution, {}, Status.REPLIED))
    called = wc.deadline(replied, rng.randint(20, CALLBACK_MINUTES), "working")
    satisfaction = "satisfied" if type_code == "praise" else _pick(rng, SATISFACTION)
    second = satisfaction == "dissatisfied" and rng.random() < 0.5
    if second:
        events.append(
            (called, EventKind.CALLED_BACK, agent, "客户对处理结果不满意，转二次处理",
             {"satisfaction": satisfaction, "second_handling": True}, Status.IN_PROGRESS)
        )  # fmt: skip
        replied2 = wc.deadline(called, rng.randint(60, 2 * WORKDAY), "working")
        events.append(
            (replied2, EventKind.REPLIED, handler, "二次处理：" + resolution, {}, Status.REPLIED)
        )
        called = wc.deadline(replied2, rng.randint(20, CALLBACK_MINUTES), "working")
        satisfaction = _pick(rng, SECOND_SATISFACTION)
    events.append(
        (called, EventKind.CALLED_BACK, agent, "", {"satisfaction": satisfaction}, Status.REPLIED)
    )
    closed = called + timedelta(minutes=rng.randint(1, 20))
    events.append((closed, EventKind.CLOSED, agent, "", {}, Status.CLOSED))

    events.sort(key=lambda e: e[0])
    events = [e for e in events if e[0] <= now]
    status = next((e[5] for e in reversed(events) if e[5] is not None), Status.NEW)
    if status == Status.IN_PROGRESS and not spike and rng.random() < 0.12 and not second:
        # 挂起: waiting for the customer or a third party.
        last = events[-1][0]
        suspended = last + (now - last) * rng.uniform(0.1, 0.9)
        events.append(
            (
                suspended,
                EventKind.SUSPENDED,
                handler,
                "客户要求改期上门，暂挂起",
                {},
                Status.SUSPENDED,
            )
        )
        ticket.suspended_at = suspended
        status = Status.SUSPENDED

    replies = [e[0] for e in events if e[1] == EventKind.REPLIED]
    callbacks = [e for e in events if e[1] == EventKind.CALLED_BACK]
    ticket.owner_unit = kf if status == Status.NEW else owner
    ticket.urge_count = sum(1 for e in events if e[1] == EventKind.URGED)
    ticket.second_handling = len(callbacks) > 0 and bool(callbacks[0][4].get("second_handling"))
    if callbacks:
        ticket.satisfaction = callbacks[-1][4]["satisfaction"]
    if any(e[1] == EventKind.ACCEPTED for e in events):
        ticket.first_response_at = accepted
    if replies:
        ticket.resolved_at = replies[-1]
        ticket.resolution = resolution
    if status == Status.CLOSED:
        ticket.closed_at = closed
    if status in (Status.IN_PROGRESS, Status.SUSPENDED):
        ticket.owner_staff_id = handler

    start = dispatched
    if status in (Status.PENDING, Status.IN_PROGRESS, Status.SUSPENDED):
        items.append(
            WorkItem(
                kind=WorkItemKind.MAIN,
                step="handle",
                unit=owner,
                unit_path=owner.path,
                staff_id=handler if status != Status.PENDING else None,
                created_at=start,
                accepted_at=accepted if status != Status.PENDING else None,
                accepted_by_id=handler if status != Status.PENDING else None,
                from_unit=kf,
                due_at=due,
                warn_at=wc.deadline(start, int(limit * 0.8), basis),
                sla_state=_sla(ctx, due, limit, basis),
                request=description[:500],
            )
        )
    elif status == Status.REPLIED:
        items.append(
            WorkItem(
                kind=WorkItemKind.MAIN,
                step="handle",
                status=WorkItemStatus.DONE,
                unit=owner,
                unit_path=owner.path,
                staff_id=handler,
                created_at=start,
                accepted_at=accepted,
                accepted_by_id=handler,
                from_unit=kf,
                due_at=due,
                completed_at=replies[-1],
                sla_state=SlaState.BREACHED if replies[-1] > due else SlaState.OK,
                result=resolution,
            )
        )
        callback_due = wc.deadline(replies[-1], CALLBACK_MINUTES, "working")
        items.append(
            WorkItem(
                kind=WorkItemKind.CALLBACK,
                step="callback",
                unit=kf,
                unit_path=kf.path,
                created_at=replies[-1],
                from_unit=owner,
                due_at=callback_due,
                warn_at=wc.deadline(replies[-1], int(CALLBACK_MINUTES * 0.8), "working"),
                sla_state=_sla(ctx, callback_due, CALLBACK_MINUTES, "working"),
            )
        )
    return _finish(ctx, ticket, events, items)


STEPS = {
    Status.NEW: "dispatch",
    Status.PENDING: "handle",
    Status.IN_PROGRESS: "handle",
    Status.SUSPENDED: "handle",
    Status.REPLIED: "callback",
    Status.CLOSED: "",
}


def _finish(ctx: Context, ticket: Ticket, events: list[tuple], items: list[WorkItem]) -> Draft:
    status = Status.NEW
    for e in events:
        if e[5] is not None:
            status = e[5]
    ticket.status = status
    ticket.current_step = STEPS[status]
    ticket.updated_at = events[-1][0]
    ticket.version = len(events)
    if ticket.resolved_at is not None:
        ticket.sla_state = SlaState.BREACHED if ticket.resolved_at > ticket.due_at else SlaState.OK
    else:
        ticket.sla_state = _sla(ctx, ticket.due_at, ticket.time_limit_minutes, ticket.time_basis)
    return Draft(ticket, events, items)


EVENT_COLUMNS = (
    "ticket_id",
    "seq",
    "kind",
    "actor_id",
    "at",
    "from_status",
    "to_status",
    "comment",
    "payload",
)


def _insert_events(rows: list[tuple]) -> None:
    """Append event rows without model instances: COPY on PostgreSQL, executemany
    elsewhere. Events are the bulk of the data set (about five per ticket)."""
    table = TicketEvent._meta.db_table
    columns = ", ".join(EVENT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            placeholders = ", ".join(["%s"] * len(EVENT_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 - fixed names
                [(*r[:4], adapt(r[4]), *r[5:]) for r in rows],
            )


def _day_weights(days: list[date], now: datetime, rng: random.Random) -> list[float]:
    weights = []
    for i, day in enumerate(days):
        w = 1.0 if day.weekday() < 5 else (0.62 if day.weekday() == 5 else 0.55)
        if day.weekday() < 5 and not calendar.is_workday(day):
            w = 0.5  # public holiday
        elif day.weekday() >= 5 and calendar.is_workday(day):
            w = 0.9  # 调休 working weekend
        w *= 1 + 0.1 * (i / max(1, len(days) - 1))  # slow growth
        w *= rng.uniform(0.88, 1.12)
        if day == now.date():
            shape = HOURS_WEEKDAY if day.weekday() < 5 else HOURS_WEEKEND
            elapsed = now.hour + now.minute / 60
            w *= sum(shape[: now.hour]) / sum(shape) + shape[now.hour] / sum(shape) * (
                elapsed - now.hour
            )
        weights.append(w)
    return weights


def _moment(rng: random.Random, day: date, tz, now: datetime, hours: list[float]) -> datetime:
    for _ in range(50):
        hour = rng.choices(range(24), hours)[0]
        at = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
        if at < now - timedelta(minutes=1):
            return at
    return now - timedelta(minutes=rng.randint(2, 30))


def seed_tickets(
    orders: int,
    months: int,
    seed: int,
    batch: int,
    units: dict[str, Unit],
    staff: list[Staff],
    progress,
) -> dict:
    rng = random.Random(seed)
    now = timezone.localtime(clock.now())
    tz = now.tzinfo
    ctx = _context(now, units, staff)
    first = now.date() - timedelta(days=round(months * 30.44))
    days = [first + timedelta(days=i) for i in range((now.date() - first).days + 1)]

    spike_day = now.date() - timedelta(days=SPIKE_DAYS_AGO)
    while spike_day.weekday() not in (1, 2, 3) or not calendar.is_workday(spike_day):
        spike_day -= timedelta(days=1)
    xz_daily = orders / len(days) * CITY_BY_CODE[SPIKE_CITY].weight
    spike_count = min(orders // 3, max(20, round(xz_daily * 0.27 * 7)))
    if spike_day < first:
        spike_count = 0

    counts = _allocate(orders - spike_count, _day_weights(days, now, rng))
    counters = dict(TicketNumberCounter.objects.values_list("day", "last"))
    city_pairs = [(c, c.weight) for c in CITIES]
    totals = Counter()
    spike_city_days: Counter = Counter()
    buffer: list[Draft] = []
    started = timer.monotonic()

    def flush():
        with transaction.atomic():
            Ticket.objects.bulk_create([d.ticket for d in buffer], batch_size=batch)
            events, items = [], []
            for d in buffer:
                status = ""
                for seq, (at, kind, actor, comment, payload, to) in enumerate(d.events, start=1):
                    to = to or status
                    events.append(
                        (
                            d.ticket.pk,
                            seq,
                            kind,
                            actor,
                            at,
                            status,
                            to,
                            comment,
                            json.dumps(payload),
                        )
                    )
                    status = to
                for item in d.items:
                    item.ticket_id = d.ticket.pk
                    items.append(item)
            _insert_events(events)
            WorkItem.objects.bulk_create(items, batch_size=batch)
        totals["tickets"] += len(buffer)
        totals["events"] += len(events)
        totals["work_items"] += len(items)
        buffer.clear()
        progress(
            f"tickets {totals['tickets']}/{orders}  events {totals['events']}  "
            f"work items {totals['work_items']}  {timer.monotonic() - started:.1f}s"
        )

    for day, count in zip(days, counts, strict=True):
        hours = HOURS_WEEKDAY if calendar.is_workday(day) else HOURS_WEEKEND
        drafts = []
        for _ in range(count):
            city = _pick(rng, city_pairs)
            drafts.append(_ticket(ctx, rng, _moment(rng, day, tz, now, hours), city, spike=False))
        if day == spike_day:
            city = CITY_BY_CODE[SPIKE_CITY]
            outage = datetime.combine(day, time(8, 40), tzinfo=tz)
            for _ in range(spike_count):
                at = outage + timedelta(
                    minutes=rng.triangular(5, 13 * 60, 150), seconds=rng.randrange(60)
                )
                drafts.append(_ticket(ctx, rng, at, city, spike=True))
        drafts.sort(key=lambda d: d.ticket.created_at)
        key = f"{day:%Y%m%d}"
        seq = counters.get(key, 0)
        for d in drafts:
            seq += 1
            d.ticket.number = f"TS{key}{seq:07d}"
            if d.ticket.region_id == ctx.cities[
                SPIKE_CITY
            ].pk and d.ticket.category.code.startswith("01"):
                spike_city_days[day] += 1
        if drafts:
            counters[key] = seq
        buffer.extend(drafts)
        if len(buffer) >= batch:
            flush()
    if buffer:
        flush()
    TicketNumberCounter.objects.bulk_create(
        [TicketNumberCounter(day=k, last=v) for k, v in counters.items()],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["last"],
    )
    normal = [spike_city_days.get(d, 0) for d in days if d != spike_day]
    return {
        **totals,
        "spike": {
            "city": f"{SPIKE_CITY} {CITY_BY_CODE[SPIKE_CITY].name}",
            "area": SPIKE_AREA,
            "category": ctx.categories[SPIKE_CATEGORY].full_name,
            "day": spike_day.isoformat(),
            "tickets": spike_count,
            "network_tickets_that_day": spike_city_days.get(spike_day, 0),
            "network_median_day": statistics.median(normal) if normal else 0,
        },
    }


# ---------------------------------------------------------------------------- incidents


def seed_incidents(spike: dict, progress: Callable[[str], None]) -> dict:
    """The demo's outages: the 徐州 signal loss of the spike day, resolved, with its
    complaints attached and answered; and a Nanjing broadband cut still open, so a
    visitor's complaint with 断网 attaches and the supervisor can answer them all."""
    from complaintloop.incidents.models import (
        AttachedTicket,
        Incident,
        IncidentSource,
        IncidentStatus,
    )

    if Incident.objects.exists():
        return {"incidents": Incident.objects.count()}
    supervisor = Staff.objects.filter(role=Role.SUPERVISOR).order_by("id").first()
    tz = timezone.get_current_timezone()
    attached = 0
    if spike.get("day") and spike.get("tickets"):
        day = date.fromisoformat(spike["day"])
        starts = datetime.combine(day, time(7, 30), tzinfo=tz)
        category = Category.objects.get(code=SPIKE_CATEGORY)
        resolved = Incident.objects.create(
            number=f"INC{day:%Y%m%d}001",
            title=f"{CITY_BY_CODE[SPIKE_CITY].name}{SPIKE_AREA}区域性无信号(基站传输中断)",
            description="云龙区多个基站传输中断,移动网络无信号",
            cause="传输光缆施工挖断,抢修后恢复",
            public_text="云龙区部分区域移动网络中断,正在抢修,预计今晚 20:00 前恢复,给您带来不便深表歉意。",
            category=category,
            starts_at=starts,
            ends_at=starts + timedelta(hours=14),
            keywords=["无信号", "没信号"],
            owner_unit=Unit.objects.filter(code=f"{SPIKE_CITY}-WG").first(),
            status=IncidentStatus.RESOLVED,
            source=IncidentSource.ALERT,
            reply="基站传输已抢通,云龙区移动网络已恢复正常,感谢您的耐心等待。",
            created_by=supervisor,
            created_at=starts + timedelta(minutes=40),
            resolved_at=starts + timedelta(hours=14),
            resolved_by=supervisor,
        )
        resolved.regions.set(Unit.objects.filter(code=SPIKE_CITY))
        tickets = list(
            Ticket.objects.filter(
                created_at__gte=starts,
                created_at__lt=starts + timedelta(hours=16),
                category_path__startswith=category.path,
                region_path__startswith=f"/JS/{SPIKE_CITY}/",
            ).values_list("pk", "created_at", "resolved_at")
        )
        Ticket.objects.filter(pk__in=[pk for pk, _c, _r in tickets]).update(
            incident_number=resolved.number
        )
        AttachedTicket.objects.bulk_create(
            AttachedTicket(
                incident=resolved, ticket_id=pk, how="auto", attached_at=created,
                answered_at=answered,
            )
            for pk, created, answered in tickets
        )  # fmt: skip
        attached = len(tickets)
    now = clock.now()
    open_one = Incident.objects.create(
        number=f"INC{now:%Y%m%d}001",
        title="南京鼓楼区宽带大面积中断(光缆被挖断)",
        description="鼓楼区湖南路一带光缆被施工挖断,宽带用户无法上网",
        cause="市政施工挖断主干光缆",
        public_text="鼓楼区部分小区宽带中断,抢修中,预计 4 小时内恢复。",
        category=Category.objects.get(code="0102"),
        starts_at=now - timedelta(hours=1),
        keywords=["断网", "上不了网", "无法上网"],
        owner_unit=Unit.objects.filter(code="NJ-WG").first(),
        status=IncidentStatus.OPEN,
        created_by=supervisor,
        created_at=now - timedelta(minutes=50),
    )
    open_one.regions.set(Unit.objects.filter(code="NJ"))
    progress(f"incidents: 1 resolved ({attached} complaints attached), 1 open")
    return {"resolved_attached": attached, "open": open_one.number}


# ---------------------------------------------------------------------------- entry


def seed(
    *,
    orders: int = 20000,
    months: int = 6,
    seed: int = 42,
    if_empty: bool = False,
    batch: int = 5000,
    progress: Callable[[str], None] = print,
    analytics: bool = True,
) -> dict:
    """Create (or complete) the demo data set; returns counts for the final report.
    ``analytics`` also runs what the nightly jobs would have (keywords, rollups, alerts)."""
    started = timer.monotonic()
    if if_empty and Ticket.objects.exists():
        progress("tickets exist: nothing to do (--if-empty)")
        return {"skipped": True, "elapsed_seconds": round(timer.monotonic() - started, 1)}
    if not WorkCalendarDay.objects.exists():
        calendar.seed_from_chinesecalendar()
    try:
        from complaintloop.processes import services as processes

        processes.load_builtin()
    except (ImportError, AttributeError):
        progress("processes.services.load_builtin not available: skipped")

    with transaction.atomic():
        units = seed_org()
        staff = seed_staff(units, seed)
        categories = seed_taxonomy()
        rules = seed_routing(categories)
    progress(
        f"org {len(units)} units, {len(staff)} staff, {len(categories)} categories, {rules} rules"
    )
    now = clock.now()
    customers, contacts = seed_customers(
        max(2000, orders // 4), seed, units, staff, now, months, batch
    )
    progress(f"customers +{customers}, contact records +{contacts}")
    result = seed_tickets(orders, months, seed, batch, units, staff, progress) if orders > 0 else {}
    from complaintloop.tickets.services.numbering import after_bulk_load

    after_bulk_load()
    from complaintloop.tickets import search

    result["search_indexed"] = search.rebuild(batch, progress=progress) if orders > 0 else 0
    if orders > 0:
        result["incidents"] = seed_incidents(result.get("spike", {}), progress)
    if orders > 0 and analytics:
        result.update(_analytics(months, progress))
    if orders > 0:
        result["retention_dry_run"] = _retention_report(progress)
    return {
        "units": len(units),
        "staff": len(staff),
        "categories": len(categories),
        "routing_rules": rules,
        "customers_created": customers,
        "contacts_created": contacts,
        **result,
        "elapsed_seconds": round(timer.monotonic() - started, 1),
    }


def _retention_report(progress: Callable[[str], None]) -> dict:
    """A dry run of the retention policies, as the night before the demo would have
    left it on /retention/: what is due and when the oldest data falls due."""
    from complaintloop.retention import services as retention
    from complaintloop.retention.models import Trigger

    run = retention.apply(dry_run=True, trigger=Trigger.COMMAND)
    counts = {name: part.get("count", 0) for name, part in run.report.items()}
    progress(f"retention dry run: {counts}")
    return counts


def _analytics(months: int, progress: Callable[[str], None]) -> dict:
    """Fill what the nightly jobs would have produced over the demo period: keywords,
    daily rollups and early-warning alerts (so the outage spike is already flagged)."""
    from complaintloop.insights import detection, keywords
    from complaintloop.quality import rollup

    today = clock.localtime().date()
    started = timer.monotonic()
    found = keywords.extract_all(progress=progress)
    days = [today - timedelta(days=n) for n in range(months * 31, 0, -1)]
    for day in days:
        rollup.rollup_day(day)
    alerts = 0
    for day in days[-42:]:
        alerts += len(detection.run(day))
    progress(f"analytics: keywords {found}, rollups {len(days)} days, alerts {alerts}")
    return {
        "keywords_extracted": found,
        "alerts": alerts,
        "analytics_seconds": round(timer.monotonic() - started, 1),
    }
