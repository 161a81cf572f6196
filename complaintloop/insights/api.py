"""Insights endpoints (R23–R25): hotspots, pivots, alerts, warning notices, problems."""

from datetime import date, datetime

from ninja import Field as SchemaField
from ninja import Router, Schema

from complaintloop.core.schemas import ERRORS

from . import selectors, services
from .models import Alert, Problem, WarningNotice

router = Router(tags=["insights"])


class NoticeIn(Schema):
    responsible_unit: str = SchemaField(max_length=32)
    title: str = SchemaField("", max_length=200)
    body: str = SchemaField("", max_length=5000)
    due_workdays: int = SchemaField(services.NOTICE_DUE_WORKDAYS, ge=1, le=60)


class AlertNoticeIn(Schema):
    responsible_unit: str = SchemaField(max_length=32)
    title: str = SchemaField("", max_length=200)
    body: str = SchemaField("", max_length=5000)
    due_workdays: int = SchemaField(services.NOTICE_DUE_WORKDAYS, ge=1, le=60)


class RespondIn(Schema):
    response: str = SchemaField(max_length=5000)


class CommentIn(Schema):
    comment: str = SchemaField("", max_length=2000)


class ProblemIn(Schema):
    title: str = SchemaField(max_length=200)
    owner: str | None = SchemaField(None, max_length=150)
    category: str | None = SchemaField(None, max_length=32)
    root_cause: str = SchemaField("", max_length=5000)
    tickets: list[str] = SchemaField(default_factory=list, max_length=500)


class AdvanceIn(Schema):
    to: str = SchemaField(max_length=16)
    root_cause: str | None = SchemaField(None, max_length=5000)


class TicketsIn(Schema):
    tickets: list[str] = SchemaField(max_length=500)


class ActionIn(Schema):
    description: str = SchemaField(max_length=2000)
    owner: str | None = SchemaField(None, max_length=150)
    due_at: datetime


def alert_out(a: Alert) -> dict:
    return {
        "id": a.pk,
        "region": a.region.code,
        "region_name": a.region.name,
        "category": a.category.code,
        "category_name": a.category.full_name,
        "day": a.day,
        "observed": a.observed,
        "expected": a.expected,
        "upper_limit": a.upper_limit,
        "score": a.score,
        "method": a.method,
        "status": a.status,
        "evidence": a.evidence,
    }


def _who(staff) -> str | None:
    return staff.username if staff is not None else None


def notice_out(n: WarningNotice, *, trace: bool = False) -> dict:
    out = {
        "id": n.pk,
        "number": n.number,
        "alert": n.alert_id,
        "title": n.title,
        "body": n.body,
        "responsible_unit": n.responsible_unit.code,
        "status": n.status,
        "issued_by": _who(n.issued_by),
        "issued_at": n.issued_at,
        "due_at": n.due_at,
        "response": n.response,
        "responded_by": _who(n.responded_by),
        "responded_at": n.responded_at,
        "closed_by": _who(n.closed_by),
        "closed_at": n.closed_at,
        "remonitor_result": n.remonitor_result,
    }
    if trace:
        out["events"] = [
            {
                "kind": e.kind,
                "actor": _who(e.actor),
                "at": e.at,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "comment": e.comment,
            }
            for e in n.events.all()
        ]
    return out


def problem_out(p: Problem, *, detail: bool = False) -> dict:
    out = {
        "id": p.pk,
        "title": p.title,
        "owner": p.owner.username,
        "status": p.status,
        "root_cause": p.root_cause,
        "category": p.category.code if p.category_id else None,
        "created_at": p.created_at,
        "closed_at": p.closed_at,
    }
    if detail:
        out["tickets"] = [link.ticket.number for link in p.links.all()]
        out["actions"] = [
            {
                "id": a.pk,
                "description": a.description,
                "owner": a.owner.username,
                "due_at": a.due_at,
                "done_at": a.done_at,
            }
            for a in p.actions.all()
        ]
    return out


# --------------------------------------------------------------------------- analysis


@router.get("/insights/hotspots", response={200: dict, **ERRORS})
def hotspots(
    request,
    dimension: str = "category_l2",
    start: date | None = None,
    end: date | None = None,
    limit: int = 10,
):
    return selectors.hotspots(request.auth, dimension=dimension, start=start, end=end, limit=limit)


@router.get("/insights/pivot", response={200: dict, **ERRORS})
def pivot(
    request,
    rows: str = "region",
    cols: str = "category_l1",
    start: date | None = None,
    end: date | None = None,
):
    return selectors.pivot(request.auth, rows=rows, cols=cols, start=start, end=end)


@router.get("/insights/alerts", response={200: list[dict], **ERRORS})
def list_alerts(request, status: str | None = None, limit: int = 100):
    qs = selectors.alerts(request.auth, status=status)
    return [alert_out(a) for a in qs[: max(1, min(limit, 500))]]


class ReasonIn(Schema):
    reason: str = SchemaField(max_length=2000)


@router.get("/insights/alerts/{alert_id}", response={200: dict, **ERRORS})
def get_alert(request, alert_id: int):
    """One alert with its evidence chart: daily counts, expected line, control limit,
    the days that broke it and the days since (re-monitoring)."""
    item = selectors.alert(alert_id, request.auth)
    return {**alert_out(item), "note": item.note, "chart": selectors.evidence_chart(item)}


@router.post("/insights/alerts/{alert_id}/actions/acknowledge", response={200: dict, **ERRORS})
def acknowledge_alert(request, alert_id: int, body: CommentIn):
    services.acknowledge_alert(alert_id, actor=request.auth, comment=body.comment)
    return alert_out(selectors.alert(alert_id, request.auth))


@router.post("/insights/alerts/{alert_id}/actions/dismiss", response={200: dict, **ERRORS})
def dismiss_alert(request, alert_id: int, body: ReasonIn):
    services.dismiss_alert(alert_id, actor=request.auth, reason=body.reason)
    return alert_out(selectors.alert(alert_id, request.auth))


@router.post("/insights/alerts/{alert_id}/notice", response={201: dict, **ERRORS})
def notice_from_alert(request, alert_id: int, body: AlertNoticeIn):
    notice = services.issue_notice(
        services.NoticeIn(alert_id=alert_id, **body.dict()), actor=request.auth
    )
    return 201, notice_out(notice)


# --------------------------------------------------------------------------- notices


@router.get("/insights/notices", response={200: list[dict], **ERRORS})
def list_notices(request, status: str | None = None, limit: int = 100):
    qs = selectors.notices(request.auth, status=status)
    return [notice_out(n) for n in qs[: max(1, min(limit, 500))]]


@router.post("/insights/notices", response={201: dict, **ERRORS})
def issue_notice(request, body: NoticeIn):
    notice = services.issue_notice(services.NoticeIn(**body.dict()), actor=request.auth)
    return 201, notice_out(notice)


@router.get("/insights/notices/{notice_id}", response={200: dict, **ERRORS})
def get_notice(request, notice_id: int):
    return notice_out(selectors.notice(notice_id, request.auth), trace=True)


@router.post("/insights/notices/{notice_id}/actions/respond", response={200: dict, **ERRORS})
def respond_notice(request, notice_id: int, body: RespondIn):
    services.respond(notice_id, actor=request.auth, response=body.response)
    return notice_out(selectors.notice(notice_id, request.auth), trace=True)


@router.post("/insights/notices/{notice_id}/actions/close", response={200: dict, **ERRORS})
def close_notice(request, notice_id: int, body: CommentIn):
    services.close_notice(notice_id, actor=request.auth, comment=body.comment)
    return notice_out(selectors.notice(notice_id, request.auth), trace=True)


# -------------------------------------------------------------------------- problems


@router.get("/insights/problems", response={200: list[dict], **ERRORS})
def list_problems(request, status: str | None = None, limit: int = 100):
    qs = selectors.problems(request.auth)
    if status:
        qs = qs.filter(status=status)
    return [problem_out(p) for p in qs[: max(1, min(limit, 500))]]


@router.post("/insights/problems", response={201: dict, **ERRORS})
def open_problem(request, body: ProblemIn):
    problem = services.open_problem(actor=request.auth, **body.dict())
    return 201, problem_out(selectors.problem(problem.pk, request.auth), detail=True)


@router.get("/insights/problems/{problem_id}", response={200: dict, **ERRORS})
def get_problem(request, problem_id: int):
    return problem_out(selectors.problem(problem_id, request.auth), detail=True)


@router.post("/insights/problems/{problem_id}/actions/advance", response={200: dict, **ERRORS})
def advance_problem(request, problem_id: int, body: AdvanceIn):
    services.advance(problem_id, actor=request.auth, to=body.to, root_cause=body.root_cause)
    return problem_out(selectors.problem(problem_id, request.auth), detail=True)


@router.post("/insights/problems/{problem_id}/tickets", response={200: dict, **ERRORS})
def link_problem_tickets(request, problem_id: int, body: TicketsIn):
    services.link_tickets(problem_id, actor=request.auth, tickets=body.tickets)
    return problem_out(selectors.problem(problem_id, request.auth), detail=True)


@router.post("/insights/problems/{problem_id}/improvements", response={201: dict, **ERRORS})
def add_improvement(request, problem_id: int, body: ActionIn):
    services.add_action(problem_id, actor=request.auth, **body.dict())
    return 201, problem_out(selectors.problem(problem_id, request.auth), detail=True)


@router.post(
    "/insights/problems/{problem_id}/improvements/{action_id}/done",
    response={200: dict, **ERRORS},
)
def complete_improvement(request, problem_id: int, action_id: int):
    services.complete_action(problem_id, action_id, actor=request.auth)
    return problem_out(selectors.problem(problem_id, request.auth), detail=True)


@router.get("/insights/problems/{problem_id}/effect", response={200: dict, **ERRORS})
def problem_effect(request, problem_id: int):
    return selectors.effect(selectors.problem(problem_id, request.auth))
