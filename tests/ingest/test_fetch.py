"""Fetching against hostile servers on 127.0.0.1 (``allow_private=True`` where the test needs the
loopback address itself): an overall deadline (a server that drips a byte at a time is cut off),
a size cap (a 1 GB body is cut at the limit), every redirect re-checked, only http(s)."""
from __future__ import annotations

import http.server
import threading
import time

import pytest

from sitroom.ingest import fetch as fetch_mod
from sitroom.ingest.fetch import FetchError, TooLarge, fetch

SERVE_LIMIT = 15.0     # no handler runs longer than this, whatever the client does


class _Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sent: dict[str, int] = {}

    def log_message(self, *args):
        pass

    def _drip(self, data: bytes, pause: float) -> None:
        end = time.monotonic() + SERVE_LIMIT
        for i in range(len(data)):
            if time.monotonic() > end:
                return
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()
            time.sleep(pause)

    def do_GET(self):  # noqa: N802
        port = self.server.server_address[1]
        path = self.path
        try:
            if path == "/ok":
                body = b"Shelling was reported in Idlib on Monday, residents said."
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif path == "/drip-body":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self._drip(b"x" * 100000, 0.05)
            elif path == "/drip-headers":
                self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: " + b"y" * 10000, 0.05)
            elif path == "/silent":
                time.sleep(min(SERVE_LIMIT, 5))
            elif path == "/huge-declared":
                self.send_response(200)
                self.send_header("Content-Length", str(10 ** 9))
                self.end_headers()
                self.wfile.write(b"z" * 1000)
            elif path == "/huge-chunked":       # 1 GB in chunks, no length declared
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"w" * 65536
                sent = 0
                end = time.monotonic() + SERVE_LIMIT
                while sent < 10 ** 9 and time.monotonic() < end:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
                    _Hostile.sent[path] = sent
                self.wfile.write(b"0\r\n\r\n")
            elif path.startswith("/hop/"):      # /hop/N redirects N more times, then /ok
                n = int(path.rsplit("/", 1)[1])
                self._redirect(f"http://127.0.0.1:{port}/hop/{n - 1}" if n > 0 else f"http://127.0.0.1:{port}/ok")
            elif path.startswith("/to?"):
                self._redirect(path.split("?", 1)[1].replace("PORT", str(port)))
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass                # the client gave up: what these tests want

    def _redirect(self, where: str) -> None:
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_plain_fetch_works(server):
    got = fetch(server + "/ok", allow_private=True)
    assert got.data.startswith(b"Shelling") and got.content_type == "text/plain" and got.charset == "utf-8"


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers", "/silent"])
def test_overall_deadline_cuts_off_a_dripping_server(server, path):
    t0 = time.monotonic()
    with pytest.raises(FetchError, match=r"within 1\.5 s"):
        fetch(server + path, allow_private=True, timeout=1.5)
    assert time.monotonic() - t0 < 4.0       # the deadline, not the per-read socket timeout


def test_declared_huge_body_refused_before_reading(server):
    t0 = time.monotonic()
    with pytest.raises(TooLarge) as exc:
        fetch(server + "/huge-declared", allow_private=True, max_bytes=100_000)
    assert exc.value.size == 10 ** 9 and time.monotonic() - t0 < 2


def test_undeclared_huge_body_cut_at_the_limit(server):
    t0 = time.monotonic()
    with pytest.raises(TooLarge):
        fetch(server + "/huge-chunked", allow_private=True, max_bytes=200_000, timeout=10)
    assert time.monotonic() - t0 < 5
    time.sleep(0.3)
    # the client stopped reading at the limit: the server could only push what the socket buffers hold
    assert _Hostile.sent.get("/huge-chunked", 0) < 50_000_000


def test_redirects_followed_up_to_the_limit(server):
    got = fetch(server + "/hop/3", allow_private=True)
    assert got.url.endswith("/ok") and got.data.startswith(b"Shelling")
    with pytest.raises(FetchError, match="redirect"):
        fetch(server + f"/hop/{fetch_mod.MAX_REDIRECTS + 3}", allow_private=True)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/",
                                    "data:text/plain,hello", "javascript:alert(1)"])
def test_redirect_to_another_scheme_refused(server, target):
    with pytest.raises(FetchError, match="refused"):
        fetch(server + "/to?" + target, allow_private=True)


@pytest.mark.parametrize("target", ["http://127.0.0.2:PORT/ok", "http://10.0.0.1/x", "http://[::1]:PORT/ok",
                                    "http://[::ffff:127.0.0.2]:PORT/ok", "http://169.254.169.254/latest/meta-data/",
                                    "http://0.0.0.0:PORT/ok", "http://[::]:PORT/ok"])
def test_every_redirect_rechecked_against_the_address_rules(server, target, monkeypatch):
    # the first hop (127.0.0.1) passes as if it were public; where it redirects is checked for real
    real = fetch_mod._bad_address
    monkeypatch.setattr(fetch_mod, "_bad_address", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    assert fetch(server + "/ok").data.startswith(b"Shelling")
    with pytest.raises(FetchError, match="refused redirect"):
        fetch(server + "/to?" + target)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/",
                                 "javascript:alert(1)", "data:text/plain,x", "//example.org/x", "example.org/x"])
def test_only_http_and_https(url):
    with pytest.raises(FetchError, match="scheme"):
        fetch(url)
