"""Requests to addresses that users typed in (calendar feeds, CalDAV servers, webhook URLs).

A user-supplied URL must not become a way into the machine's own network (SSRF): every hop
of a request, redirects included, is resolved once, each address checked against the
networks that are never reached (loopback, private, link-local and cloud metadata, ...)
unless ``OUTBOUND_ALLOWED_NETWORKS`` lets them in, and the connection is made to the
address that was checked, so a name that resolves differently a moment later (DNS
rebinding) changes nothing. Every request has a deadline and a size cap.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

__all__ = ["Fetched", "OutboundError", "UnsafeURL", "fetch", "url_check"]

_REDIRECTS = {301, 302, 303, 307, 308}
_SCHEMES = {"http": 80, "https": 443}
_CHUNK = 64 * 1024


class UnsafeURL(ValueError):
    """The URL is not one Consult will request; the message says why, for the user."""


class OutboundError(Exception):
    """The request could not be completed (connection, timeout, size); worth retrying."""


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    url: str


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(value, strict=False)
        for value in getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", [])
    ]


def _address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return True
    # is_global is False for loopback, RFC 1918, link-local (169.254.169.254, the cloud
    # metadata address), shared CGNAT, documentation and reserved ranges alike.
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"The name {host} could not be found.") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("This is not a valid web address.") from exc
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise UnsafeURL("Only http:// and https:// addresses can be used.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("This address has no host name.")
    if parts.username or parts.password:
        raise UnsafeURL("Put credentials in their own fields, not in the address.")
    port = port or _SCHEMES[scheme]
    addresses = _resolve(host, port)
    for text in addresses:
        if not _address_allowed(ipaddress.ip_address(text.split("%")[0])):
            raise UnsafeURL(
                "This address points into a private network, which Consult does not reach."
            )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(scheme, host, port, addresses[0], path)


def url_check(url: str) -> None:
    """Raise ``UnsafeURL`` (or ``OutboundError`` if the name does not resolve) for a URL
    Consult will not request; for checking a form field before saving it."""
    _target(url)


def _pool(target: _Target, timeout: urllib3.Timeout) -> urllib3.HTTPConnectionPool:
    if target.scheme == "https":
        # Connect to the checked address; TLS still verifies the certificate for the name.
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.HTTPConnectionPool(
        target.address, target.port, timeout=timeout, retries=False
    )


def _read_capped(
    response: urllib3.BaseHTTPResponse, *, max_bytes: int, deadline: float
) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.stream(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise OutboundError(f"The response is larger than {max_bytes} bytes.")
        if time.monotonic() > deadline:
            raise OutboundError("The server took too long to answer.")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(  # noqa: PLR0913 -- keyword-only, each a limit of the request
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10.0,
    max_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = 3,
) -> Fetched:
    """Request ``url`` under the rules above; redirects are followed (each hop checked).

    Raises ``UnsafeURL`` for an address Consult does not reach and ``OutboundError`` when
    the request fails, takes longer than ``timeout`` seconds in all, or the answer is larger
    than ``max_bytes``. Any HTTP status is returned, not raised.
    """
    deadline = time.monotonic() + timeout
    headers = dict(headers or {})
    for _hop in range(max_redirects + 1):
        target = _target(url)
        remaining = max(deadline - time.monotonic(), 0.1)
        pool = _pool(target, urllib3.Timeout(connect=remaining, read=remaining))
        default_port = _SCHEMES[target.scheme] == target.port
        host_header = target.host if default_port else f"{target.host}:{target.port}"
        try:
            response = pool.urlopen(
                method,
                target.path,
                body=body,
                headers={"Host": host_header, **headers},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                content = _read_capped(response, max_bytes=max_bytes, deadline=deadline)
            finally:
                response.release_conn()
        except urllib3.exceptions.HTTPError as exc:
            raise OutboundError(f"The request failed: {type(exc).__name__}.") from exc
        finally:
            pool.close()
        location = response.headers.get("Location")
        if response.status in _REDIRECTS and location:
            url = urljoin(url, location)
            if response.status == 303 or (
                response.status in {301, 302} and method == "POST"
            ):
                method, body = "GET", None
            continue
        return Fetched(
            status=response.status,
            headers={key.lower(): value for key, value in response.headers.items()},
            body=content,
            url=url,
        )
    raise OutboundError(f"More than {max_redirects} redirects.")
