"""Calendar values: what a rule reads an expression as (:class:`DateValue`) and the constructors
for each granularity (day, week, month, quarter, half, season, year, decade, century), each with
its TimeML / ISO 8601 value, first and last day and precision."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

@dataclass(frozen=True, slots=True)
class DateValue:
    """A normalised expression: the fields of :class:`~sitroom.model.DateExpr` other than its
    text and offsets (days as dates, not yet ISO strings), plus ``anaphor`` for an expression
    whose value comes from the date mentioned before it ((unit, offset, weekday or None);
    resolved by the extractor). ``precision``: 1 day, 2 week or short range, 3 month, 4 year or
    coarser."""
    value: str | None
    start: date | None
    end: date | None
    precision: int | None
    relative: bool = False
    year_known: bool = True
    mod: str | None = None
    kind: str = "date"
    anaphor: tuple | None = None

    def expr_fields(self) -> dict:
        """The keyword arguments of ``DateExpr`` other than text and offsets."""
        return {"value": self.value,
                "value_start": self.start.isoformat() if self.start is not None else None,
                "value_end": self.end.isoformat() if self.end is not None else None,
                "precision": self.precision, "relative": self.relative,
                "year_known": self.year_known, "mod": self.mod, "kind": self.kind}


def safe_date(y: int, m: int, d: int) -> date | None:
    """The date, or None when there is no such day (Feb. 30)."""
    try:
        return date(y, m, d)
    except ValueError:
        return None


def last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    """(year, month) ``k`` months after month ``m`` of year ``y``."""
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def day(d: date, relative=False, kind="date") -> DateValue:
    return DateValue(d.isoformat(), d, d, 1, relative, kind=kind)


def month(y: int, m: int, relative=False) -> DateValue:
    return DateValue(f"{y:04d}-{m:02d}", date(y, m, 1), date(y, m, last_day(y, m)), 3, relative)


def year(y: int, relative=False) -> DateValue:
    return DateValue(f"{y:04d}", date(y, 1, 1), date(y, 12, 31), 4, relative)


def week(d: date, relative=True) -> DateValue:
    iy, iw, _ = d.isocalendar()
    mon = d - timedelta(days=d.weekday())
    return DateValue(f"{iy:04d}-W{iw:02d}", mon, mon + timedelta(days=6), 2, relative)


def weekend(d: date, relative=True) -> DateValue:
    iy, iw, _ = d.isocalendar()
    sat = d - timedelta(days=d.weekday()) + timedelta(days=5)
    return DateValue(f"{iy:04d}-W{iw:02d}-WE", sat, sat + timedelta(days=1), 2, relative)


def quarter(y: int, q: int, relative=False) -> DateValue:
    m0 = 3 * (q - 1) + 1
    return DateValue(f"{y:04d}-Q{q}", date(y, m0, 1), date(y, m0 + 2, last_day(y, m0 + 2)), 4, relative)


def half(y: int, h: int, relative=False) -> DateValue:
    m0 = 1 if h == 1 else 7
    return DateValue(f"{y:04d}-H{h}", date(y, m0, 1), date(y, m0 + 5, last_day(y, m0 + 5)), 4, relative)


def season(y: int, s: str, relative=False) -> DateValue:
    """Meteorological seasons: SP March-May, SU June-August, FA September-November, WI December
    to February (of the next year)."""
    if s == "SP":
        a, b = date(y, 3, 1), date(y, 5, 31)
    elif s == "SU":
        a, b = date(y, 6, 1), date(y, 8, 31)
    elif s == "FA":
        a, b = date(y, 9, 1), date(y, 11, 30)
    else:
        a, b = date(y, 12, 1), date(y + 1, 2, last_day(y + 1, 2))
    return DateValue(f"{y:04d}-{s}", a, b, 4, relative)


def decade(c: int, relative=False) -> DateValue:
    """Decade ``c`` (199 for the 1990s)."""
    return DateValue(f"{c:03d}", date(c * 10, 1, 1), date(c * 10 + 9, 12, 31), 4, relative)


def century(c: int, relative=False) -> DateValue:
    """Century ``c`` (19 for 1900-1999; 0 starts on Jan. 1 of year 1)."""
    return DateValue(f"{c:02d}", date(max(1, c * 100), 1, 1), date(c * 100 + 99, 12, 31), 4, relative)


def unknown(value: str | None, precision: int | None, kind="date", mod=None) -> DateValue:
    """No calendar anchor ("XXXX-01-16" without a publication date)."""
    return DateValue(value, None, None, precision, False, False, mod, kind)


def no_value(relative=False, year_known=True, mod=None, kind="date", anaphor=None) -> DateValue:
    """An expression understood but without a value (a duration, "a few days ago"), or whose
    value the extractor takes from the date before (``anaphor``)."""
    return DateValue(None, None, None, None, relative, year_known, mod, kind, anaphor)


DURATION = no_value(kind="duration")

_GRANULARITY = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "day"),
    (re.compile(r"\d{4}-W\d{2}"), "week"),
    (re.compile(r"\d{4}-\d{2}"), "month"),
    (re.compile(r"\d{4}-Q[1-4]"), "quarter"),
    (re.compile(r"\d{4}(?:-(?:H[12]|SP|SU|FA|WI))?"), "year"),
)
#: granularities, finest first
GRAN_RANK = {"day": 0, "week": 1, "month": 2, "quarter": 3, "year": 4}


def granularity(value: str | None) -> str | None:
    """day, week, month, quarter or year for a calendar value ("2020-01-16", "2020-W03" ...)."""
    if not value:
        return None
    for rx, gran in _GRANULARITY:
        if rx.fullmatch(value):
            return gran
    return None
