"""Bytes to documents: decoding, format sniffing, and the plain text / HTML / JSONL / feed readers.

Every reader yields :class:`~sitroom.model.Document` (not yet cleaned) or
:class:`~sitroom.model.DocError`; none raises on bad input.
"""
from __future__ import annotations

import codecs
import email.utils
import io
import json
import re
import warnings
from datetime import date, datetime
from typing import Any, BinaryIO, Iterator

from sitroom.model import DocError, Document, QualityFlag

# ---------------------------------------------------------------- sizes and messages

EMPTY = "empty document"
BINARY = "binary file, not text"


def human_size(n: int) -> str:
    if n >= 100_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1000:
        return f"{n / 1e3:.1f} kB"
    return f"{n} bytes"


def too_large(size: int | None, max_bytes: int) -> str:
    shown = human_size(size) if size is not None else f"more than {human_size(max_bytes)}"
    return f"document too large ({shown} > {human_size(max_bytes)}; raise with --max-bytes)"


# ---------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),   # before utf-16 (prefix)
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = frozenset(range(0, 32)) - {9, 10, 11, 12, 13, 27} | {127}


def bom_encoding(data: bytes) -> str | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def looks_binary(data: bytes) -> bool:
    """NUL bytes or a high share (> 10 %) of control characters in the first 8 kB."""
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b in _CONTROL)
    return controls / len(head) > 0.10


class Decoded:
    __slots__ = ("text", "encoding", "flag")

    def __init__(self, text: str, encoding: str, flag: QualityFlag | None = None):
        self.text, self.encoding, self.flag = text, encoding, flag


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded | str:
    """Decode text bytes, or return an error message (binary).

    Order: BOM (UTF-8/16/32), UTF-8, a declared charset (HTTP), then cp1252 and finally latin-1
    with a ``decoding`` warning flag.
    """
    enc = bom_encoding(data)
    if enc:
        try:
            return Decoded(data.decode(enc), enc)
        except UnicodeDecodeError:
            pass
    if looks_binary(data):
        return BINARY
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    if declared:
        try:
            if codecs.lookup(declared).name not in ("utf-8",):
                return Decoded(data.decode(declared), declared)
        except (LookupError, UnicodeDecodeError):
            pass
    for enc in ("cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return Decoded(text, enc, QualityFlag(
            "decoding", f"not valid UTF-8 (first bad byte at offset {bad_at}); decoded as {enc}",
            severity="warning"))
    raise AssertionError("latin-1 decodes everything")  # pragma: no cover


# ---------------------------------------------------------------- dates

_ISO_PREFIX = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%Y/%m/%d",
                 "%Y%m%d")


def parse_date(value: Any) -> date | None:
    """A publication date from metadata: ISO 8601, RFC 2822 or a few spelled-out forms."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    m = _ISO_PREFIX.match(s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    try:
        dt = email.utils.parsedate_to_datetime(s)
        if dt is not None:
            return dt.date()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def apply_published(doc: Document, meta_value: Any, option: date | None) -> Document:
    """Set ``published``/``published_from``: metadata wins unless unparseable, else the option."""
    parsed = parse_date(meta_value) if meta_value not in (None, "") else None
    if parsed is not None:
        doc.published, doc.published_from = parsed, "metadata"
        return doc
    if meta_value not in (None, ""):
        doc.quality.append(QualityFlag(
            "published_unparseable",
            f"publication date {str(meta_value)[:60]!r} in the metadata could not be parsed"
            + ("; using --published" if option else ""),
            severity="warning"))
    if option is not None:
        doc.published, doc.published_from = option, "option"
    return doc


# ---------------------------------------------------------------- sniffing

_FEED_RE = re.compile(rb"<(?:[a-z0-9]+:)?(rss|feed|RDF)\b", re.I)
_HTML_RE = re.compile(rb"<(!doctype\s+html|html|head|body|article|meta\s|title\s*>|p\s*>|div[\s>])",
                      re.I)
_STRONG_HTML_RE = re.compile(rb"(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S)

EXT_FORMATS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".rss": "feed", ".atom": "feed",
    ".txt": "text", ".text": "text", ".md": "text",
}


def _head_text(head: bytes) -> bytes:
    enc = bom_encoding(head)
    if enc and enc != "utf-8-sig":
        try:
            return head.decode(enc, errors="ignore").encode("utf-8", errors="ignore")
        except LookupError:  # pragma: no cover
            return head
    return head[3:] if enc == "utf-8-sig" else head


def sniff(head: bytes, ext: str = "", content_type: str = "") -> str:
    """``text``, ``html``, ``jsonl``, ``json`` or ``feed`` from the extension, content type and first bytes."""
    h = _head_text(head)
    stripped = h.lstrip()
    start = stripped[:2048]
    by_ext = EXT_FORMATS.get(ext.lower())
    if by_ext in ("jsonl", "html"):
        return by_ext
    if by_ext == "feed" or ext.lower() == ".xml" or "xml" in content_type or start.startswith(b"<"):
        m = _FEED_RE.search(start)
        if m and not _HTML_RE.search(start[:m.start()]):
            return "feed"
    if "json" in content_type or (by_ext is None and stripped.startswith(b"{")):
        first = stripped.split(b"\n", 1)[0].strip()
        try:
            if isinstance(json.loads(first), dict):
                return "jsonl"
        except ValueError:
            pass
        if "json" in content_type:
            return "jsonl"
    if by_ext == "feed":
        return "feed"
    if ext.lower() == ".json" or stripped[:1] in (b"[", b"{"):
        return "json"
    if "html" in content_type:
        return "html"
    if start.startswith(b"<") and (_STRONG_HTML_RE.match(start) if by_ext == "text"
                                   else _HTML_RE.search(start)):
        return "html"
    return "text"


# ---------------------------------------------------------------- plain text

def read_text(data: bytes, doc_id: str, published: date | None, *, meta: dict | None = None,
              url: str | None = None, declared: str | None = None) -> Document | DocError:
    dec = decode_bytes(data, declared)
    if isinstance(dec, str):
        return DocError(doc_id, dec)
    if not dec.text.strip():
        return DocError(doc_id, EMPTY)
    doc = Document(doc_id, dec.text, url=url, meta=dict(meta or {}, format="text",
                                                       encoding=dec.encoding))
    if dec.flag:
        doc.quality.append(dec.flag)
    return apply_published(doc, None, published)


# ---------------------------------------------------------------- HTML

_TITLE_RE = re.compile(r"\s+")


def _html_meta(html: bytes | str) -> dict[str, str]:
    """<title>, og:title, og:site_name and a few date metas straight from the markup."""
    out: dict[str, str] = {}
    try:
        import lxml.html
        tree = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - unparsable markup just has no metadata
        return out
    t = tree.find(".//title")
    if t is not None and t.text_content().strip():
        out["title"] = _TITLE_RE.sub(" ", t.text_content()).strip()
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        val = (el.get("content") or "").strip()
        if not val:
            continue
        if key in ("og:title", "twitter:title") and "og_title" not in out:
            out["og_title"] = val
        elif key == "og:site_name":
            out.setdefault("site_name", val)
        elif key in ("article:published_time", "datepublished", "date", "pubdate",
                     "dc.date", "dc.date.issued", "publish-date", "publication_date"):
            out.setdefault("date", val)
    return out


def _has_prose(text: str) -> bool:
    """At least one line that reads like a sentence (nav menus and footers do not)."""
    for line in text.splitlines():
        s = line.strip()
        if len(s.split()) >= 6 and re.search(r"[.!?][\"'”’)]*$", s):
            return True
    return False


def read_html(data: bytes, doc_id: str, published: date | None, *, meta: dict | None = None,
              url: str | None = None, declared: str | None = None) -> Document | DocError:
    if not data.strip():
        return DocError(doc_id, EMPTY)
    enc = bom_encoding(data)
    markup: bytes | str = data
    flags: list[QualityFlag] = []
    if enc or declared:
        dec = decode_bytes(data, declared)
        if isinstance(dec, str):
            return DocError(doc_id, dec)
        markup, flags = dec.text, [dec.flag] if dec.flag else []
    elif looks_binary(data):
        return DocError(doc_id, BINARY)
    try:
        import trafilatura
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = trafilatura.bare_extraction(
                markup, url=url, with_metadata=True, include_comments=False, include_tables=True,
                date_extraction_params={"extensive_search": False, "original_date": True},
            )
    except Exception as exc:  # noqa: BLE001 - a bad page must not stop the batch
        return DocError(doc_id, f"HTML could not be parsed: {type(exc).__name__}: {exc}")
    text = (getattr(res, "text", None) or "") if res is not None else ""
    if not text.strip() or not _has_prose(text):
        return DocError(doc_id, "HTML page with no article text (nothing but navigation or"
                                " boilerplate was found)")
    m = _html_meta(markup)
    title = (getattr(res, "title", None) or m.get("og_title") or m.get("title") or None)
    source = getattr(res, "sitename", None) or m.get("site_name")
    if not source:
        source = getattr(res, "hostname", None)
    doc = Document(doc_id, text, title=title, source=source or None,
                   url=url or getattr(res, "url", None) or None,
                   meta=dict(meta or {}, format="html"))
    doc.quality.extend(flags)
    return apply_published(doc, getattr(res, "date", None) or m.get("date"), published)


# ---------------------------------------------------------------- feeds

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "tr", "table", "section", "article", "header", "footer", "pre",
               "figure", "figcaption", "hr"}


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: block elements become paragraphs separated by blank lines."""
    if "<" not in fragment and "&" not in fragment:
        return "\n\n".join(p.strip() for p in re.split(r"\n\s*\n", fragment) if p.strip())
    # characters no XML/HTML tree holds (control characters, lone surrogates): lxml refuses to
    # set them back as text
    fragment = _NOT_XML.sub(" ", fragment)
    try:
        import lxml.html
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # noqa: BLE001
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    try:
        for bad in root.xpath(".//script|.//style|.//noscript"):
            bad.drop_tree()
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
                el.tail = "\n\n" + (el.tail or "")
                if el.tag.lower() != "br":
                    el.text = "\n\n" + (el.text or "")
        raw = root.text_content()
    except ValueError:        # a character lxml will not take back (from an entity such as &#1;)
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    paras = []
    for chunk in re.split(r"\n\s*\n", raw):
        line = " ".join(chunk.split())
        if line:
            paras.append(line)
    return "\n\n".join(paras)


def read_feed(data: bytes, base_id: str, published: date | None, *,
              meta: dict | None = None) -> Iterator[Document | DocError]:
    try:
        import feedparser
        parsed = feedparser.parse(data)
    except Exception as exc:  # noqa: BLE001
        yield DocError(base_id, f"feed could not be parsed: {type(exc).__name__}: {exc}")
        return
    entries = parsed.get("entries") or []
    if not entries:
        why = parsed.get("bozo_exception")
        yield DocError(base_id, "feed has no entries" + (f" ({why})" if why else ""))
        return
    feed_title = (parsed.get("feed") or {}).get("title") or None
    for i, entry in enumerate(entries, 1):
        link = entry.get("link") or None
        doc_id = entry.get("id") or link or f"{base_id}#{i}"
        body = ""
        contents = entry.get("content") or []
        if contents:
            body = max((c.get("value") or "" for c in contents), key=len)
        if not body.strip():
            body = entry.get("summary") or entry.get("description") or ""
        text = html_to_text(body)
        if not text.strip():
            yield DocError(doc_id, EMPTY)
            continue
        title = entry.get("title")
        title = html_to_text(title).replace("\n\n", " ") if title else None
        doc = Document(doc_id, text, title=title or None, source=feed_title, url=link,
                       meta=dict(meta or {}, format="feed", entry=i))
        parsed_date = entry.get("published_parsed") or entry.get("updated_parsed")
        if parsed_date:
            meta_value: Any = date(parsed_date.tm_year, parsed_date.tm_mon, parsed_date.tm_mday)
        else:
            meta_value = entry.get("published") or entry.get("updated")
        yield apply_published(doc, meta_value, published)


# ---------------------------------------------------------------- JSON Lines

def iter_lines_limited(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, bytes or None if longer than limit, size in bytes)`` per line, streaming."""
    lineno = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while True:                      # skip the rest of the overlong line
                more = stream.readline(1 << 20)
                if not more:
                    break
                size += len(more)
                if more.endswith(b"\n"):
                    break
            yield lineno, None, size
            continue
        body = line.rstrip(b"\r\n")
        if len(body) > limit:
            yield lineno, None, len(body)
        else:
            yield lineno, body, len(body)


_JSONL_FIELDS = ("id", "title", "text", "published", "source", "url")


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def read_jsonl(stream: BinaryIO, base_id: str, published: date | None, max_bytes: int, *,
               meta: dict | None = None) -> Iterator[Document | DocError]:
    """One document per line; a bad line gives a DocError for that line and the rest go on."""
    any_line = False
    for lineno, raw, size in iter_lines_limited(stream, max_bytes):
        line_id = f"{base_id}:{lineno}"
        if raw is None:
            any_line = True
            yield DocError(line_id, too_large(size, max_bytes))
            continue
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        if not raw.strip():
            continue
        any_line = True
        flag = None
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            dec = decode_bytes(raw)
            if isinstance(dec, str):
                yield DocError(line_id, f"line {lineno}: {dec}")
                continue
            line, flag = dec.text, dec.flag
        try:
            rec = json.loads(line)
        except ValueError as exc:
            yield DocError(line_id, f"line {lineno}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        try:
            yield record_to_doc(rec, line_id, f"line {lineno}", published,
                                dict(meta or {}, format="jsonl", line=lineno), flag)
        except Exception as exc:  # noqa: BLE001 - a bug on one line never loses the rest of the file
            yield DocError(line_id, f"line {lineno}: internal error while reading:"
                                    f" {type(exc).__name__}: {str(exc)[:300]}")
    if not any_line:
        yield DocError(base_id, EMPTY)


def record_to_doc(rec: Any, fallback_id: str, where: str, published: date | None, meta: dict,
                  flag: QualityFlag | None = None) -> Document | DocError:
    """One JSON record ``{"id","title","text","published","source","url"}`` to a Document."""
    if not isinstance(rec, dict):
        return DocError(fallback_id, f"{where}: not a JSON object")
    rid = rec.get("id")
    doc_id = str(rid) if rid not in (None, "") else fallback_id
    text = rec.get("text")
    if text is None:
        return DocError(doc_id, f'{where}: no "text" field')
    if not isinstance(text, str):
        return DocError(doc_id, f'{where}: "text" is not a string')
    if not text.strip():
        return DocError(doc_id, EMPTY)
    extra = {k: v for k, v in rec.items() if k not in _JSONL_FIELDS}
    if extra:
        meta = dict(meta, extra=extra)
    doc = Document(doc_id, text, title=_opt_str(rec.get("title")),
                   source=_opt_str(rec.get("source")), url=_opt_str(rec.get("url")), meta=meta)
    if flag:
        doc.quality.append(flag)
    return apply_published(doc, rec.get("published"), published)


def read_json(data: bytes, base_id: str, published: date | None, *,
              meta: dict | None = None) -> Iterator[Document | DocError] | None:
    """A whole JSON file: one record object or an array of them. None if it is not that."""
    dec = decode_bytes(data)
    if isinstance(dec, str):
        return None
    try:
        value = json.loads(dec.text)
    except ValueError:
        return None
    if isinstance(value, dict) and "text" in value:
        records = [value]
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        records = value
    else:
        return None

    def gen():
        for i, rec in enumerate(records, 1):
            fallback = base_id if len(records) == 1 and isinstance(value, dict) else f"{base_id}:{i}"
            yield record_to_doc(rec, fallback, f"record {i}", published,
                                dict(meta or {}, format="json", record=i), dec.flag)
    return gen()


class PrefixedStream(io.RawIOBase):
    """Raw stream serving ``head`` first and then the rest of ``raw`` (for sniffed stdin)."""

    def __init__(self, head: bytes, raw: BinaryIO):
        self._head = memoryview(head)
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if len(self._head):
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        return n
