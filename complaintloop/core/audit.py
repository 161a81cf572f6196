"""Audit trail (R33): unmasked PII views, exports, and every configuration change.

The audit log is append-only (model guard here, database triggers in core 0004). Who
changed a configuration row is taken from the request being served (``ActorMiddleware``)
or from ``acting_as`` in tasks and commands; a change with neither is the system's.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from . import clock
from .models import AuditLog

# The request being served, read lazily: API token auth sets request.user inside the
# view, after every middleware has run.
_request: ContextVar[Any] = ContextVar("audit_request", default=None)
_actor: ContextVar[Any] = ContextVar("audit_actor", default=None)

SECRET_VALUE = "***"
# Longer texts (a BPMN document, a template body) are logged by length and digest: the
# versioned row keeps the text itself, the log proves which one was there.
LONG_TEXT = 500


def record(actor: Any, action: str, obj: Any, **detail: Any) -> AuditLog:
    return AuditLog.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower if hasattr(obj, "_meta") else str(type(obj).__name__),
        # A model class stands for its table as a whole (e.g. a calendar import).
        object_id="" if isinstance(obj, type) else str(getattr(obj, "pk", obj)),
        detail=detail,
    )


def export(actor: Any, kind: str, /, **detail: Any) -> AuditLog:
    """A file of tickets or figures left the system (CSV, XLSX, PDF): who, what, which
    filters (R33)."""
    return AuditLog.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=f"export.{kind}",
        object_type="export",
        object_id=kind,
        detail={k: _plain(v) for k, v in detail.items()},
    )


def current_actor() -> Any:
    """Who is acting now: ``acting_as`` first, then the signed-in user of the request."""
    actor = _actor.get()
    if actor is not None:
        return actor
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


class ActorMiddleware:
    """Makes the request's user the actor of configuration changes made while serving it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


# -- configuration changes ------------------------------------------------------------


@dataclass(frozen=True)
class Watched:
    fields: tuple[str, ...] | None  # None: every concrete field
    ignore: frozenset[str]
    secret: frozenset[str]


_watched: dict[type[Model], Watched] = {}


def _plain(value: Any) -> Any:
    if isinstance(value, str) and len(value) > LONG_TEXT:
        digest = hashlib.sha256(value.encode()).hexdigest()[:16]
        return f"<{len(value)} chars, sha256 {digest}…>"
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    return str(value)


def _attnames(model: type[Model], spec: Watched) -> list[str]:
    names = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in spec.ignore:
            continue
        if spec.fields is None or field.name in spec.fields:
            names.append(field.attname)
    return names


def _only_ignored(spec: Watched, update_fields: Iterable[str] | None) -> bool:
    return update_fields is not None and set(update_fields) <= spec.ignore


def _before(sender, instance: Model, raw: bool = False, update_fields=None, **kwargs) -> None:
    spec = _watched.get(sender)
    if spec is None or raw or instance.pk is None or _only_ignored(spec, update_fields):
        return
    instance._audit_before = (
        sender._base_manager.filter(pk=instance.pk).values(*_attnames(sender, spec)).first()
    )


def _shown(spec: Watched, attname: str, value: Any) -> Any:
    name = attname.removesuffix("_id")
    return SECRET_VALUE if name in spec.secret or attname in spec.secret else _plain(value)


def _after(
    sender, instance: Model, created: bool, raw: bool = False, update_fields=None, **kwargs
) -> None:
    spec = _watched.get(sender)
    if spec is None or raw or _only_ignored(spec, update_fields):
        return
    now = {a: getattr(instance, a) for a in _attnames(sender, spec)}
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if created or before is None:
        changes = {a: [None, _shown(spec, a, v)] for a, v in now.items() if v not in (None, "")}
        action = "config.created"
    else:
        changes = {
            a: [_shown(spec, a, before[a]), _shown(spec, a, v)]
            for a, v in now.items()
            if before.get(a) != v
        }
        action = "config.changed"
        if not changes:
            return
    record(current_actor(), action, instance, label=str(instance)[:120], changes=changes)


def _deleted(sender, instance: Model, **kwargs) -> None:
    if sender in _watched:
        record(current_actor(), "config.deleted", instance, label=str(instance)[:120])


def _m2m(sender, instance: Model, action: str, model, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if type(instance) not in _watched:
        return
    names = sorted(str(o) for o in model._base_manager.filter(pk__in=pk_set or ())) or None
    relation = sender._meta.model_name
    record(
        current_actor(),
        "config.permissions",
        instance,
        label=str(instance)[:120],
        relation=relation,
        change=action.removeprefix("post_"),
        items=names,
    )


def watch_configuration(
    model: type[Model],
    *,
    fields: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    secret: Iterable[str] = (),
    m2m: Iterable[str] = (),
) -> None:
    """Audit every create, change and delete of ``model``'s rows (and of its many-to-many
    ``m2m`` relations), with before and after values; ``secret`` fields show as ***."""
    _watched[model] = Watched(
        fields=tuple(fields) if fields is not None else None,
        ignore=frozenset(ignore),
        secret=frozenset(secret),
    )
    uid = f"audit-config-{model._meta.label_lower}"
    pre_save.connect(_before, sender=model, dispatch_uid=uid)
    post_save.connect(_after, sender=model, dispatch_uid=uid)
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    for name in m2m:
        through = getattr(model, name).through
        m2m_changed.connect(_m2m, sender=through, dispatch_uid=f"{uid}-{name}")


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"
