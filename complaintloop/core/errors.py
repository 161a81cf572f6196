"""Typed domain errors with a stable code and a translated message.

The API and pages map them to HTTP statuses in one place (``complaintloop.api``)."""

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "fields": self.fields}


class Invalid(DomainError):
    """Input that is well-formed but not acceptable (missing field, unknown value)."""

    status = 422


class NotFound(DomainError):
    """Absent, or out of the actor's data scope: both look the same on purpose."""

    status = 404


class Conflict(DomainError):
    """The operation is not allowed in the current state, or lost a race."""

    status = 409


class Forbidden(DomainError):
    """The actor's role may not perform this operation on a ticket it can see."""

    status = 403
