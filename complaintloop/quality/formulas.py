"""The building blocks of indicator formulas: whitelisted ticket filters and duration
specs, validated into field errors and turned into ORM ``Q`` objects. Nothing here
evaluates user text; unknown keys are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q

from complaintloop.customers.models import CustomerLevel
from complaintloop.tickets.models import Channel, EventKind, Status, Ticket, TicketEvent

SATISFACTION_VALUES = ("satisfied", "neutral", "dissatisfied")
# A complaint from the same customer within this window counts as a repeat (重复投诉).
REPEAT_WINDOW = timedelta(days=30)

# Code lists: a single code or a list of codes.
CHOICE_KEYS = {
    "order_type": None,  # checked against OrderType codes by services
    "channel": set(Channel.values),
    "customer_level": set(CustomerLevel.values),
    "status": set(Status.values),
    "satisfaction": set(SATISFACTION_VALUES),
}
# A code whose subtree is meant (category by Category.path, region by Unit.path).
TREE_KEYS = ("category", "region")


def _flag_queries() -> dict[str, Q]:
    replied_event = TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.REPLIED)
    earlier = Ticket.objects.filter(
        customer=OuterRef("customer"),
        order_type=OuterRef("order_type"),
        created_at__lt=OuterRef("created_at"),
        created_at__gte=OuterRef("created_at") - REPEAT_WINDOW,
    )
    return {
        "is_fcr": Q(is_fcr=True),
        "is_pre_handled": Q(is_pre_handled=True),
        "second_handling": Q(second_handling=True),
        "supervised": Q(is_supervised=True),
        "escalated": Q(escalation_level__gt=0),
        # 已处理: the handling unit replied at least once, or solved at first contact.
        "handled": Q(is_fcr=True) | Q(Exists(replied_event)),
        "replied": Q(resolved_at__isnull=False),
        "closed": Q(closed_at__isnull=False),
        "replied_on_time": Q(resolved_at__isnull=False)
        & (Q(due_at__isnull=True) | Q(resolved_at__lte=F("due_at"))),
        "overdue": Q(resolved_at__gt=F("due_at"))
        | Q(resolved_at__isnull=True, closed_at__gt=F("due_at")),
        "responded": Q(first_response_at__isnull=False),
        "responded_on_time": Q(first_response_at__isnull=False)
        & (
            Q(first_response_due_at__isnull=True)
            | Q(first_response_at__lte=F("first_response_due_at"))
        ),
        "sla_breached": Q(sla_state="breached"),
        "reopened": Q(reopen_count__gt=0),
        "transferred": Q(transfer_count__gt=0),
        "returned": Q(return_count__gt=0),
        "urged": Q(urge_count__gt=0),
        "suspended": Q(suspended_minutes__gt=0),
        "called_back": ~Q(satisfaction=""),
        "repeat": Q(reopen_count__gt=0) | Q(Exists(earlier)),
    }


FLAG_KEYS = (
    "is_fcr",
    "is_pre_handled",
    "second_handling",
    "supervised",
    "escalated",
    "handled",
    "replied",
    "closed",
    "replied_on_time",
    "overdue",
    "responded",
    "responded_on_time",
    "sla_breached",
    "reopened",
    "transferred",
    "returned",
    "urged",
    "suspended",
    "called_back",
    "repeat",
)
ANY_KEY = "any"
FILTER_KEYS = (*CHOICE_KEYS, *TREE_KEYS, *FLAG_KEYS, ANY_KEY)

TIMESTAMPS = (
    "created_at",
    "first_response_due_at",
    "first_response_at",
    "due_at",
    "resolved_at",
    "closed_at",
)
MINUTE_COLUMNS = ("suspended_minutes",)
BASES = ("working", "natural")


def _codes(value: Any) -> list[str] | None:
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return value
    return None


def filter_errors(spec: Any, *, where: str, depth: int = 0) -> dict[str, list[str]]:
    """Field errors of a filter spec (shape and keys only; codes are checked by
    services against the reference tables)."""
    if not isinstance(spec, dict):
        return {where: ["应为对象 / must be an object"]}
    errors: dict[str, list[str]] = {}
    for key, value in spec.items():
        field = f"{where}.{key}"
        if key not in FILTER_KEYS:
            errors[field] = [f"不支持的条件 / unknown key; allowed: {', '.join(FILTER_KEYS)}"]
        elif key in CHOICE_KEYS:
            codes = _codes(value)
            allowed = CHOICE_KEYS[key]
            if codes is None:
                errors[field] = ["应为编码或编码列表 / must be a code or a list of codes"]
            elif allowed is not None and not set(codes) <= allowed:
                errors[field] = [f"未知取值 / unknown value; allowed: {', '.join(sorted(allowed))}"]
        elif key in TREE_KEYS:
            if not isinstance(value, str) or not value:
                errors[field] = ["应为编码 / must be a code"]
        elif key in FLAG_KEYS:
            if not isinstance(value, bool):
                errors[field] = ["应为 true/false / must be a boolean"]
        elif key == ANY_KEY:
            if depth > 0 or not isinstance(value, list) or not value:
                errors[field] = ["应为条件列表(仅一层)/ must be a non-empty list, one level"]
            else:
                for i, sub in enumerate(value):
                    errors.update(filter_errors(sub, where=f"{field}.{i}", depth=depth + 1))
    return errors


def duration_errors(spec: Any, *, where: str = "duration") -> dict[str, list[str]]:
    if not isinstance(spec, dict) or not spec:
        return {where: ["需要时长定义 / a duration spec is required"]}
    if "column" in spec:
        if set(spec) != {"column"} or spec["column"] not in MINUTE_COLUMNS:
            return {where: [f"column 应为 {', '.join(MINUTE_COLUMNS)}"]}
        return {}
    errors: dict[str, list[str]] = {}
    unknown = set(spec) - {"from", "to", "basis"}
    if unknown:
        errors[where] = [f"不支持的键 / unknown keys: {', '.join(sorted(unknown))}"]
    for end in ("from", "to"):
        if spec.get(end) not in TIMESTAMPS:
            errors[f"{where}.{end}"] = [f"应为 {', '.join(TIMESTAMPS)}"]
    if spec.get("basis", "working") not in BASES:
        errors[f"{where}.basis"] = ["应为 working 或 natural"]
    if spec.get("from") and spec.get("from") == spec.get("to"):
        errors[f"{where}.to"] = ["起止字段相同 / from and to are the same"]
    return errors


def to_q(spec: dict, *, paths: dict[tuple[str, str], str | None]) -> Q:
    """The ``Q`` of a validated filter; ``paths`` maps (key, code) of tree keys to the
    node's path (None when the code is unknown: then nothing matches)."""
    flags = _flag_queries()
    q = Q()
    for key, value in spec.items():
        if key in CHOICE_KEYS:
            column = "order_type__code" if key == "order_type" else key
            q &= Q(**{f"{column}__in": _codes(value)})
        elif key in TREE_KEYS:
            path = paths.get((key, value))
            if path is None:
                q &= Q(pk__in=[])
            else:
                q &= Q(**{f"{key}_path__startswith": path})
        elif key in FLAG_KEYS:
            q &= flags[key] if value else ~flags[key]
        elif key == ANY_KEY:
            either = Q(pk__in=[])
            for sub in value:
                either |= to_q(sub, paths=paths)
            q &= either
    return q


def tree_codes(*specs: dict) -> dict[str, set[str]]:
    """The category and region codes a set of filters mentions."""
    found: dict[str, set[str]] = {key: set() for key in TREE_KEYS}
    for spec in specs:
        for key, value in spec.items():
            if key in TREE_KEYS and isinstance(value, str):
                found[key].add(value)
            elif key == ANY_KEY and isinstance(value, list):
                for sub_key, codes in tree_codes(*value).items():
                    found[sub_key] |= codes
    return found
