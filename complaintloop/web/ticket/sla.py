"""How a deadline reads on a page: remaining (or overdue) time and its colour."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from complaintloop.tickets.models import SlaState


def span(minutes: int) -> str:
    minutes = abs(minutes)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s小时%(m)s分") % {"h": hours, "m": mins}
    return _("%(m)s分") % {"m": mins}


def badge(
    due: datetime | None, state: str, now: datetime, *, closed: bool = False, paused: bool = False
) -> dict:
    """``cls`` is ok/near/breached; ``text`` the server-rendered countdown that the
    page's ticker refreshes from ``due`` (ISO) every 30 s."""
    if due is None or closed:
        return {"cls": "", "text": "—", "due": ""}
    if paused:
        # Suspended: the clock stops and the deadline moves on resume.
        return {"cls": "", "text": _("已暂停计时"), "due": ""}
    minutes = int((due - now).total_seconds() // 60)
    if minutes < 0:
        cls, text = SlaState.BREACHED.value, _("超时 %(t)s") % {"t": span(minutes)}
    else:
        cls = SlaState.NEAR.value if state == SlaState.NEAR else SlaState.OK.value
        if state == SlaState.BREACHED:
            cls = SlaState.BREACHED.value
        text = _("剩余 %(t)s") % {"t": span(minutes)}
    return {"cls": cls, "text": text, "due": due.isoformat()}
