"""Every state change of a ticket goes through these functions (one transaction each)."""

from .assist import complete_assistance, request_assistance
from .intake import NewTicket, create
from .lifecycle import (
    accept,
    callback,
    close,
    comment,
    dispatch,
    reopen,
    reply,
    resume,
    return_,
    suspend,
    transfer,
)
from .oversight import escalate, sla_sweep, supervise, urge
from .relations import link, merge, set_parent

__all__ = [
    "NewTicket",
    "accept",
    "callback",
    "close",
    "comment",
    "complete_assistance",
    "create",
    "dispatch",
    "escalate",
    "link",
    "merge",
    "reopen",
    "reply",
    "request_assistance",
    "resume",
    "return_",
    "set_parent",
    "sla_sweep",
    "supervise",
    "suspend",
    "transfer",
    "urge",
]
