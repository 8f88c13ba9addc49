"""The actor dictionary: countries (name, demonyms, capital), head words of generic mentions
("army", "police", "protesters") and named actors with their aliases, read from
``sitroom/data/actors.yaml`` (its header documents the schema; ``SITROOM_DATA`` overrides or
extends it, see ``docs/data.md``) and indexed for look-up.

:class:`ActorDictionary` is the data; :class:`sitroom.stages.actors.ActorFinder` compiles it into
spaCy matchers and recognises mentions.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .. import data as data_files

ACTORS_FILE = "actors.yaml"


def slug(name: str) -> str:
    """An actor's id from its name: lower case, runs of other characters one underscore."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def is_acronym(alias: str) -> bool:
    """Short all-caps aliases (IS, HTS, SDF, US) match case-sensitively."""
    letters = re.sub(r"[^A-Za-z]", "", alias)
    return bool(letters) and letters.isupper() and len(letters) <= 5


class ActorDictionary:
    """The actor dictionary, indexed: ``countries`` (code -> name), ``demonyms`` (demonym or
    acronym -> code; lower case unless an acronym), ``capitals`` (lower-case capital -> code),
    ``name_to_code`` (lower-case country name -> code), ``heads`` (class -> its entry),
    ``modifiers`` (words allowed between a demonym and its head), ``head_class`` (one-word head ->
    the first class that lists it), ``actors`` (named actors, each with its ``id``)."""

    def __init__(self, data: dict[str, Any], source: str = ACTORS_FILE):
        if not isinstance(data, dict):
            raise ValueError(f"{source}: the top level must be a mapping (countries, heads, actors)")
        self.source = source
        self.countries: dict[str, str] = {}
        self.demonyms: dict[str, str] = {}
        self.capitals: dict[str, str] = {}
        for row in data.get("countries") or []:
            if not (isinstance(row, list) and len(row) == 4):
                raise ValueError(f"{source}: countries: each entry is [code, name, [demonyms], "
                                 f"capital]; got {row!r}")
            code, name, dems, capital = row
            self.countries[code] = name
            for d in dems or []:
                self.demonyms[str(d) if is_acronym(str(d)) else str(d).lower()] = code
            self.capitals[str(capital).lower()] = code
        self.name_to_code = {n.lower(): c for c, n in self.countries.items()}
        heads = dict(data.get("heads") or {})
        self.modifiers: list[str] = [m.lower() for m in heads.pop("modifiers", [])]
        self.heads: dict[str, dict[str, Any]] = heads
        self.head_class: dict[str, str] = {}
        for cls, h in self.heads.items():
            for w in h.get("words") or []:
                if " " not in str(w):
                    self.head_class.setdefault(str(w).lower(), cls)
        self.actors: list[dict[str, Any]] = []
        for a in data.get("actors") or []:
            if not isinstance(a, dict) or not a.get("name"):
                raise ValueError(f"{source}: actors: every entry needs a name; got {a!r}")
            self.actors.append(a if "id" in a else {**a, "id": slug(a["name"])})

    @classmethod
    def load(cls, path: str | Path | None = None) -> "ActorDictionary":
        """The packaged dictionary with its overrides (``path=None``), or the file at ``path``."""
        if path is None:
            return cls(data_files.load(ACTORS_FILE))
        return cls(data_files.load_file(path), str(path))

    def aliases(self, actor: dict[str, Any]) -> set[str]:
        """A named actor's surface forms: its name and every alias."""
        return {str(x) for x in actor.get("aliases") or []} | {actor["name"]}
