"""Every weight and threshold of fusion in one place: :class:`Weights`, read from
``sitroom/data/fusion.yaml`` (checked when read). :func:`sitroom.fuse.compare` takes a ``weights``
argument, so a benchmark can sweep any of them (``benchmarks/fusion.py --set names_weight=0.4``)
without editing code."""
from __future__ import annotations

from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .. import data

DATA_FILE = "fusion.yaml"


@dataclass(frozen=True)
class Weights:
    """Fusion weights (what each signal adds to the score) and thresholds (where a signal vetoes).
    The defaults are those of ``sitroom/data/fusion.yaml``; see that file for what each means."""

    threshold: float
    day_slack: int
    date_same_day: float
    date_one_day_apart: float
    date_overlap: float
    type_same: float
    type_same_family: float
    type_near_family: float
    type_slip: float
    limit_km: Mapping[int, float]
    place_close_precise: float
    place_close_coarse: float
    place_same_admin1: float
    place_same_country: float
    place_same_named: float
    place_near_region: float
    region_km: float
    actor_shared: float
    actor_none_shared: float
    wording_strong: float
    wording_strong_bonus: float
    wording_some: float
    wording_some_bonus: float
    names_weight: float
    names_penalty: float
    names_min: int
    cosine_full: float
    strong_names: float
    strong_names_min: int
    same_doc: float
    fatalities_agree: float
    fatalities_disagree: float
    fatalities_near: float
    fatalities_ratio: float

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], source: str = DATA_FILE) -> "Weights":
        """Checked weights from a mapping (a parsed YAML file): every field present, no unknown
        one, numbers where numbers belong, counts whole and not negative."""
        if not isinstance(raw, Mapping):
            raise ValueError(f"{source}: expected a mapping of weight names to numbers")
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - names)
        missing = sorted(names - set(raw))
        if unknown:
            raise ValueError(f"{source}: unknown fusion weights {unknown} (known: {sorted(names)})")
        if missing:
            raise ValueError(f"{source}: missing fusion weights {missing}")
        return cls(**{f.name: _checked(f.name, raw[f.name], f.type, source) for f in fields(cls)})

    @classmethod
    def load(cls) -> "Weights":
        """The shipped weights (``sitroom/data/fusion.yaml``)."""
        return cls.from_mapping(data.load(DATA_FILE))

    def as_dict(self) -> dict[str, Any]:
        """The weights as plain data (what ``fusion.yaml`` holds)."""
        return {f.name: dict(v) if isinstance(v := getattr(self, f.name), Mapping) else v for f in fields(self)}

    def __reduce__(self):       # to other processes (partitioned fusion): as plain data, rechecked
        return (Weights.from_mapping, (self.as_dict(), "fusion weights"))

    def replace(self, **changes: Any) -> "Weights":
        """A copy with some weights changed (checked as when read)."""
        merged = self.as_dict()
        unknown = sorted(set(changes) - set(merged))
        if unknown:
            raise ValueError(f"unknown fusion weights {unknown} (known: {sorted(merged)})")
        merged.update(changes)
        return Weights.from_mapping(merged, source="fusion weights")

    def with_settings(self, settings: Iterable[str]) -> "Weights":
        """A copy with ``name=value`` settings applied (a command line's ``--set``)."""
        changes: dict[str, Any] = {}
        for s in settings:
            name, eq, value = s.partition("=")
            if not eq or not name.strip():
                raise ValueError(f"{s!r}: expected name=value, e.g. names_weight=0.4")
            try:
                changes[name.strip()] = float(value) if "." in value or "e" in value.lower() else int(value)
            except ValueError:
                raise ValueError(f"{s!r}: {value!r} is not a number") from None
        return self.replace(**changes)


_COUNTS = {"day_slack", "names_min", "strong_names_min"}


def _checked(name: str, value: Any, kind: Any, source: str) -> Any:
    if name == "limit_km":
        if not isinstance(value, Mapping) or not value:
            raise ValueError(f"{source}: limit_km: expected a mapping of geo_precision to km")
        out = {}
        for k, v in value.items():
            if isinstance(k, bool) or not isinstance(k, int) or isinstance(v, bool) \
                    or not isinstance(v, (int, float)) or v <= 0:
                raise ValueError(f"{source}: limit_km: {k!r}: {v!r}: expected a geo_precision (1, 2, ...) "
                                 "and a positive distance in km")
            out[k] = float(v)
        return MappingProxyType(out)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{source}: {name}: {value!r} is not a number")
    if name in _COUNTS and (not isinstance(value, int) or value < 0):
        raise ValueError(f"{source}: {name}: {value!r}: expected a whole number, 0 or more")
    return value


#: The shipped weights.
WEIGHTS = Weights.load()
