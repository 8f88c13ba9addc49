"""The web server's outer guard: one ASGI middleware in front of every route of ``create_app``.

In the order it acts on a request:

* **Host allow-list** (DNS rebinding): a page on ``evil.example`` whose name is re-pointed to
  127.0.0.1 reaches the server with ``Host: evil.example``; only the names in the allow-list are
  answered (400 otherwise). By default the localhost names (``localhost``, ``*.localhost``,
  ``127.0.0.1``, ``[::1]``); ``sitroom serve --allow-host NAME`` or ``SITROOM_ALLOWED_HOSTS``
  (comma-separated; ``.example.org`` also allows its sub-domains, ``*`` allows any) when serving
  beyond localhost.
* **Sizes**: a path over 2,048 characters or a query string over 8,192 is refused (414); a body
  over ``max_body`` bytes is refused (413) whether it declares its length or streams it.
* **Query parameters**: every value must be UTF-8 without control characters and at most
  1,000 characters; ``limit`` and ``offset`` must be plain integers from 0 to 2**53 (422 with a
  FastAPI-shaped ``detail`` otherwise). Stricter per-route checks (``limit <= 1000``, dates) stay
  with the routes.
* **Read-only mode**: any method other than GET, HEAD and OPTIONS is refused (403).
* **Read token** (optional, for deployments beyond localhost): every request needs
  ``Authorization: Bearer <read or write token>`` or the ``sitroom_token`` cookie, which a browser
  gets by opening ``/?token=<read token>`` once (HttpOnly, SameSite=Strict). Compared in constant
  time.
* **Security headers on every response**, the guard's own refusals, 404s and 500s included:
  Content-Security-Policy, ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
  Referrer-Policy, Cross-Origin-Opener/Resource-Policy, Permissions-Policy, and
  ``Cache-Control: no-store`` on the API.
* **Internal errors**: an exception that escapes a route is logged and answered with a plain
  500 JSON body (no traceback), with the headers above.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import re
from typing import Any, Iterable
from urllib.parse import parse_qsl, quote, unquote

log = logging.getLogger("sitroom.serve")

MAX_PATH = 2048
MAX_QUERY = 8192
MAX_VALUE = 1000
MAX_INT = 2 ** 53
INT_PARAMS = ("limit", "offset")
LOCAL_HOSTS = ("localhost", ".localhost", "127.0.0.1", "::1")
COOKIE = "sitroom_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class _BodyTooLarge(Exception):
    pass


def split_hosts(value: str | Iterable[str] | None) -> list[str]:
    """Host names from a comma-separated string or a list, normalised (lower case, no port)."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for item in items:
        h = item.strip().lower()
        if h:
            out.append(h if h in ("*",) else _host_only(h) if not h.startswith(".") else h)
    return out


def _host_only(host: str) -> str:
    """``host[:port]`` -> the name or address alone (brackets of an IPv6 literal removed)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host                   # a bare IPv6 address, or a name without port


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    name = _host_only(host).rstrip(".")
    if not name:
        return False
    for a in allowed:
        if a == "*" or a == name or (a.startswith(".") and (name.endswith(a) or name == a[1:])):
            return True
        try:                      # 127.0.0.1 and 127.000.000.001 alike
            if ipaddress.ip_address(a) == ipaddress.ip_address(name):
                return True
        except ValueError:
            pass
    return False


def _detail(loc: str, name: str, msg: str, kind: str = "value_error") -> list[dict[str, Any]]:
    return [{"type": kind, "loc": [loc, name], "msg": msg}]


def check_query(raw: bytes) -> list[dict[str, Any]] | None:
    """FastAPI-shaped error details for a bad query string, or None when it is acceptable."""
    try:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, errors="strict",
                          encoding="latin-1")     # bytes kept as they are; decoded strictly below
    except ValueError as exc:
        return _detail("query", "-", f"malformed query string: {exc}")
    for k_raw, v_raw in pairs:
        try:
            key = k_raw.encode("latin-1").decode("utf-8")
            value = v_raw.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return _detail("query", k_raw[:50], "not UTF-8 text")
        if _CONTROL.search(key) or _CONTROL.search(value):
            return _detail("query", key[:50], "control characters are not allowed")
        if len(value) > MAX_VALUE or len(key) > 100:
            return _detail("query", key[:50], f"longer than {MAX_VALUE} characters", "string_too_long")
        if key in INT_PARAMS:
            v = value.strip()
            if not (v.isascii() and v.isdigit()) or int(v) > MAX_INT:
                return _detail("query", key, f"must be an integer from 0 to {MAX_INT}", "int_parsing")
    return None


class Guard:
    """ASGI middleware; see the module docstring. Add it last (outermost)."""

    def __init__(self, app, *, csp: str, allowed_hosts: Iterable[str] | None = None,
                 read_token: str | None = None, write_token: str | None = None,
                 read_only: bool = False, max_body: int = 1_000_000) -> None:
        self.app = app
        self.csp = csp
        self.allowed = split_hosts(LOCAL_HOSTS if allowed_hosts is None else allowed_hosts)
        self.read_token = read_token or None
        self.write_token = write_token or None
        self.read_only = read_only
        self.max_body = max_body

    # ------------------------------------------------------------ headers

    def _headers(self, path: str, existing: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        have = {k.lower() for k, _ in existing}
        add = [(b"content-security-policy", self.csp.encode()),
               (b"x-content-type-options", b"nosniff"),
               (b"x-frame-options", b"DENY"),
               (b"referrer-policy", b"strict-origin-when-cross-origin"),
               (b"cross-origin-opener-policy", b"same-origin"),
               (b"cross-origin-resource-policy", b"same-origin"),
               (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()")]
        if path.startswith("/api/"):
            add.append((b"cache-control", b"no-store"))
        forced = {b"x-content-type-options", b"x-frame-options"}
        out = [(k, v) for k, v in existing if k.lower() not in forced]
        out += [(k, v) for k, v in add if k in forced or k not in have]
        return out

    async def _reply(self, send, status: int, body: Any, path: str, extra: list[tuple[bytes, bytes]] = ()) -> None:
        data = json.dumps({"detail": body}, ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *extra]
        await send({"type": "http.response.start", "status": status, "headers": self._headers(path, headers)})
        await send({"type": "http.response.body", "body": data})

    # ------------------------------------------------------------ checks

    def _token_ok(self, given: str) -> bool:
        given_b = given.encode("utf-8", "surrogateescape")
        ok = False
        for t in (self.read_token, self.write_token):   # every token compared: no early exit
            if t is not None and hmac.compare_digest(given_b, t.encode()):
                ok = True
        return ok

    def _authorised(self, headers: dict[bytes, bytes]) -> bool:
        auth = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, given = auth.partition(" ")
        if scheme.lower() == "bearer" and self._token_ok(given.strip()):
            return True
        for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and self._token_ok(unquote(value)):
                return True
        return False

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path") or "/"
        headers = {}
        for k, v in scope.get("headers") or []:
            headers.setdefault(k.lower(), v)
        started = False

        async def guarded_send(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = dict(message, headers=self._headers(path, list(message.get("headers") or [])))
            await send(message)

        host = headers.get(b"host", b"").decode("latin-1")
        if not host_allowed(host, self.allowed):
            await self._reply(send, 400, "this server does not answer to that Host name (see sitroom serve "
                                         "--allow-host)", path)
            return
        if len(scope.get("raw_path") or path.encode()) > MAX_PATH:
            await self._reply(send, 414, f"the path is longer than {MAX_PATH} characters", path)
            return
        query = scope.get("query_string") or b""
        if len(query) > MAX_QUERY:
            await self._reply(send, 414, f"the query string is longer than {MAX_QUERY} characters", path)
            return
        bad = check_query(query)
        if bad:
            await self._reply(send, 422, bad, path)
            return
        method = scope.get("method", "GET").upper()
        if self.read_only and method not in SAFE_METHODS:
            await self._reply(send, 403, "this server is read-only", path)
            return
        if self.read_token and method != "OPTIONS" and path != "/favicon.ico":
            if path == "/" and method == "GET":
                given = dict(parse_qsl(query.decode("latin-1"))).get("token")
                if given is not None:
                    if not self._token_ok(given):
                        await self._reply(send, 401, "wrong token", path)
                        return
                    cookie = f"{COOKIE}={quote(given, safe='')}; Path=/; HttpOnly; SameSite=Strict"
                    await send({"type": "http.response.start", "status": 303, "headers": self._headers(
                        path, [(b"location", b"/"), (b"set-cookie", cookie.encode()), (b"content-length", b"0")])})
                    await send({"type": "http.response.body", "body": b""})
                    return
            if not self._authorised(headers):
                await self._reply(send, 401, "a read token is needed: Authorization: Bearer <token>, "
                                             "or open /?token=<token> once in the browser", path,
                                  [(b"www-authenticate", b"Bearer")])
                return
        declared = headers.get(b"content-length", b"").strip()
        if declared:
            if not declared.isdigit():
                await self._reply(send, 400, "invalid Content-Length", path)
                return
            if int(declared) > self.max_body:
                await self._reply(send, 413, f"the body is larger than {self.max_body} bytes", path)
                return
        seen = 0

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body") or b"")
                if seen > self.max_body:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._reply(send, 413, f"the body is larger than {self.max_body} bytes", path)
        except Exception:  # noqa: BLE001 - logged; the client gets a bare 500 with the headers
            if started:             # mid-stream: nothing to replace; the server closes the connection
                raise
            log.exception("internal error on %s %s", method, path)
            await self._reply(send, 500, "internal server error", path)


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def add_guard(app, *, csp: str, token: str | None, max_body: int, allowed_hosts: Iterable[str] | None = None,
              read_token: str | None = None, read_only: bool | None = None,
              cors_origins: Iterable[str] | None = None) -> bool:
    """Put CORS (only when origins are configured) and the :class:`Guard` in front of ``app``;
    arguments left ``None`` come from ``SITROOM_ALLOWED_HOSTS``, ``SITROOM_READ_TOKEN``,
    ``SITROOM_READ_ONLY`` and ``SITROOM_CORS_ORIGINS``. Returns whether the app is read-only."""
    if allowed_hosts is None and os.environ.get("SITROOM_ALLOWED_HOSTS"):
        allowed_hosts = split_hosts(os.environ["SITROOM_ALLOWED_HOSTS"])
    if read_token is None:
        read_token = os.environ.get("SITROOM_READ_TOKEN") or None
    if read_only is None:
        read_only = _env_flag("SITROOM_READ_ONLY")
    if cors_origins is None:
        cors_origins = [o.strip() for o in os.environ.get("SITROOM_CORS_ORIGINS", "").split(",") if o.strip()]
    cors_origins = list(cors_origins)
    if cors_origins:            # closed unless configured: without it no Access-Control-* header is sent
        from starlette.middleware.cors import CORSMiddleware
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_credentials=False,
                           allow_methods=["GET"] if read_only else ["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    app.add_middleware(Guard, csp=csp, allowed_hosts=allowed_hosts, read_token=read_token, write_token=token,
                       read_only=read_only, max_body=max_body)
    return read_only


def is_loopback(host: str) -> bool:
    """True for names and addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    h = host.strip().strip("[]").lower()
    if h in ("localhost", "localhost.localdomain") or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False
