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
from complaintloop.org.models import Role, Staff, Unit, UnitKind
from complaintloop.routing import services as routing
from complaintloop.routing.models import RoutingRule, Urgency
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
ADMIN_ROLES = {Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.PROCESS_ADMIN, Role.SYSTEM_ADMIN}
# Extra staff per city: department (or district team), role, how many.
CITY_STAFF = [
    ("KF", Role.AGENT, 2),
    ("KF", Role.SUPERVISOR, 1),
    ("WG", Role.HANDLER, 2),
    ("YZ", Role.HANDLER, 2),
    ("SC", Role.HANDLER, 1),
]
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
        person.save()
        staff.append(person)
    return staff


def seed_taxonomy() -> dict[str, Category]:
    for code, name, limit, sort, _share in ORDER_TYPES:
        OrderType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "time_limit_minutes": limit,
                "sort": sort,
                "default_process_key": "general_complaint",
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
    return nodes


def seed_routing(categories: dict[str, Category]) -> int:
    types = {t.code: t for t in OrderType.objects.all()}
    for priority, name, cat, order_type, level, dept, urgency, limit in ROUTING_RULES:
        RoutingRule.objects.update_or_create(
            name=name,
            defaults={
                "priority": priority,
                "category": categories.get(cat) if cat else None,
                "order_type": types.get(order_type) if order_type else None,
                "customer_level": level,
                "target_department_code": dept,
                "urgency": urgency,
                "time_limit_minutes": limit,
                "is_active": True,
            },
        )
    routing.clear_cache()
    return len(ROUTING_RULES)


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
    for node in categories.values():
        # Routing asks each node for its ancestors; answer from memory, not the DB.
        chain = [
            categories[c] for c in reversed(node.path.strip("/").split("/")) if c in categories
        ]
        node.lineage = functools.partial(list, chain)
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


# ---------------------------------------------------------------------------- entry


def seed(
    *,
    orders: int = 20000,
    months: int = 6,
    seed: int = 42,
    if_empty: bool = False,
    batch: int = 5000,
    progress: Callable[[str], None] = print,
) -> dict:
    """Create (or complete) the demo data set; returns counts for the final report."""
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


# ----------------------------------------------------------------------- vocabulary
# Names, places and texts; templates take {district} {place} {road} {hour} {amount}
# {days} {times} {months} {gb} {month} {name} {leaf} {sp} {product} {city}.

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈沈姚卢姜崔钟谭陆陆汪范金石廖贾夏韦方邹孟"
    "秦邱江尹薛段雷侯史陶顾顾钱钱严戴孔汤缪葛华"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌宇浩凯鹏晨欣怡"
    "雪梅琳婷颖慧佳倩雯晓燕海波丹飞俊峰辉鑫立新春林宁燕佩云亮健荣梦瑶子轩思彤雨嘉"
)
PLACES = (
    "阳光花园", "锦绣家园", "翠湖天地", "金色家园", "万科城", "春江花月", "香樟园", "幸福里小区",
    "中海国际社区", "银城东苑", "滨江壹号", "紫金名门", "碧桂园", "恒大绿洲", "保利香槟国际",
    "新城花园", "东方明珠苑", "望江苑", "丽景湾", "梧桐苑",
)  # fmt: skip
ROADS = (
    "中山路",
    "和平路",
    "解放路",
    "人民路",
    "建设路",
    "长江路",
    "淮海路",
    "民主路",
    "青年路",
    "湖滨路",
)
SPIKE_PLACES = (
    "和平路",
    "民主南路",
    "大郭庄",
    "云龙湖东岸",
    "子房山",
    "黄山垄",
    "云龙万达广场",
    "铜山路",
)
SPIKE_TEMPLATES = (
    "{district}{place}附近从今天上午开始手机完全没有信号，无法打电话也不能上网，周边邻居都一样。",
    "今天早上九点左右起{district}{place}一带手机显示无服务，家里老人联系不上，请尽快抢修。",
    "{district}{place}整片区域没有信号，单位几十个人都打不了电话，影响正常办公，要求说明原因。",
    "在{district}{place}附近手机信号突然中断，重启手机无效，5G和4G都搜不到网络。",
    "{district}{place}小区今天一直无信号，无法接收验证码，耽误办理银行业务，要求赔偿。",
)
DESCRIPTION_EXTRAS = (
    "客户要求尽快处理并回复。",
    "客户情绪较激动，表示如不解决将向工信部申诉。",
    "客户已多次来电反映，此前未得到解决。",
    "客户要求给予合理补偿。",
    "请相关部门核实处理。",
    "客户对处理时效不满意，要求加急。",
    "客户要求处理人员先电话联系。",
)
CONTACT_SUMMARIES = (
    ("call", "in", "查询本月话费余额及套餐剩余流量"),
    ("call", "in", "咨询5G套餐升级办理条件"),
    ("call", "in", "反映家中宽带网速慢"),
    ("call", "out", "营销外呼：推荐融合套餐，客户暂不考虑"),
    ("sms", "out", "发送账单提醒短信"),
    ("sms", "in", "短信查询积分"),
    ("visit", "in", "营业厅办理补卡"),
    ("visit", "in", "营业厅缴纳话费"),
    ("callback", "out", "投诉处理结果回访，客户表示满意"),
    ("web", "in", "网上营业厅办理流量包订购"),
    ("app", "in", "APP查询宽带到期时间"),
    ("email", "in", "邮件索取电子发票"),
)

# (code, name, [(code, name, limit minutes, [(code, name, [(code, name, weight, texts)])])])
TREE = [
    ("01", "网络质量", [
        ("01", "移动网络", 1080, [
            ("01", "无信号/弱信号", [
                ("01", "室内无信号", 6, (
                    "家住{district}{place}，家里手机信号只有一格，进屋就没信号，打电话要跑到阳台上。",
                    "{district}{place}地下车库和电梯内完全没有信号，已持续{months}个月，要求加装室分设备。",
                )),
                ("02", "区域性无信号", 2, (
                    "{district}{road}附近近{days}天手机经常无服务，周边住户都有同样问题。",
                    "{district}{place}一带信号时有时无，怀疑附近基站故障，请核查。",
                )),
            ]),
            ("02", "通话质量", [
                ("01", "通话掉话", 4, (
                    "最近{days}天打电话经常说几句就断，每天掉话{times}次以上，在{district}尤为明显。",
                    "在{district}{road}行驶途中频繁掉话，影响工作联系。",
                )),
                ("02", "通话杂音/断续", 2, (
                    "通话时对方声音断断续续，有明显杂音，换手机测试问题依旧。",
                    "接听电话时有回声和杂音，已持续{days}天。",
                )),
            ]),
            ("03", "移动上网", [
                ("01", "上网速度慢", 7, (
                    "手机显示5G信号满格但上网很慢，刷视频一直缓冲，测速不到1M。",
                    "每天晚上{hour}点后在{district}{place}手机上网非常卡，网页打不开。",
                )),
                ("02", "5G信号不稳定", 3, (
                    "在{district}5G和4G频繁切换，切换时断网，办理5G套餐后体验反而变差。",
                    "办理了{product}但家里{place}经常没有5G信号，要求说明覆盖情况。",
                )),
            ]),
        ]),
        ("02", "固网/宽带网络", 1080, [
            ("01", "宽带故障", [
                ("01", "宽带频繁掉线", 9, (
                    "家中宽带频繁掉线，每天晚上{hour}点后无法上网，已重启光猫无效。",
                    "宽带最近{days}天每隔半小时掉线一次，孩子上网课受影响，要求尽快上门检修。",
                )),
                ("02", "宽带无法上网", 6, (
                    "光猫LOS灯红灯闪烁，宽带完全不能上网已经{days}天，报修后无人上门。",
                    "家住{district}{place}，宽带突然无法上网，电视也看不了。",
                )),
            ]),
            ("02", "网速", [
                ("01", "宽带网速慢", 5, (
                    "办理的是500M宽带，实测只有几十兆，要求核实带宽是否达标。",
                    "宽带网速慢，下载速度远低于宣传速率，多次反映未解决。",
                )),
                ("02", "晚高峰卡顿", 3, (
                    "每天晚上{hour}点到11点宽带严重卡顿，玩游戏延迟很高，白天正常。",
                    "{place}小区晚高峰网络拥堵，看视频一直转圈。",
                )),
            ]),
        ]),
    ]),
    ("02", "计费争议", [
        ("01", "话费争议", 1620, [
            ("01", "通话费", [
                ("01", "长途/漫游费争议", 3, (
                    "{month}月份账单出现漫游通话费{amount}元，本人当月未离开{city}。",
                    "套餐包含全国通话，却仍被收取长途费{amount}元，要求退还。",
                )),
                ("02", "通话时长不符", 2, (
                    "详单显示通话时长与手机记录不一致，多计了{times}十分钟。",
                    "本月通话费用异常，详单中有多条不认识的号码。",
                )),
            ]),
            ("02", "流量费", [
                ("01", "流量超额扣费", 8, (
                    "本月被扣流量费{amount}元，套餐内流量未提醒已用完，要求退费。",
                    "手机没怎么用却产生{gb}G流量，扣费{amount}元，怀疑计费有误。",
                )),
                ("02", "流量未使用却扣费", 3, (
                    "手机关闭数据连接期间仍产生流量费{amount}元。",
                    "出国期间未开漫游却被扣流量费{amount}元。",
                )),
            ]),
        ]),
        ("02", "扣费争议", 1620, [
            ("01", "月租/功能费", [
                ("01", "停机期间仍扣月租", 2, (
                    "号码已停机{months}个月仍在扣月租，累计{amount}元，要求退还。",
                    "办理了停机保号，但每月仍按原套餐扣费。",
                )),
                ("02", "未订购功能费", 4, (
                    "账单中有{amount}元功能费，本人从未订购过相关功能。",
                    "每月被扣来电提醒、彩铃等功能费，从未同意开通。",
                )),
            ]),
            ("02", "缴费充值", [
                ("01", "充值未到账", 4, (
                    "通过APP充值{amount}元，已扣款但话费未到账，已过去{days}天。",
                    "在第三方平台充值{amount}元显示成功，余额没有变化。",
                )),
                ("02", "重复扣款", 2, (
                    "银行代扣话费时同一笔扣了两次，多扣{amount}元。",
                    "自动续费重复扣款{amount}元，要求退回。",
                )),
            ]),
        ]),
    ]),
    ("03", "业务办理", [
        ("01", "开户销户", None, [
            ("01", "销户", [
                ("01", "销户受阻", 3, (
                    "到营业厅办理销户被告知必须到开户地办理，要求就近销户。",
                    "要求销户，营业员以有合约为由拒绝办理。",
                )),
                ("02", "携号转网受限", 2, (
                    "申请携号转网，系统提示有未到期合约无法转出，本人不知道有合约。",
                    "携号转网授权码获取失败，多次短信申请都无回复。",
                )),
            ]),
            ("02", "过户/实名", [
                ("01", "实名认证失败", 2, (
                    "APP实名认证多次失败，人脸识别无法通过，号码被限制呼出。",
                    "二次实名认证后号码仍被停机，影响正常使用。",
                )),
                ("02", "过户办理", 1, (
                    "家人号码过户需本人到场，本人在外地无法办理，要求提供其他方式。",
                    "过户办理{days}天仍未完成，原机主已签字确认。",
                )),
            ]),
        ]),
        ("02", "业务变更", None, [
            ("01", "套餐变更", [
                ("01", "套餐无法变更", 4, (
                    "想把套餐改为低档{product}，营业厅和热线都说不能改。",
                    "申请降档套餐被拒，要求按规定办理。",
                )),
                ("02", "变更未生效", 2, (
                    "上月已申请变更套餐，本月仍按原套餐扣费{amount}元。",
                    "套餐变更后新资费未生效，流量仍按旧标准计算。",
                )),
            ]),
            ("02", "停开机", [
                ("01", "欠费停机异议", 3, (
                    "号码欠费{amount}元就被停机，未收到任何提醒短信。",
                    "已按时缴费仍被停机，耽误工作联系。",
                )),
                ("02", "复机不及时", 2, (
                    "缴费后{hour}个小时仍未复机，无法接打电话。",
                    "办理复机后号码还是不能使用，要求尽快处理。",
                )),
            ]),
        ]),
    ]),
    ("04", "资费套餐", [
        ("01", "套餐资费", 1620, [
            ("01", "资费宣传", [
                ("01", "宣传与实际不符", 4, (
                    "营业员说{product}每月只要{amount}元，实际扣费远高于宣传。",
                    "宣传不限量套餐，用到{gb}G后被限速，与宣传不符。",
                )),
                ("02", "优惠未兑现", 3, (
                    "办理时承诺每月减免{amount}元，连续{months}个月未兑现。",
                    "新入网优惠未到账，营业厅说系统没有记录。",
                )),
            ]),
            ("02", "套餐到期", [
                ("01", "合约到期自动续约", 2, (
                    "合约到期后未经本人同意被自动续约{months}个月。",
                    "优惠到期后资费自动上调，没有收到任何通知。",
                )),
            ]),
        ]),
        ("02", "营销活动", None, [
            ("01", "促销活动", [
                ("01", "赠送话费未到账", 3, (
                    "参加充{amount}送{amount}活动，赠送话费未到账。",
                    "参加老用户回馈活动，承诺赠送的{gb}G流量没有到账。",
                )),
                ("02", "存费送机争议", 2, (
                    "存费送机活动的手机有质量问题，要求解除协议。",
                    "办理存费送机时未告知需在网{months}年，现无法解约。",
                )),
            ]),
            ("02", "积分活动", [
                ("01", "积分兑换失败", 1, (
                    "积分兑换话费显示成功但未到账，积分已被扣除。",
                    "积分商城兑换的商品{days}天未发货。",
                )),
            ]),
        ]),
    ]),
    ("05", "增值业务(SP)", [
        ("01", "SP业务", 1620, [
            ("01", "定制类", [
                ("01", "未经同意订购SP业务", 7, (
                    "账单中有{sp}的信息费{amount}元，本人从未订购。",
                    "手机莫名订购了{sp}的包月业务，每月扣费{amount}元，要求退订退费。",
                )),
                ("02", "退订后仍扣费", 3, (
                    "已发短信退订{sp}的业务，下个月仍被扣费{amount}元。",
                    "退订{sp}包月业务后仍持续扣费{months}个月。",
                )),
            ]),
            ("02", "点播类", [
                ("01", "短信点播扣费", 2, (
                    "误点短信链接后被扣{amount}元点播费，提供方为{sp}。",
                    "孩子玩手机游戏产生点播费{amount}元，要求退还。",
                )),
            ]),
        ]),
        ("02", "自有增值业务", None, [
            ("01", "彩铃/视频彩铃", [
                ("01", "彩铃被默认开通", 3, (
                    "视频彩铃被默认开通并扣费，从未同意。",
                    "彩铃功能费每月{amount}元，不知何时开通的。",
                )),
            ]),
            ("02", "手机报/会员", [
                ("01", "会员自动续费", 2, (
                    "视频会员到期后自动续费{amount}元，未收到提醒。",
                    "手机报包月业务自动续订，要求退费。",
                )),
            ]),
        ]),
    ]),
    ("06", "服务质量", [
        ("01", "营业厅服务", None, [
            ("01", "服务态度", [
                ("01", "营业员态度差", 3, (
                    "在{district}营业厅办理业务时营业员态度恶劣，不耐烦解释。",
                    "营业员推销套餐时强买强卖，客户拒绝后态度冷淡。",
                )),
                ("02", "排队时间长", 2, (
                    "{district}营业厅只开两个窗口，排队一个多小时。",
                    "周末到营业厅办理补卡排队{hour}十分钟。",
                )),
            ]),
        ]),
        ("02", "热线服务", None, [
            ("01", "热线接通", [
                ("01", "热线难接通", 2, (
                    "拨打客服热线等待二十多分钟无人接听。",
                    "热线转人工一直提示忙，连续{times}次未接通。",
                )),
                ("02", "坐席答复不一致", 2, (
                    "同一问题咨询了{times}次，每个客服说法都不一样。",
                    "客服承诺{days}天内回复，到期无人联系。",
                )),
            ]),
        ]),
        ("03", "装维服务", 1080, [
            ("01", "上门服务", [
                ("01", "装维人员爽约", 3, (
                    "约好上午{hour}点上门维修，装维人员未到也未通知。",
                    "装维人员多次改约，已等待{days}天。",
                )),
                ("02", "装机超时", 2, (
                    "宽带新装约定{days}天内完成，至今未安装。",
                    "装机时间一拖再拖，影响正常办公。",
                )),
            ]),
        ]),
        ("04", "服务表扬", None, [
            ("01", "服务表扬", [
                ("01", "员工服务表扬", 0, (
                    "{name}上门维修宽带认真负责，雨天也准时到达，特此表扬。",
                    "{district}营业厅工作人员耐心细致，帮老人办好业务，特致谢意。",
                    "热线客服{name}耐心解答问题，服务专业，提出表扬。",
                )),
            ]),
        ]),
        ("05", "意见建议", None, [
            ("01", "产品与服务建议", [
                ("01", "服务改进建议", 0, (
                    "建议{district}营业厅周末增加服务窗口，减少排队时间。",
                    "建议APP增加话费账单明细导出功能。",
                    "建议推出适合老年人的低价套餐，操作更简单。",
                )),
            ]),
        ]),
    ]),
    ("07", "宽带业务", [
        ("01", "宽带办理", 1620, [
            ("01", "新装", [
                ("01", "新装宽带无资源", 3, (
                    "{district}{place}新房申请安装宽带，被告知没有端口资源。",
                    "小区已覆盖光纤，却说资源已满无法新装。",
                )),
                ("02", "新装宽带进度慢", 2, (
                    "新装宽带已缴费{days}天，一直未安排上门。",
                    "办理宽带新装后无人联系，查询进度无结果。",
                )),
                ("03", "宽带上门安装预约", 0, (
                    "客户预约本周六上午到{district}{place}安装宽带及光猫。",
                    "客户预约装维人员上门调试IPTV，时间为工作日下午6点后。",
                )),
            ]),
            ("02", "移机拆机", [
                ("01", "移机办理慢", 2, (
                    "搬家到{district}{place}申请宽带移机，{days}天仍未完成。",
                    "宽带移机收取{amount}元费用，办理时未告知。",
                )),
                ("02", "拆机后仍扣费", 2, (
                    "宽带已拆机，仍每月扣宽带费{amount}元。",
                    "拆机时光猫已归还，仍被收取设备费{amount}元。",
                )),
            ]),
        ]),
        ("02", "宽带资费", 1620, [
            ("01", "宽带续费", [
                ("01", "宽带到期续费争议", 3, (
                    "宽带到期后续费价格上涨到{amount}元，办理时承诺原价续费。",
                    "宽带未到期就被停用，要求续费{amount}元才能恢复。",
                )),
            ]),
        ]),
    ]),
]  # fmt: skip

# Non-complaint order types: which leaves they are filed under and their texts.
TYPE_TEXTS = {
    "suggestion": (("06050101",), None),  # None: the leaf's own texts
    "praise": (("06040101",), None),
    "appointment": (("07010103",), None),
    "inquiry": (
        ("02", "03", "04"),
        (
            "客户咨询{product}的资费标准和办理条件。",
            "客户询问{leaf}相关问题的处理规定和办理流程。",
            "客户咨询本月账单中{amount}元费用的具体构成。",
        ),
    ),
    "request": (
        ("0101", "0102", "0701"),
        (
            "{district}{place}家中{leaf}，请安排人员上门检修。",
            "家中{leaf}，自行排查无果，请尽快协助处理。",
        ),
    ),
}
RESOLUTIONS = {
    "01": (
        "经网管中心核查，附近基站设备故障已于当日修复，已致电客户确认恢复正常。",
        "经现场测试，客户所在位置为弱覆盖区域，已纳入站点优化计划，并为客户开通VoWiFi。",
        "已安排装维人员上门更换光猫并整治线路，客户测试上网正常。",
        "经核查为小区分光器故障，已更换，网络恢复正常。",
    ),
    "02": (
        "经核查详单，费用为客户实际使用产生，已向客户详细解释，客户表示理解。",
        "经核实存在计费差错，已为客户退还{amount}元并致歉。",
        "考虑客户实际情况，已为客户申请减免部分费用，客户认可。",
    ),
    "03": (
        "已协调营业厅按规定为客户办理，业务已生效。",
        "经核实系统处理延迟，已手工处理完成并告知客户。",
        "已向客户解释相关规定并提供线上办理渠道。",
    ),
    "04": (
        "经核实营销宣传存在歧义，已按承诺为客户补发优惠。",
        "已向客户解释套餐资费规则，并为客户推荐更合适的套餐。",
        "活动赠送款已补发到账，已短信告知客户。",
    ),
    "05": (
        "已为客户退订相关SP业务并退还信息费，已对该SP发起违规核查。",
        "经核查客户存在订购记录，已为客户退订并开通增值业务订购二次确认。",
    ),
    "06": (
        "已对相关员工进行批评教育并纳入考核，已向客户致歉。",
        "已优化窗口排班，并向客户致歉，客户表示理解。",
        "已督促装维人员当日上门处理完毕。",
    ),
    "07": (
        "已协调资源部门扩容端口，宽带已安装开通。",
        "已为客户办理移机，并减免移机费用。",
        "经核实已为客户退还多收的宽带费用。",
    ),
    "praise": ("已将表扬转达相关员工所在部门，纳入服务之星评选。",),
    "suggestion": ("感谢客户建议，已转相关部门研究采纳，并向客户反馈。",),
    "appointment": ("已按预约时间安排装维人员上门，客户确认已完成。",),
    "inquiry": ("已向客户详细解答，客户表示清楚。",),
}
