"""Offset indexes: the items of a document (places, dates, counts, actor mentions) that start in a
character range, found by binary search instead of a scan of the whole list.

Extraction asks "what starts in this sentence?" once per sentence, trigger or claim; with a scan
each question costs the length of the document and a long document costs its length squared.
Results come back in the list's own order, exactly as the scan they replace.
"""
from __future__ import annotations

import bisect
from typing import Callable, Generic, Sequence, TypeVar

T = TypeVar("T")


class OffsetIndex(Generic[T]):
    """Items of ``items`` whose ``start`` lies in ``[lo, hi)``, in list order."""

    def __init__(self, items: Sequence[T], start: Callable[[T], int] = lambda x: x.start) -> None:
        self.items = items
        self._size = len(items)
        order = sorted(range(len(items)), key=lambda k: start(items[k]))
        self._starts = [start(items[k]) for k in order]
        self._order = order
        # when the list is already in offset order (the usual case) a range is a plain slice
        self._sorted = order == list(range(len(items)))

    def fresh_for(self, items: Sequence[T]) -> bool:
        """Still an index of ``items`` (the same list object, not grown or shrunk)."""
        return items is self.items and len(items) == self._size

    def between(self, lo: int, hi: int) -> list[T]:
        a = bisect.bisect_left(self._starts, lo)
        b = bisect.bisect_left(self._starts, hi, a)
        if a >= b:
            return []
        if self._sorted:
            return list(self.items[a:b])
        return [self.items[k] for k in sorted(self._order[a:b])]


def index_for(cache: dict, key: str, items: Sequence[T],
              start: Callable[[T], int] = lambda x: x.start) -> OffsetIndex[T]:
    """The cached index of ``items`` under ``key``, rebuilt when the list changed."""
    idx = cache.get(key)
    if idx is None or not idx.fresh_for(items):
        idx = cache[key] = OffsetIndex(items, start)
    return idx


class Coverage:
    """Does any of the ranges ``[start, end)`` hold a given offset? (binary search over the ranges
    sorted by start, with the running maximum of their ends)"""

    def __init__(self, ranges) -> None:
        ranges = sorted(ranges)
        self._starts = [a for a, _ in ranges]
        self._reach = []
        far = None
        for _, b in ranges:
            far = b if far is None or b > far else far
            self._reach.append(far)

    def covers(self, x: int) -> bool:
        k = bisect.bisect_right(self._starts, x)
        return k > 0 and self._reach[k - 1] > x

    def overlaps(self, lo: int, hi: int) -> bool:
        """Does any range overlap ``[lo, hi)`` (``start < hi and lo < end``)?"""
        k = bisect.bisect_left(self._starts, hi)
        return k > 0 and self._reach[k - 1] > lo


class Disjoint:
    """A growing set of ranges that never overlap one another (each added after ``overlaps``
    said no), answering ``overlaps`` by binary search: kept sorted by start, their ends are
    sorted too. Empty or reversed ranges are kept apart and checked one by one."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._odd: list[tuple[int, int]] = []

    def overlaps(self, lo: int, hi: int) -> bool:
        k = bisect.bisect_left(self._starts, hi)
        if k and self._ends[k - 1] > lo:
            return True
        return any(lo < b and a < hi for a, b in self._odd)

    def add(self, lo: int, hi: int) -> None:
        if lo >= hi:
            self._odd.append((lo, hi))
            return
        k = bisect.bisect_left(self._starts, lo)
        self._starts.insert(k, lo)
        self._ends.insert(k, hi)
