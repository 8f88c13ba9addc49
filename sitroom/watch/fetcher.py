"""The polite HTTP client of ``sitroom watch``.

* robots.txt is fetched once per site (kept for an hour) and honoured for every listing and
  article, with its Crawl-delay (RFC 9309: a 4xx robots.txt allows everything; a 5xx or an
  unreachable one disallows the site until it can be read);
* one request at a time, and at least ``delay`` seconds between two requests to the same host;
* conditional GET: ``If-None-Match`` / ``If-Modified-Since`` from the last answer, 304 understood;
* a timeout per socket operation, an overall deadline per request and a size limit on the body;
* retries with exponential backoff on timeouts, connection errors and 5xx answers;
* ``Retry-After`` honoured on 429 and 503: a short wait is waited, a long one blocks the host
  until then (the caller leaves that host's articles for a later round);
* private, loopback and link-local addresses refused on the first request and on every redirect,
  unless ``allow_private`` (the address checks are :mod:`sitroom.ingest.fetch`'s).

Waiting goes through ``wait(seconds) -> bool`` (True when stopped), so a stop request (SIGTERM,
Ctrl-C) interrupts a politeness delay at once.
"""
from __future__ import annotations

import email.utils
import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from typing import Callable

from ..ingest.fetch import MAX_REDIRECTS, FetchError, build_opener, check_url

USER_AGENT = "sitroom-watch/0.1 (conflict news monitoring; polite: robots.txt, one request per host at a time)"
ROBOTS_TTL = 3600.0
ROBOTS_RETRY = 300.0


class Stopped(Exception):
    """A stop was requested while waiting."""


class FetchFailed(Exception):
    """A request that gave no usable answer. ``transient``: worth trying again later."""

    def __init__(self, detail: str, *, status: int | None = None, transient: bool = False,
                 result: str = "error", retry_after: float | None = None, url: str | None = None):
        super().__init__(detail)
        self.status = status
        self.transient = transient
        self.result = result              # error, refused, robots, blocked, too_large, timeout
        self.retry_after = retry_after
        self.url = url


@dataclass
class Answer:
    url: str
    final_url: str
    status: int
    data: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class FetchSettings:
    delay: float = 2.0                # seconds between two requests to one host
    timeout: float = 20.0             # per socket operation
    deadline: float = 60.0            # per request, all of it
    max_bytes: int = 5_000_000
    retries: int = 2                  # more tries after the first, on transient failures
    backoff: float = 2.0              # first retry after this, doubling
    max_wait: float = 30.0            # longest Retry-After waited in place; longer blocks the host
    allow_private: bool = False       # any private address (an intranet's sources)
    allow_loopback: bool = False      # 127.0.0.0/8 and ::1 only, every other private address refused (tests)
    robots: bool = True
    user_agent: str = USER_AGENT


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def check_target(url: str, s: "FetchSettings") -> None:
    """Refuse ``url`` (FetchError) unless its scheme is http(s) and its host's addresses are public,
    or private with ``allow_private``, or loopback with ``allow_loopback``."""
    try:
        check_url(url, s.allow_private)
    except FetchError:
        if not s.allow_loopback or s.allow_private:
            raise
        host = urllib.parse.urlsplit(url).hostname or ""
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise
        import ipaddress
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            if not ip.is_loopback:
                raise
        if not infos:
            raise


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Every redirect target checked with :func:`check_target` before it is followed (ordered
    before the opener's own redirect handler, which therefore never runs)."""
    handler_order = 100
    max_redirections = MAX_REDIRECTS

    def __init__(self, settings: "FetchSettings"):
        super().__init__()
        self.s = settings

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        newurl = urllib.parse.urljoin(req.full_url, newurl)
        try:
            check_target(newurl, self.s)
        except FetchError as exc:
            raise FetchError(f"refused redirect to {newurl}: {exc}") from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser | None     # None: everything allowed
    disallow_all: bool
    fetched: float
    ttl: float


class PoliteFetcher:
    def __init__(self, settings: FetchSettings | None = None, *,
                 wait: Callable[[float], bool] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 on_fetch: Callable[[dict], None] | None = None) -> None:
        self.s = settings or FetchSettings()
        self._wait = wait or (lambda secs: time.sleep(secs) or False)
        self.clock = clock
        self.on_fetch = on_fetch
        self.next_ok: dict[str, float] = {}          # host -> earliest time of the next request
        self.blocked_until: dict[str, float] = {}    # host -> Retry-After too long to wait
        self.host_delay: dict[str, float] = {}       # host -> Crawl-delay when longer than ours
        self._robots: dict[str, _Robots] = {}
        self.requests: list[tuple[str, float]] = []  # (url, clock at start): what was asked, when
        self._opener = build_opener(self.s.allow_private or self.s.allow_loopback)
        self._opener.add_handler(_CheckedRedirects(self.s))

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def host_of(url: str) -> str:
        p = urllib.parse.urlsplit(url)
        return (p.hostname or "").lower() + (f":{p.port}" if p.port else "")

    def blocked(self, url: str) -> float | None:
        """Seconds until ``url``'s host may be asked again after a long Retry-After, else None."""
        until = self.blocked_until.get(self.host_of(url))
        if until is None:
            return None
        left = until - self.clock()
        if left <= 0:
            self.blocked_until.pop(self.host_of(url), None)
            return None
        return left

    def _sleep(self, secs: float) -> None:
        if secs > 0 and self._wait(secs):
            raise Stopped()

    def _polite_wait(self, host: str) -> None:
        left = self.next_ok.get(host, 0.0) - self.clock()
        if left > 0:
            self._sleep(left)

    def _log(self, **rec) -> None:
        if self.on_fetch:
            self.on_fetch(rec)

    # ---------------------------------------------------------------- robots.txt

    def allowed(self, url: str, source_id: int | None = None) -> bool:
        if not self.s.robots:
            return True
        p = urllib.parse.urlsplit(url)
        origin = f"{p.scheme.lower()}://{p.netloc.lower()}"
        r = self._robots.get(origin)
        if r is None or self.clock() - r.fetched > r.ttl:
            r = self._load_robots(origin, source_id)
            self._robots[origin] = r
        if r.disallow_all:
            return False
        if r.parser is None:
            return True
        return r.parser.can_fetch(self.s.user_agent, url)

    def _load_robots(self, origin: str, source_id: int | None) -> _Robots:
        url = origin + "/robots.txt"
        now = self.clock()
        try:
            ans = self.get(url, kind="robots", source_id=source_id, check_robots=False, retries=0)
        except FetchFailed as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return _Robots(None, False, now, ROBOTS_TTL)        # no robots.txt: all allowed
            return _Robots(None, True, now, ROBOTS_RETRY)           # unreadable: not now
        rp = urllib.robotparser.RobotFileParser(url)
        rp.parse(ans.data.decode(ans.charset or "utf-8", errors="replace").splitlines())
        delay = rp.crawl_delay(self.s.user_agent)
        if delay:
            try:
                self.host_delay[self.host_of(url)] = min(float(delay), 600.0)
            except (TypeError, ValueError):
                pass
        return _Robots(rp, False, now, ROBOTS_TTL)

    # ---------------------------------------------------------------- GET

    def get(self, url: str, *, kind: str = "article", source_id: int | None = None,
            etag: str | None = None, last_modified: str | None = None, check_robots: bool = True,
            retries: int | None = None, first_seen=None) -> Answer:
        """GET ``url`` politely; a 304 comes back as an :class:`Answer` with ``not_modified``.
        Raises :class:`FetchFailed` (or :class:`Stopped`)."""
        try:
            check_target(url, self.s)
        except FetchError as exc:
            self._log(source_id=source_id, kind=kind, url=url, status=None, result="refused",
                      detail=str(exc), first_seen=first_seen)
            raise FetchFailed(str(exc), result="refused", url=url) from None
        if check_robots and not self.allowed(url, source_id):
            self._log(source_id=source_id, kind=kind, url=url, status=None, result="robots",
                      detail="disallowed by robots.txt", first_seen=first_seen)
            raise FetchFailed("disallowed by robots.txt", result="robots", url=url)
        host = self.host_of(url)
        left = self.blocked(url)
        if left is not None:
            raise FetchFailed(f"host {host} asked us to wait {left:.0f} s more (Retry-After)",
                              result="blocked", transient=True, retry_after=left, url=url)
        tries = 1 + (self.s.retries if retries is None else retries)
        last: FetchFailed | None = None
        for attempt in range(1, tries + 1):
            self._polite_wait(host)
            started = self.clock()
            self.requests.append((url, started))
            try:
                ans = self._once(url, etag, last_modified)
                ans.attempts = attempt
                self._done(host, started)
                self._log(source_id=source_id, kind=kind, url=url, final_url=ans.final_url, status=ans.status,
                          etag=ans.etag, last_modified=ans.last_modified, elapsed=ans.elapsed,
                          bytes=len(ans.data), result="not_modified" if ans.not_modified else "ok",
                          detail=None, first_seen=first_seen)
                return ans
            except FetchFailed as exc:
                self._done(host, started)
                exc.url = url
                self._log(source_id=source_id, kind=kind, url=url, status=exc.status, result=exc.result,
                          detail=str(exc), elapsed=self.clock() - started, first_seen=first_seen)
                last = exc
                if not exc.transient or attempt == tries:
                    break
                wait = self.s.backoff * (2 ** (attempt - 1))
                if exc.retry_after is not None:
                    if exc.retry_after > self.s.max_wait:
                        self.blocked_until[host] = self.clock() + exc.retry_after
                        break
                    wait = max(wait, exc.retry_after)
                self._sleep(wait)
        assert last is not None
        if last.retry_after is not None and last.retry_after > 0 and host not in self.blocked_until:
            self.blocked_until[host] = self.clock() + last.retry_after
        raise last

    def _done(self, host: str, started: float) -> None:
        delay = max(self.s.delay, self.host_delay.get(host, 0.0))
        self.next_ok[host] = max(self.clock(), started) + delay

    def _once(self, url: str, etag: str | None, last_modified: str | None) -> Answer:
        headers = {"User-Agent": self.s.user_agent, "Accept-Encoding": "identity",
                   "Accept": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
                             "application/xml;q=0.9,text/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        req = urllib.request.Request(url, headers=headers)
        t0 = self.clock()
        deadline = t0 + self.s.deadline
        try:
            resp = self._opener.open(req, timeout=min(self.s.timeout, self.s.deadline))
        except urllib.error.HTTPError as exc:
            status = exc.code
            h = exc.headers
            try:
                exc.close()
            except Exception:  # noqa: BLE001
                pass
            if status == 304:
                return Answer(url, exc.geturl() or url, 304, etag=(h.get("ETag") if h else None) or etag,
                              last_modified=(h.get("Last-Modified") if h else None) or last_modified,
                              elapsed=self.clock() - t0)
            ra = parse_retry_after(h.get("Retry-After") if h else None) if status in (429, 503) else None
            transient = status in (408, 425, 429, 500, 502, 503, 504)
            raise FetchFailed(f"HTTP {status} {exc.reason}", status=status, transient=transient,
                              retry_after=ra) from None
        except FetchError as exc:           # a refused address or redirect
            raise FetchFailed(str(exc), result="refused") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, FetchError):
                raise FetchFailed(str(reason), result="refused") from None
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise FetchFailed(f"timed out after {self.s.timeout:g} s", transient=True, result="timeout") from None
            raise FetchFailed(f"cannot connect: {reason}", transient=True) from None
        except (TimeoutError, socket.timeout):
            raise FetchFailed(f"timed out after {self.s.timeout:g} s", transient=True, result="timeout") from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise FetchFailed(f"cannot fetch: {exc or type(exc).__name__}", transient=True) from None
        with resp:
            length = resp.headers.get("Content-Length")
            if length and length.strip().isdigit() and int(length) > self.s.max_bytes:
                raise FetchFailed(f"too large: {int(length)} bytes (limit {self.s.max_bytes})",
                                  status=resp.status, result="too_large")
            chunks: list[bytes] = []
            size = 0
            try:
                while True:
                    left = deadline - self.clock()
                    if left <= 0:
                        raise FetchFailed(f"deadline of {self.s.deadline:g} s passed while reading",
                                          status=resp.status, transient=True, result="timeout")
                    sock = getattr(getattr(getattr(resp, "fp", None), "raw", None), "_sock", None)
                    if sock is not None:
                        sock.settimeout(min(self.s.timeout, left))
                    chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > self.s.max_bytes:
                        raise FetchFailed(f"too large: more than {self.s.max_bytes} bytes",
                                          status=resp.status, result="too_large")
            except (TimeoutError, socket.timeout):
                raise FetchFailed(f"timed out after {self.s.timeout:g} s while reading", status=resp.status,
                                  transient=True, result="timeout") from None
            except (OSError, http.client.HTTPException) as exc:
                raise FetchFailed(f"connection broke while reading: {exc or type(exc).__name__}",
                                  status=resp.status, transient=True) from None
            ctype = resp.headers.get_content_type() if resp.headers.get("Content-Type") else ""
            return Answer(url, resp.geturl(), resp.status, b"".join(chunks), ctype.lower(),
                          resp.headers.get_content_charset(), resp.headers.get("ETag"),
                          resp.headers.get("Last-Modified"), self.clock() - t0)
