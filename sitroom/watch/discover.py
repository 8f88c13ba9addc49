"""What a listing offers: the entries of an RSS/Atom feed, the URLs of a (news) sitemap, the feed
a site's front page announces, the files of a local folder."""
from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass
from datetime import date

#: a sitemap index lists sitemaps: follow at most this many (the most recent first)
MAX_CHILD_SITEMAPS = 5
#: at most this many entries are taken from one listing per poll
MAX_ENTRIES = 500


@dataclass
class Entry:
    url: str
    title: str | None = None
    published: date | None = None


class ListingError(Exception):
    pass


def _entry_date(entry) -> date | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        try:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        except ValueError:
            return None
    return None


def feed_entries(data: bytes, base_url: str) -> list[Entry]:
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.get("entries") and parsed.get("bozo") and not parsed.get("feed"):
        raise ListingError(f"not a feed: {parsed.get('bozo_exception')}")
    out = []
    for e in parsed.get("entries") or []:
        link = e.get("link")
        if not link:
            continue
        out.append(Entry(urllib.parse.urljoin(base_url, link.strip()), e.get("title") or None, _entry_date(e)))
    return out[:MAX_ENTRIES]


def _xml(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ListingError(f"not XML: {exc}") from None
    if root is None:
        raise ListingError("not XML")
    return root


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def sitemap_entries(data: bytes, base_url: str) -> tuple[list[Entry], list[str]]:
    """(article entries, child sitemap URLs) of a sitemap or a sitemap index."""
    from ..ingest.readers import parse_date

    root = _xml(data)
    kind = _local(root.tag)
    if kind == "sitemapindex":
        kids = []
        for sm in root:
            if _local(sm.tag) != "sitemap":
                continue
            loc = next((c.text for c in sm if _local(c.tag) == "loc" and c.text), None)
            mod = next((c.text for c in sm if _local(c.tag) == "lastmod" and c.text), "")
            if loc:
                kids.append((mod.strip(), urllib.parse.urljoin(base_url, loc.strip())))
        kids.sort(reverse=True)
        return [], [u for _m, u in kids[:MAX_CHILD_SITEMAPS]]
    if kind != "urlset":
        raise ListingError(f"not a sitemap (root element <{kind}>)")
    out = []
    for u in root:
        if _local(u.tag) != "url":
            continue
        loc, title, day = None, None, None
        for c in u.iter():
            name = _local(c.tag)
            if name == "loc" and c.text and loc is None:
                loc = c.text.strip()
            elif name == "title" and c.text:
                title = c.text.strip()
            elif name in ("publication_date", "lastmod") and c.text and day is None:
                day = parse_date(c.text.strip())
        if loc:
            out.append(Entry(urllib.parse.urljoin(base_url, loc), title, day))
    out.sort(key=lambda e: e.published or date.min, reverse=True)
    return out[:MAX_ENTRIES], []


_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/xml",
               "text/xml")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){3,}|/\d{4}/\d{1,2}/|\d{5,}", re.I)


def discover_feed(html: bytes, base_url: str) -> str | None:
    """The first RSS/Atom feed a page announces with ``<link rel="alternate">``."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001
        return None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        typ = (link.get("type") or "").lower().strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and typ in _FEED_TYPES[:2] and href:
            return urllib.parse.urljoin(base_url, href)
    return None


def page_links(html: bytes, base_url: str) -> list[Entry]:
    """Links on a front page (same site) that look like articles: a long slug, a dated path or a
    long number. Pages that turn out not to be articles are skipped after fetching."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001
        return []
    host = urllib.parse.urlsplit(base_url).hostname
    seen, out = set(), []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        url = urllib.parse.urljoin(base_url, href)
        p = urllib.parse.urlsplit(url)
        if p.scheme not in ("http", "https") or p.hostname != host or not _SLUG.search(p.path):
            continue
        if url not in seen:
            seen.add(url)
            title = " ".join(a.text_content().split()) or None
            out.append(Entry(url, title))
    return out[:MAX_ENTRIES]


def folder_entries(path: str, pattern: str | None = None) -> list[Entry]:
    """The regular, non-hidden files below ``path`` (whose name matches ``pattern``, a glob such as
    ``*.txt``, when given), oldest change first."""
    import fnmatch

    if not os.path.isdir(path):
        raise ListingError(f"folder {path} does not exist")
    files = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for n in names:
            if n.startswith(".") or (pattern and not fnmatch.fnmatch(n, pattern)):
                continue
            full = os.path.join(root, n)
            try:
                st = os.stat(full)
            except OSError:
                continue
            if os.path.isfile(full):
                files.append((st.st_mtime, full))
    files.sort()
    return [Entry(os.path.abspath(f)) for _m, f in files]
