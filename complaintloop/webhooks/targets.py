"""Where a webhook may be sent: public addresses only, unless
``WEBHOOK_ALLOW_PRIVATE_TARGETS`` says the receivers live on the internal network.

A subscription URL whose host is (or resolves to) a loopback, link-local, private,
shared (CGNAT), unspecified, multicast or otherwise non-public address, a cloud
metadata address among them, would let whoever manages subscriptions make the server
POST into its own network. The host is checked when a subscription is saved, again
before each delivery, and once more at connect time on the address actually connected
to, so a name re-pointed to an internal address after the check (DNS rebinding) is not
followed."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpcore
from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services (AWS/GCP/Azure/OpenStack, Alibaba Cloud, AWS over IPv6):
# named so the refusal says what it is; the ranges rule would refuse them as well.
METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Blocked(Exception):
    """The target is not a public address (the message says which and why)."""


def allow_private() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE_TARGETS)


def _embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    # IPv6 forms that carry an IPv4 address: mapped, 6to4, Teredo (client), NAT64.
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` may not receive webhooks, or None for a public unicast address."""
    inner = _embedded_v4(ip)
    if inner is not None:
        return refusal(inner)
    if ip in METADATA:
        return _("云主机元数据地址")
    if ip.is_unspecified:
        return _("未指定地址")
    if ip.is_loopback:
        return _("本机回环地址")
    if ip.is_link_local:
        return _("链路本地地址")
    if ip.is_multicast:
        return _("组播地址")
    if ip.is_private:
        return _("内网地址")
    if not ip.is_global:
        return _("非公网地址")
    return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise LookupError(host) from exc
    # Scope ids ("fe80::1%eth0") are dropped: the address decides.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 0
    return host, port


def _checked(host: str, addresses: list[IPAddress]) -> list[IPAddress]:
    if not addresses:
        raise Blocked(_("无法解析主机 %(host)s") % {"host": host})
    if allow_private():
        return addresses
    # One internal address among public ones is enough to refuse the name.
    for ip in addresses:
        reason = refusal(ip)
        if reason:
            raise Blocked(
                _("%(host)s 指向%(reason)s %(ip)s,不能作为推送地址")
                % {"host": host, "reason": reason, "ip": ip}
            )
    return addresses


def public_addresses(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` resolves to; Blocked if any of them is not public
    (unless private targets are allowed) or the name does not resolve."""
    try:
        addresses = _resolve(host, port)
    except LookupError as exc:
        raise Blocked(_("无法解析主机 %(host)s") % {"host": host}) from exc
    return _checked(host, addresses)


def check_url(url: str, *, unresolvable_ok: bool) -> None:
    """Blocked unless the URL's host is public (or private targets are allowed).
    ``unresolvable_ok``: a name not (yet) in DNS passes, as when a subscription is
    saved before its receiver is deployed; each delivery checks again."""
    if allow_private():
        return
    host, port = _host_port(url)
    if not host:
        raise Blocked(_("推送地址缺少主机名"))
    try:
        addresses = _resolve(host, port)
    except LookupError as exc:
        if unresolvable_ok:
            return
        raise Blocked(_("无法解析主机 %(host)s") % {"host": host}) from exc
    _checked(host, addresses)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses it has just checked:
    the name is resolved here, once, so what is checked is what is connected to."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        error: Exception | None = None
        for ip in public_addresses(host, port):
            try:
                return super().connect_tcp(
                    str(ip),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc  # the next address, as socket.create_connection would
        assert error is not None  # noqa: S101 (public_addresses returns at least one)
        raise error
