"""Simulated CRM/BOSS/NSP for the demo and tests: the same customer always gets the
same plan and bills (seeded from the phone number), and network faults come from what
the demo data contains (the 徐州 云龙区 outage found in its tickets) plus a few routine
faults per city and week, so the intake panel tells a consistent story."""

from __future__ import annotations

import hashlib
import random
import statistics
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from complaintloop.core import clock

from .interfaces import BillingLine, CustomerRef, NetworkFault, Profile

# The demo's seeded outage (demo.generator): region-wide loss of signal in 徐州 云龙区.
OUTAGE_CITY = "XZ"
OUTAGE_AREA = "云龙区"
OUTAGE_CATEGORY = "01010102"
OUTAGE_CACHE_SECONDS = 600
OUTAGE_LOOKBACK_DAYS = 200

PLANS = (
    ("5G畅享套餐 128元", 12800, "5G"),
    ("5G智享套餐 198元", 19800, "5G"),
    ("全球通尊享套餐 288元", 28800, "5G"),
    ("4G飞享套餐 58元", 5800, "4G"),
    ("4G飞享套餐 38元", 3800, "4G"),
    ("融合宽带套餐 169元", 16900, "5G"),
)
VALUE_ADDED = (
    ("视频彩铃包月", 1000),
    ("手机阅读包月", 500),
    ("游戏点播", 600),
    ("来电提醒", 300),
)
AREAS_BY_CITY = {
    "NJ": ("鼓楼区", "玄武区", "秦淮区", "建邺区", "江宁区", "栖霞区", "雨花台区", "浦口区"),
    "SZ": ("姑苏区", "工业园区", "吴中区", "相城区", "虎丘区", "吴江区"),
    "XZ": ("云龙区", "鼓楼区", "泉山区", "铜山区", "贾汪区"),
    "WX": ("梁溪区", "滨湖区", "新吴区", "锡山区", "惠山区"),
    "CZ": ("天宁区", "钟楼区", "新北区", "武进区", "金坛区"),
}
ROUTINE_FAULTS = (
    ("outage", "光缆中断,%(area)s部分小区宽带及4G/5G业务中断", ("broadband", "mobile")),
    ("degraded", "%(area)s基站拥塞,晚高峰上网速率下降", ("mobile",)),
    ("maintenance", "%(area)s核心网割接,凌晨业务短时中断", ("mobile", "voice")),
    ("degraded", "%(area)s传输设备告警,部分用户通话断续", ("voice",)),
)


def _rng(*parts: object) -> random.Random:
    # A stable seed (not hash(), which is salted per process) so every web process and
    # every run gives the same answer for the same customer.
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _months_back(today: date, n: int) -> list[str]:
    out, year, month = [], today.year, today.month
    for _ in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(f"{year:04d}-{month:02d}")
    return out


def _plan(customer: CustomerRef) -> tuple[str, int, str]:
    """The customer's plan, the same in the CRM and on the BOSS bills."""
    if customer.level == "vip":
        return PLANS[2]
    return PLANS[_rng("plan", customer.phone).randrange(len(PLANS))]


class SimulatedDirectory:
    remote = False

    def profile(self, customer: CustomerRef) -> Profile | None:
        rng = _rng("crm", customer.phone)
        plan, _fee, network = _plan(customer)
        status = "arrears" if rng.random() < 0.08 else "normal"
        balance = -rng.randrange(100, 8000) if status == "arrears" else rng.randrange(0, 30000)
        return Profile(
            plan=plan,
            network=network,
            account_status=status,
            balance_fen=balance,
            since=date(2008, 1, 1) + timedelta(days=rng.randrange(6000)),
            credit_level=rng.choice(("一星", "二星", "三星", "四星", "五星")),
        )


class SimulatedBilling:
    remote = False

    def recent(self, customer: CustomerRef, *, months: int = 3) -> list[BillingLine]:
        rng = _rng("boss", customer.phone)
        plan, fee, _network = _plan(customer)
        # One value-added subscription for some customers: the classic SP billing dispute.
        extra = VALUE_ADDED[rng.randrange(len(VALUE_ADDED))] if rng.random() < 0.35 else None
        lines: list[BillingLine] = []
        for month in _months_back(clock.localtime().date(), months):
            month_rng = _rng("boss", customer.phone, month)
            lines.append(BillingLine(month, plan, fee, "fee"))
            if month_rng.random() < 0.3:
                over = month_rng.randrange(300, 6000)
                lines.append(BillingLine(month, "套餐外流量", over, "overage"))
            if extra is not None:
                lines.append(BillingLine(month, extra[0], extra[1], "value_added", "SP代收费"))
            if month_rng.random() < 0.1:
                lines.append(
                    BillingLine(month, "话费补偿", -month_rng.randrange(500, 3000), "adjustment")
                )
        return lines


def _aware(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())


def seeded_outages() -> list[NetworkFault]:
    """The outage the demo data contains, located from its tickets: the day with by far
    the most region-wide no-signal complaints in 徐州 (cached; one indexed query)."""
    cached = cache.get("partners:seeded_outages")
    if cached is not None:
        return cached
    from complaintloop.tickets.models import Ticket

    tz = timezone.get_current_timezone()
    since = clock.now() - timedelta(days=OUTAGE_LOOKBACK_DAYS)
    rows = list(
        Ticket.objects.filter(
            category__code=OUTAGE_CATEGORY,
            region__code=OUTAGE_CITY,
            created_at__gte=since,
        )
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"), first=Min("created_at"), last=Max("created_at"))
        .order_by()
    )
    faults: list[NetworkFault] = []
    if rows:
        peak = max(rows, key=lambda r: r["n"])
        usual = statistics.median([r["n"] for r in rows if r is not peak] or [0])
        if peak["n"] >= 10 and peak["n"] >= 4 * max(usual, 1):
            first = timezone.localtime(peak["first"], tz)
            last = timezone.localtime(peak["last"], tz)
            # The network fails some minutes before the first call comes in.
            start = first.replace(minute=first.minute - first.minute % 10, second=0) - timedelta(
                minutes=10
            )
            end = (last + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
            faults.append(
                NetworkFault(
                    id=f"NSP-{OUTAGE_CITY}-{start:%Y%m%d}-001",
                    city_code=OUTAGE_CITY,
                    area=OUTAGE_AREA,
                    title=f"{OUTAGE_AREA}基站退服,区域性无信号",
                    kind="outage",
                    start=start.replace(microsecond=0),
                    end=end,
                    services=("mobile", "voice"),
                )
            )
    cache.set("partners:seeded_outages", faults, OUTAGE_CACHE_SECONDS)
    return faults


def routine_faults(city_code: str, since: datetime, until: datetime) -> list[NetworkFault]:
    """One routine fault per city and ISO week, in a deterministic area, day and hour."""
    areas = AREAS_BY_CITY.get(city_code)
    if not areas:
        return []
    faults = []
    day = timezone.localtime(since).date() - timedelta(days=7)
    last = timezone.localtime(until).date()
    seen: set[tuple[int, int]] = set()
    while day <= last:
        week = day.isocalendar()[:2]
        day += timedelta(days=1)
        if week in seen:
            continue
        seen.add(week)
        rng = _rng("nsp", city_code, *week)
        kind, title, services = ROUTINE_FAULTS[rng.randrange(len(ROUTINE_FAULTS))]
        area = areas[rng.randrange(len(areas))]
        monday = date.fromisocalendar(week[0], week[1], 1)
        start_day = monday + timedelta(days=rng.randrange(7))
        hour = 1 if kind == "maintenance" else rng.randrange(7, 21)
        start = _aware(start_day, time(hour, rng.choice((0, 15, 30, 45))))
        end = start + timedelta(minutes=rng.choice((90, 150, 240, 360)))
        faults.append(
            NetworkFault(
                id=f"NSP-{city_code}-{start:%Y%m%d}-{rng.randrange(100, 999)}",
                city_code=city_code,
                area=area,
                title=title % {"area": area},
                kind=kind,
                start=start,
                end=end,
                services=services,
            )
        )
    return [f for f in faults if f.start < until and (f.end is None or f.end > since)]


class SimulatedFaults:
    remote = False

    def near(
        self, customer: CustomerRef, *, since: datetime, until: datetime
    ) -> list[NetworkFault]:
        if not customer.city_code:
            return []
        found = [
            f
            for f in seeded_outages()
            if f.city_code == customer.city_code
            and f.start < until
            and (f.end is None or f.end > since)
        ]
        found += routine_faults(customer.city_code, since, until)
        return sorted(found, key=lambda f: f.start, reverse=True)
