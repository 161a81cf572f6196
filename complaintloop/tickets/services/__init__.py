"""Every state change of a ticket goes through these functions (one transaction each)."""

from .assignment import assign
from .assist import complete_assistance, request_assistance
from .edit import reclassify
from .intake import NewTicket, create
from .lifecycle import (
    accept,
    callback,
    close,
    comment,
    dispatch,
    files_attached,
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
    "assign",
    "callback",
    "close",
    "comment",
    "complete_assistance",
    "create",
    "dispatch",
    "escalate",
    "files_attached",
    "link",
    "merge",
    "reclassify",
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
