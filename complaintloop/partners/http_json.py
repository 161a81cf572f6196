"""Partner systems over HTTP JSON (the production adapter). One small GET per lookup
with a short timeout; any transport error, timeout, non-2xx status or malformed body
raises ``PartnerError`` so the caller can show "unavailable" and carry on.

Expected answers (the operator's integration layer maps CRM/BOSS/NSP to these):

- directory ``GET {url}/customers/{phone}`` → ``{"plan", "network", "account_status",
  "balance_fen", "since", "credit_level"}`` or 404 when unknown;
- billing ``GET {url}/billing?phone=…&months=3`` → ``{"records": [{"month", "item",
  "amount_fen", "kind", "note"}]}``;
- faults ``GET {url}/faults?city=…&area=…&since=…&until=…`` → ``{"faults": [{"id",
  "city_code", "area", "title", "kind", "start", "end", "services"}]}``.
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

import httpx

from .interfaces import BillingLine, CustomerRef, NetworkFault, Profile

DEFAULT_TIMEOUT = 0.8


class PartnerError(Exception):
    def __init__(self, outcome: str, detail: str = "") -> None:
        super().__init__(detail or outcome)
        self.outcome = outcome  # "timeout" | "error"


_clients: dict[tuple[float, str], httpx.Client] = {}
_clients_lock = threading.Lock()


def _shared_client(timeout: float, headers: dict[str, str]) -> httpx.Client:
    # One pooled client per configuration: building one (TLS context, pool) costs more
    # than a lookup's whole time budget on a busy machine. httpx's sync pool is
    # thread-safe, and lookups run in worker threads.
    key = (timeout, headers.get("Authorization", ""))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = httpx.Client(timeout=timeout, headers=headers)
        return client


class _Client:
    remote = True

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT, token: str = "") -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            client = _shared_client(self.timeout, self.headers)
            response = client.get(self.url + path, params=params)
        except httpx.TimeoutException as exc:
            raise PartnerError("timeout", str(exc)) from exc
        except httpx.HTTPError as exc:
            raise PartnerError("error", str(exc)) from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 300:
            raise PartnerError("error", f"HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise PartnerError("error", "malformed JSON") from exc


def _field(data: dict, key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise PartnerError("error", f"bad field {key!r}")
    return value


class HttpDirectory(_Client):
    def profile(self, customer: CustomerRef) -> Profile | None:
        data = self._get(f"/customers/{customer.phone}")
        if data is None:
            return None
        try:
            return Profile(
                plan=_field(data, "plan", str),
                network=str(data.get("network", "")),
                account_status=str(data.get("account_status", "normal")),
                balance_fen=int(data.get("balance_fen", 0)),
                since=date.fromisoformat(_field(data, "since", str)),
                credit_level=str(data.get("credit_level", "")),
            )
        except (TypeError, ValueError, AttributeError) as exc:
            raise PartnerError("error", f"bad profile: {exc}") from exc


class HttpBilling(_Client):
    def recent(self, customer: CustomerRef, *, months: int = 3) -> list[BillingLine]:
        data = self._get("/billing", {"phone": customer.phone, "months": months}) or {}
        try:
            return [
                BillingLine(
                    month=_field(r, "month", str),
                    item=_field(r, "item", str),
                    amount_fen=int(r["amount_fen"]),
                    kind=str(r.get("kind", "fee")),
                    note=str(r.get("note", "")),
                )
                for r in _field(data, "records", list)
            ]
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise PartnerError("error", f"bad billing: {exc}") from exc


class HttpFaults(_Client):
    def near(
        self, customer: CustomerRef, *, since: datetime, until: datetime
    ) -> list[NetworkFault]:
        params = {
            "city": customer.city_code,
            "area": customer.area,
            "since": since.isoformat(),
            "until": until.isoformat(),
        }
        data = self._get("/faults", params) or {}
        try:
            return [
                NetworkFault(
                    id=_field(f, "id", str),
                    city_code=str(f.get("city_code", customer.city_code)),
                    area=str(f.get("area", "")),
                    title=_field(f, "title", str),
                    kind=str(f.get("kind", "outage")),
                    start=datetime.fromisoformat(_field(f, "start", str)),
                    end=datetime.fromisoformat(f["end"]) if f.get("end") else None,
                    services=tuple(str(s) for s in f.get("services") or ()),
                )
                for f in _field(data, "faults", list)
            ]
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise PartnerError("error", f"bad faults: {exc}") from exc
