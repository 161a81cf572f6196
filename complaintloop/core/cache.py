"""A small per-process TTL cache for reference data read on every intake (order
types, categories, units, active process versions). Entries live a few seconds, so an
admin's change shows up quickly in every process; writers clear it in-process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_registry: list[dict] = []
_lock = threading.Lock()
_MISSING = object()


def ttl_cached(seconds: float = 10.0) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        store: dict[Any, tuple[float, Any]] = {}
        _registry.append(store)

        @wraps(fn)
        def inner(*args: Any) -> Any:
            hit = store.get(args, _MISSING)
            now = time.monotonic()
            if hit is not _MISSING and now - hit[0] < seconds:  # type: ignore[index]
                return hit[1]  # type: ignore[index]
            value = fn(*args)
            with _lock:
                store[args] = (now, value)
            return value

        inner.cache_clear = store.clear  # type: ignore[attr-defined]
        return inner  # type: ignore[return-value]

    return wrap


def clear_all() -> None:
    with _lock:
        for store in _registry:
            store.clear()
