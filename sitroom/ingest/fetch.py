"""Fetching a URL safely (standard library only).

* only ``http`` and ``https``;
* every address the host resolves to is checked; private, loopback, link-local, reserved,
  multicast and unspecified addresses are refused unless ``allow_private``;
* the connection goes to the address that was checked (no second DNS look-up that could answer
  differently), and every redirect is checked the same way (scheme and addresses);
* environment proxies are ignored (a proxy would hide where the request really goes);
* an overall deadline (``timeout``, default 20 s) over the whole download, every redirect hop
  included: a watchdog shuts the sockets down when it passes, so a server that drips a byte a
  second (in its headers or its body) is cut off, not only one that goes silent;
* a size cap (``max_bytes``; ``Content-Length`` is checked first, then the body is read in
  pieces and abandoned as soon as it passes ``max_bytes``: a 1 GB body costs ``max_bytes``).
"""
from __future__ import annotations

import functools
import http.client
import threading
import time
import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

USER_AGENT = "sitroom/0.1 (news event extraction; +https://example.invalid/sitroom)"
DEFAULT_TIMEOUT = 20.0
MAX_REDIRECTS = 5


class FetchError(Exception):
    """A URL that was refused or could not be fetched; ``str()`` is a one-line message."""


class TooLarge(FetchError):
    def __init__(self, size: int | None):
        super().__init__("too large")
        self.size = size


@dataclass
class Fetched:
    url: str                    # final URL after redirects
    data: bytes
    content_type: str           # media type, lower case, without parameters ("" if none)
    charset: str | None


def _bad_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for attr, what in (("is_loopback", "loopback"), ("is_link_local", "link-local"),
                       ("is_multicast", "multicast"), ("is_unspecified", "unspecified"),
                       ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(ip, attr):
            return what
    if not ip.is_global:
        return "non-public"
    return None


def check_scheme(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"refused URL scheme {scheme + ':' if scheme else '(none)'}"
                         " (only http and https)")
    if not parts.hostname:
        raise FetchError("refused URL without a host name")
    return parts


def resolve_checked(host: str, port: int, allow_private: bool) -> list[tuple]:
    """getaddrinfo results for ``host``; FetchError if any address is not public (unless allowed)."""
    if not allow_private:
        try:
            literal = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
        except ValueError:
            literal = None
        what = _bad_address(literal) if literal is not None else None
        if what:                    # refuse IP literals without asking the resolver at all
            raise FetchError(f"refused URL: host {host} is a {what} address"
                             " (use --allow-private to fetch it)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host}: {exc}") from None
    if not infos:
        raise FetchError(f"cannot resolve host {host}")
    if not allow_private:
        for info in infos:
            addr = info[4][0].split("%", 1)[0]
            try:
                ip = ipaddress.ip_address(addr)
            except ValueError:
                raise FetchError(f"refused host {host}: unrecognised address {addr}") from None
            what = _bad_address(ip)
            if what:
                shown = host if host == addr else f"{host} ({addr})"
                raise FetchError(f"refused URL: host {shown} is a {what} address"
                                 " (use --allow-private to fetch it)")
    return infos


def check_url(url: str, allow_private: bool) -> list[tuple]:
    """Scheme and address checks without connecting; returns the resolved addresses."""
    parts = check_scheme(url)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise FetchError("refused URL with an invalid port") from None
    return resolve_checked(parts.hostname, port, allow_private)


class _Watchdog:
    """Shuts down every socket of one fetch when its deadline passes (blocking reads then end)."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                sock.close()
                raise TimeoutError("deadline passed")
            self._socks.append(sock)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._socks:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cancel(self) -> None:
        self._timer.cancel()


def _pinned_create_connection(allow_private: bool, address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT,
                              source_address=None, watchdog: _Watchdog | None = None):
    """``socket.create_connection`` that connects only to checked addresses."""
    host, port = address
    infos = resolve_checked(host, port, allow_private)
    last: OSError | None = None
    for family, socktype, proto, _canon, sockaddr in infos:
        sock = socket.socket(family, socktype, proto)
        if watchdog is not None:
            watchdog.add(sock)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            last = exc
            sock.close()
    raise last or OSError(f"cannot connect to {host}")


def _connection_factory(cls, allow_private: bool, watchdog: _Watchdog | None = None):
    def make(host, **kwargs):
        conn = cls(host, **kwargs)
        conn._create_connection = functools.partial(_pinned_create_connection, allow_private,
                                                    watchdog=watchdog)
        return conn
    return make


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow_private: bool, watchdog: _Watchdog | None = None):
        super().__init__()
        self.allow_private = allow_private
        self.watchdog = watchdog

    def http_open(self, req):
        return self.do_open(_connection_factory(http.client.HTTPConnection, self.allow_private,
                                                self.watchdog), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow_private: bool, watchdog: _Watchdog | None = None):
        super().__init__()
        self.allow_private = allow_private
        self.watchdog = watchdog

    def https_open(self, req):
        return self.do_open(_connection_factory(http.client.HTTPSConnection, self.allow_private,
                                                self.watchdog), req, context=self._context)


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def __init__(self, allow_private: bool):
        super().__init__()
        self.allow_private = allow_private

    def http_error_302(self, req, fp, code, msg, headers):
        where = headers.get("location") or headers.get("uri")
        if where:       # checked here first: urllib's own refusal of other schemes reads as an HTTP error
            newurl = urllib.parse.urljoin(req.full_url, where.strip())
            try:
                check_url(newurl, self.allow_private)
            except FetchError as exc:
                raise FetchError(f"refused redirect to {newurl[:200]}: {exc}") from None
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        try:
            check_url(newurl, self.allow_private)
        except FetchError as exc:
            raise FetchError(f"refused redirect to {newurl}: {exc}") from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def build_opener(allow_private: bool, watchdog: _Watchdog | None = None) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _HTTPHandler(allow_private, watchdog), _HTTPSHandler(allow_private, watchdog),
        _RedirectHandler(allow_private),
    )


def _read_capped(resp, max_bytes: int, watchdog: _Watchdog) -> bytes:
    """The body, read in pieces; TooLarge as soon as it passes ``max_bytes``."""
    buf = bytearray()
    while True:
        if watchdog.remaining() <= 0:
            raise TimeoutError()
        piece = resp.read1(65536)
        if not piece:
            if watchdog.expired:        # the watchdog's shutdown reads as an end of file
                raise TimeoutError()
            return bytes(buf)
        buf += piece
        if len(buf) > max_bytes:
            raise TooLarge(None)


def fetch(url: str, *, allow_private: bool = False, max_bytes: int = 5_000_000,
          timeout: float = DEFAULT_TIMEOUT) -> Fetched:
    """Fetch ``url``; raises :class:`FetchError` (or :class:`TooLarge`) with a one-line message."""
    check_url(url, allow_private)          # clear refusal before any connection is made
    watchdog = _Watchdog(timeout)
    opener = build_opener(allow_private, watchdog)
    req = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
                  "application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5",
    })
    try:
        with opener.open(req, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.strip().isdigit() and int(length) > max_bytes:
                raise TooLarge(int(length))
            data = _read_capped(resp, max_bytes, watchdog)
            ctype = resp.headers.get_content_type() if resp.headers.get("Content-Type") else ""
            charset = resp.headers.get_content_charset()
            return Fetched(resp.geturl(), data, ctype.lower(), charset)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP error {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, FetchError):
            raise reason from None
        if watchdog.expired or isinstance(reason, TimeoutError):
            raise FetchError(f"cannot fetch URL: no complete answer within {timeout:g} s") from None
        raise FetchError(f"cannot fetch URL: {reason}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.expired or isinstance(exc, TimeoutError):     # socket.timeout is TimeoutError
            raise FetchError(f"cannot fetch URL: no complete answer within {timeout:g} s") from None
        raise FetchError(f"cannot fetch URL: {exc or type(exc).__name__}") from None
    finally:
        watchdog.cancel()
