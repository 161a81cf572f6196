"""Queue reads: open work items in the actor's data scope, by tab, filter and sort."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from complaintloop.channels.models import Transcription
from complaintloop.core import clock
from complaintloop.org.models import Staff
from complaintloop.routing.models import Urgency
from complaintloop.taxonomy.models import Category
from complaintloop.tickets import search as fulltext
from complaintloop.tickets.models import SlaState, Status, Ticket, WorkItem

TABS = [
    ("mine", _("我的待办")),
    ("unit", _("本单位队列")),
    ("pending", _("未签收")),
    ("near", _("临近超时")),
    ("breached", _("已超时")),
    ("suspended", _("已挂起")),
    ("transcribe", _("待转写")),
]
TAB_KEYS = [key for key, _label in TABS]

# Sort keys a page may ask for, mapped to columns; anything else falls back to due_at.
SORTS = {
    "due_at": ("due_at",),
    "created_at": ("ticket__created_at",),
    "number": ("ticket__number",),
    "status": ("ticket__status",),
    "unit": ("unit__path",),
    "urgency": ("ticket__urgency",),
    "level": ("ticket__customer_level",),
}
PAGE_SIZE = 50


def tab_q(tab: str, actor: Staff) -> Q:
    """The condition of one tab over open, visible work items."""
    unit_path = actor.unit.path if actor.unit_id else None
    if tab == "mine":
        q = Q(staff=actor)
        if actor.unit_id:
            q |= Q(unit_id=actor.unit_id, staff__isnull=True)
        return q
    if tab == "unit":
        return Q(unit_path__startswith=unit_path) if unit_path else Q(pk__in=[])
    if tab == "pending":
        return Q(accepted_at__isnull=True, ticket__status=Status.PENDING)
    if tab == "near":
        return Q(sla_state=SlaState.NEAR)
    if tab == "breached":
        return Q(sla_state=SlaState.BREACHED) | Q(due_at__lt=clock.now())
    if tab == "suspended":
        return Q(ticket__status=Status.SUSPENDED)
    if tab == "transcribe":
        # Voicemail and fax tickets nobody has written down yet (a small table).
        return Q(ticket_id__in=Transcription.objects.filter(done_at=None).values("ticket_id"))
    return Q()


def base(actor: Staff) -> QuerySet[WorkItem]:
    return WorkItem.objects.visible_to(actor).open()


def tab_counts(actor: Staff) -> dict[str, int]:
    """Every tab's count, and the actor's unit's unaccepted items, in one aggregate query."""
    counts = {key: Count("id", filter=tab_q(key, actor)) for key in TAB_KEYS}
    counts["unit_pending"] = Count("id", filter=tab_q("unit", actor) & tab_q("pending", actor))
    return base(actor).aggregate(**counts)


@dataclass
class QueueQuery:
    """What a queue page asks for, parsed from (and written back to) the query string."""

    tab: str = "mine"
    status: str = ""
    category: str = ""
    urgency: str = ""
    phone: str = ""
    q: str = ""
    sort: str = "due_at"
    after: str = ""  # keyset cursors (keyset.encode), not page numbers
    before: str = ""
    errors: list[str] = field(default_factory=list)

    FILTERS = ("status", "category", "urgency", "phone", "q")

    @classmethod
    def parse(cls, params) -> QueueQuery:
        query = cls()
        tab = params.get("tab", "mine")
        query.tab = tab if tab in TAB_KEYS or tab == "all" else "mine"
        status = params.get("status", "")
        query.status = status if status in Status.values else ""
        urgency = params.get("urgency", "")
        query.urgency = urgency if urgency in Urgency.values else ""
        query.category = params.get("category", "").strip()[:32]
        query.phone = params.get("phone", "").strip()[:20]
        query.q = params.get("q", "").strip()[:100]
        sort = params.get("sort", "due_at")
        query.sort = sort if sort.lstrip("-") in SORTS else "due_at"
        # Cursors are opaque; a malformed one just starts from the first page.
        query.after = params.get("after", "").strip()[:200]
        query.before = "" if query.after else params.get("before", "").strip()[:200]
        return query

    def params(self, **overrides) -> dict[str, str]:
        data = {
            "tab": self.tab,
            **{name: getattr(self, name) for name in self.FILTERS},
            "sort": self.sort,
            "after": self.after,
            "before": self.before,
        }
        data.update(overrides)
        return {k: str(v) for k, v in data.items() if v not in ("", None)}

    def querystring(self, **overrides) -> str:
        return urlencode(self.params(**overrides))

    @property
    def filtered(self) -> bool:
        return any(getattr(self, name) for name in self.FILTERS)


def sort_column(query: QueueQuery) -> tuple[str, bool]:
    """(column, descending) of the page's sort."""
    return SORTS[query.sort.lstrip("-")][0], query.sort.startswith("-")


def items(actor: Staff, query: QueueQuery) -> QuerySet[WorkItem]:
    """Open work items of one tab with the page's filters and sort; unknown category
    codes leave the list empty instead of failing."""
    qs = base(actor)
    if query.tab != "all":
        qs = qs.filter(tab_q(query.tab, actor))
    if query.status:
        qs = qs.filter(ticket__status=query.status)
    if query.urgency:
        qs = qs.filter(ticket__urgency=query.urgency)
    if query.category:
        path = Category.objects.filter(code=query.category).values_list("path", flat=True).first()
        qs = qs.filter(ticket__category_path__startswith=path) if path else qs.none()
    if query.phone:
        qs = qs.filter(ticket__customer__phone=query.phone)
    if query.q:
        if re.fullmatch(r"TS\d{8,}", query.q):
            qs = qs.filter(ticket__number=query.q)
        else:
            # Chinese full-text search over description and trace comments (R32).
            matching = fulltext.filter_text(Ticket.objects.all(), query.q)
            qs = qs.filter(ticket__in=matching.values("pk"))
    columns = SORTS[query.sort.lstrip("-")]
    descending = query.sort.startswith("-")
    order = [f"-{c}" if descending else c for c in columns]
    return qs.select_related(
        "ticket__category",
        "ticket__owner_unit",
        "ticket__owner_staff",
        "unit",
        "staff",
    ).order_by(*order, "id")
