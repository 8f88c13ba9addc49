"""Stage 1, ingest: inputs (paths, ``-``, URLs) to cleaned :class:`~sitroom.model.Document` s.

Public API::

    iter_documents(inputs, published=None, *, allow_private=False, max_bytes=5_000_000,
                   stdin=None) -> Iterator[Document | DocError]
    document_from_text(text, doc_id="-", published=None, title=None, source=None, url=None)
        -> Document
    clean(document) -> Document

Decisions (see also :mod:`sitroom.ingest.clean`, :mod:`sitroom.ingest.fetch`):

* One item per document, in input order; bad input gives a :class:`DocError` with a one-line
  message and the batch goes on. Nothing here raises on bad input.
* Formats: plain text, HTML (trafilatura main text), JSON Lines, RSS/Atom (feedparser). Known
  extensions decide ``.jsonl``/``.ndjson`` and ``.html``/``.htm``; otherwise the first bytes are
  sniffed (feed root element, HTML markup, a JSON object on the first line), else plain text.
* A directory expands to the regular files below it (recursively), sorted by path, skipping
  hidden names (starting with ``.``); an empty directory is a DocError.
* ``doc_id``: the path as given (for files found in a directory: ``directory/relative/path``);
  ``-`` for stdin; for JSONL lines the ``id`` field else ``<path>:<line>``; for feed entries the
  entry id, else its link, else ``<path>#<entry number>``; for a URL the URL as given.
* ``max_bytes`` limits a file, stdin or URL body; for JSONL it limits each line (document), so a
  large JSONL batch streams line by line.
* Publication date: metadata (JSONL ``published``, feed entry date, HTML meta) wins; if missing or
  unparseable the ``published`` argument is used (``published_from="option"``); unparseable
  metadata adds a ``published_unparseable`` warning. No date at all: ``published`` stays None.
"""
from __future__ import annotations

import os
import re
import sys
from datetime import date
from typing import Iterable, Iterator, TextIO

from sitroom.ingest import readers
from sitroom.ingest.clean import clean, is_headline_like, normalise_whitespace
from sitroom.ingest.fetch import FetchError, TooLarge, check_url
from sitroom.ingest.fetch import fetch as fetch_url
from sitroom.ingest.readers import EMPTY, decode_bytes, parse_date, too_large
from sitroom.model import DocError, Document, QualityFlag

__all__ = [
    "iter_documents", "document_from_text", "clean", "is_headline_like", "normalise_whitespace",
    "parse_date", "decode_bytes", "check_url", "fetch_url", "FetchError", "DEFAULT_MAX_BYTES",
]

DEFAULT_MAX_BYTES = 5_000_000
_SNIFF_BYTES = 1 << 16


def _as_date(value) -> date | None:
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise ValueError(f"not a date: {value!r}")
    return parsed


def document_from_text(text: str, doc_id: str = "-", published=None, title: str | None = None,
                       source: str | None = None, url: str | None = None) -> Document:
    """A cleaned Document from a string (``published``: date, datetime or ISO string)."""
    pub = _as_date(published)
    doc = Document(doc_id, text, title=title, source=source, url=url,
                   published=pub, published_from="option" if pub else None,
                   meta={"format": "text"})
    if not text.strip():
        doc.quality.append(QualityFlag("empty_document", EMPTY, severity="error"))
    return clean(doc)


_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")
_BARE_SCHEMES = {"file", "data", "mailto", "javascript", "about", "blob"}
_LOOKS_LIKE_HOST = re.compile(r"^(www\.|[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}/)", re.I)


def _is_url(s: str) -> bool:
    """``scheme://...`` (or a bare ``file:``/``data:``... URI) that is not an existing path."""
    m = _SCHEME_RE.match(s)
    if not m or os.path.exists(s):
        return False
    return "://" in s or m[1].lower() in _BARE_SCHEMES


def _one_line(msg: str) -> str:
    return " ".join(msg.split())


def internal_error(doc_id: str, exc: BaseException, where: str = "reading") -> DocError:
    """The error line of a document that met a bug (not bad input): says so, in one line."""
    msg = _one_line(f"internal error while {where}: {type(exc).__name__}: {exc}")
    return DocError(doc_id, msg if len(msg) <= 500 else msg[:497] + "...")


def _finish(items: Iterable[Document | DocError]) -> Iterator[Document | DocError]:
    for item in items:
        if isinstance(item, Document):
            try:
                yield clean(item)
            except Exception as exc:  # noqa: BLE001 - one document's bug never ends the batch
                yield internal_error(item.doc_id, exc, "cleaning")
        else:
            item.error = _one_line(item.error)
            yield item


def _read_stream(stream, doc_id: str, ext: str, published: date | None, max_bytes: int,
                 size: int | None, meta: dict) -> Iterator[Document | DocError]:
    """Sniff and read one binary stream (a file or stdin)."""
    head = stream.read(_SNIFF_BYTES)
    if not head:
        yield DocError(doc_id, EMPTY)
        return
    fmt = readers.sniff(head, ext)
    if fmt == "jsonl" and not readers.looks_binary(head):
        import io
        buffered = io.BufferedReader(readers.PrefixedStream(head, stream), 1 << 16)
        yield from readers.read_jsonl(buffered, doc_id, published, max_bytes, meta=meta)
        return
    if size is not None and size > max_bytes:
        yield DocError(doc_id, too_large(size, max_bytes))
        return
    rest = stream.read(max_bytes + 1 - len(head)) if len(head) <= max_bytes else b""
    data = head + rest
    if len(data) > max_bytes:
        total = len(data)
        while True:                       # count the rest for an honest message
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            total += len(chunk)
        yield DocError(doc_id, too_large(total, max_bytes))
        return
    if not data.strip():
        yield DocError(doc_id, EMPTY)
        return
    if fmt == "json":
        records = readers.read_json(data, doc_id, published, meta=dict(meta))
        if records is not None:
            yield from records
            return
        fmt = "text"                      # not a record or list of records: read it as text
    if fmt == "html":
        yield readers.read_html(data, doc_id, published, meta=dict(meta))
    elif fmt == "feed":
        yield from readers.read_feed(data, doc_id, published, meta=dict(meta))
    else:
        yield readers.read_text(data, doc_id, published, meta=dict(meta))


def _read_path(path: str, published: date | None, max_bytes: int) -> Iterator[Document | DocError]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        hint = " (for a URL, include http:// or https://)" if _LOOKS_LIKE_HOST.match(path) else ""
        yield DocError(path, "file not found" + hint)
        return
    except OSError as exc:
        yield DocError(path, f"cannot read file: {exc.strerror or exc}")
        return
    if os.path.isdir(path):
        files = _list_dir(path)
        if not files:
            yield DocError(path, "directory contains no files")
            return
        for f in files:
            # a bug reading one file is that file's error line; the rest of the directory is read
            yield from _guarded(f, _read_path(f, published, max_bytes))
        return
    ext = os.path.splitext(path)[1]
    try:
        with open(path, "rb") as fh:
            yield from _read_stream(fh, path, ext, published, max_bytes, st.st_size,
                                    {"input": path})
    except OSError as exc:
        yield DocError(path, f"cannot read file: {exc.strerror or exc}")


def _guarded(doc_id: str, items: Iterator[Document | DocError]) -> Iterator[Document | DocError]:
    """``items``, and after an unexpected exception one error line for ``doc_id`` instead of the
    exception (what was yielded before it stays)."""
    try:
        yield from items
    except Exception as exc:  # noqa: BLE001
        yield internal_error(doc_id, exc)


def _list_dir(path: str) -> list[str]:
    out: list[str] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith("."):
                full = os.path.join(root, name)
                if os.path.isfile(full):
                    out.append(full)
    return sorted(out)


def _read_stdin(stdin: TextIO | None, published: date | None,
                max_bytes: int) -> Iterator[Document | DocError]:
    stream = stdin if stdin is not None else sys.stdin
    if stream is None:
        yield DocError("-", "no standard input")
        return
    raw = getattr(stream, "buffer", None)
    if raw is None:
        import io
        try:
            raw = io.BytesIO(stream.read().encode("utf-8", errors="surrogatepass"))
        except (OSError, UnicodeError, ValueError) as exc:
            yield DocError("-", f"cannot read standard input: {exc}")
            return
    try:
        yield from _read_stream(raw, "-", "", published, max_bytes, None, {"input": "-"})
    except (OSError, ValueError) as exc:
        yield DocError("-", f"cannot read standard input: {exc}")


def _read_url(url: str, published: date | None, allow_private: bool,
              max_bytes: int) -> Iterator[Document | DocError]:
    try:
        got = fetch_url(url, allow_private=allow_private, max_bytes=max_bytes)
    except TooLarge as exc:
        yield DocError(url, too_large(exc.size, max_bytes))
        return
    except FetchError as exc:
        yield DocError(url, str(exc))
        return
    if not got.data.strip():
        yield DocError(url, EMPTY)
        return
    path = got.url.split("?", 1)[0].split("#", 1)[0]
    ext = os.path.splitext(path.rsplit("/", 1)[-1])[1]
    fmt = readers.sniff(got.data[:_SNIFF_BYTES], ext, got.content_type)
    meta = {"input": url, "content_type": got.content_type}
    if fmt == "html":
        yield readers.read_html(got.data, url, published, meta=meta, url=got.url,
                                declared=got.charset)
    elif fmt == "feed":
        yield from readers.read_feed(got.data, url, published, meta=meta)
    elif fmt in ("jsonl", "json"):
        import io
        records = readers.read_json(got.data, url, published, meta=meta)
        if records is None:
            records = readers.read_jsonl(io.BytesIO(got.data), url, published, max_bytes,
                                         meta=meta)
        yield from records
    else:
        yield readers.read_text(got.data, url, published, meta=meta, url=got.url,
                                declared=got.charset)


def iter_documents(inputs: list[str], published: date | None = None, *,
                   allow_private: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
                   stdin: TextIO | None = None) -> Iterator[Document | DocError]:
    """Cleaned documents (or errors) from paths, ``-`` (stdin) and http(s) URLs, in input order."""
    pub = _as_date(published) if published is not None else None
    for item in inputs:
        try:
            if item == "-":
                yield from _finish(_read_stdin(stdin, pub, max_bytes))
            elif _is_url(item):
                yield from _finish(_read_url(item, pub, allow_private, max_bytes))
            else:
                yield from _finish(_read_path(item, pub, max_bytes))
        except Exception as exc:  # noqa: BLE001 - last resort: one bad input never ends the batch
            yield internal_error(item, exc)
