"""The component registry: every stage of the pipeline is a named component over one
:class:`sitroom.model.Analysis`, declared with what it reads and what it writes.

A component is a callable ``(analysis) -> None`` (or returning the Analysis) that reads the
``Analysis`` fields it *requires* and writes the fields it *assigns*. Register one with
:func:`component`::

    @component("scorer", requires=("events",), assigns=("events.confidence",))
    class LearnedScorer:                 # a class: instantiated once per Pipeline, no arguments
        def __init__(self): self.model = load_weights()
        def __call__(self, analysis): ...

    @component("headline_flag", requires=("events",), assigns=("events.headline",))
    def headline_flag(analysis): ...     # a function: the component itself

and put its name in a pipeline: ``Pipeline(stages=[..., "scorer"])`` or
``pipeline.add("scorer", after="events")`` (:mod:`sitroom.pipeline`). Nothing else changes.

Field names are ``Analysis`` fields; ``"field.attribute"`` (``"events.confidence"``) refines the
items of a field that an earlier component assigned. :func:`check` verifies an order: every
requirement is assigned by an earlier component (or is an input: ``document``, ``doc``).

The default components (:mod:`sitroom.stages.default`, whose modules import spaCy) are registered
the first time the registry is consulted, so importing this module stays cheap.
"""
from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from .model import Analysis

#: fields every pipeline starts with (:meth:`sitroom.pipeline.Pipeline.run` fills them)
INPUTS = ("document", "doc")

#: the module that registers the default components (and holds their default order)
DEFAULTS_MODULE = "sitroom.stages.default"

_FIELDS = frozenset(f.name for f in dataclasses.fields(Analysis))


class PipelineError(ValueError):
    """A pipeline that cannot be built: an unknown component, a requirement not met, a name twice."""


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    obj: Callable            # a class (instantiated once per Pipeline) or the component function
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    summary: str

    def create(self) -> Callable[[Analysis], Any]:
        """The component, ready to run: a new instance of a class, the function itself."""
        made = self.obj() if isinstance(self.obj, type) else self.obj
        if not callable(made):
            raise PipelineError(f"component {self.name!r}: an instance of {self.obj.__name__} is not"
                                " callable (it needs a __call__(self, analysis))")
        return made


_REGISTRY: dict[str, ComponentSpec] = {}
_defaults_loaded = False


def _check_fields(name: str, what: str, fields: Iterable[str]) -> tuple[str, ...]:
    if isinstance(fields, str):
        raise PipelineError(f"component {name!r}: {what} must be a tuple of field names, not the string"
                            f" {fields!r}")
    out = tuple(fields)
    for f in out:
        if not isinstance(f, str) or f.split(".", 1)[0] not in _FIELDS or f.endswith("."):
            raise PipelineError(f"component {name!r}: {what} {f!r} is not a field of Analysis"
                                f" (fields: {', '.join(sorted(_FIELDS))})")
    return out


def _identity(obj: Any) -> tuple[str, str]:
    return (getattr(obj, "__module__", ""), getattr(obj, "__qualname__", repr(obj)))


def register(name: str, obj: Callable, *, requires: Iterable[str] = (), assigns: Iterable[str] = (),
             summary: str | None = None) -> Callable:
    """Register ``obj`` as the component ``name``: a class is instantiated (without arguments) once
    per Pipeline; a function is the component itself. Returns ``obj`` unchanged."""
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise PipelineError(f"a component name is a non-empty string without surrounding spaces, not {name!r}")
    if not callable(obj):
        raise PipelineError(f"component {name!r}: {obj!r} is not a class or function")
    reqs = _check_fields(name, "requirement", requires)
    assigned = _check_fields(name, "assigned field", assigns)
    if not assigned:
        raise PipelineError(f"component {name!r} assigns nothing: say which Analysis field(s) it writes")
    old = _REGISTRY.get(name)
    if old is not None and _identity(old.obj) != _identity(obj):   # the same one again: a module reloaded
        raise PipelineError(f"component {name!r} is already registered ({'.'.join(_identity(old.obj))});"
                            " choose another name")
    if summary is None:
        summary = " ".join((obj.__doc__ or "").strip().split("\n\n")[0].split())   # its first paragraph
    _REGISTRY[name] = ComponentSpec(name, obj, reqs, assigned, summary)
    return obj


def component(name: str, *, requires: Iterable[str] = (), assigns: Iterable[str] = (),
              summary: str | None = None) -> Callable[[Callable], Callable]:
    """Decorator form of :func:`register`."""
    def decorate(obj: Callable) -> Callable:
        return register(name, obj, requires=requires, assigns=assigns, summary=summary)
    return decorate


def _load_defaults() -> None:
    global _defaults_loaded
    if not _defaults_loaded:
        importlib.import_module(DEFAULTS_MODULE)     # registers them (once: the module is cached)
        _defaults_loaded = True


def registered() -> dict[str, ComponentSpec]:
    """Every registered component by name (the defaults included)."""
    _load_defaults()
    return dict(_REGISTRY)


def spec(name: str) -> ComponentSpec:
    """The registered component ``name``; a clear error listing the registered ones otherwise."""
    _load_defaults()
    found = _REGISTRY.get(name)
    if found is None:
        raise PipelineError(f"unknown component {name!r}; registered components: "
                            f"{', '.join(sorted(_REGISTRY))}")
    return found


def default_stages() -> tuple[str, ...]:
    """The default pipeline's component names, in order (``DEFAULT_STAGES`` of
    :mod:`sitroom.stages.default`)."""
    _load_defaults()
    return tuple(importlib.import_module(DEFAULTS_MODULE).DEFAULT_STAGES)


def _provides(available: set[str], field: str) -> bool:
    return field in available or field.split(".", 1)[0] in available


def check(names: Sequence[str]) -> list[ComponentSpec]:
    """The specs of ``names`` in order, after checking that the order can run: each name is
    registered and listed once, and everything a component requires (or refines, ``field.attr``)
    is assigned by a component before it or is an input. Raises :class:`PipelineError`."""
    specs = [spec(n) for n in names]
    seen: set[str] = set()
    for s in specs:
        if s.name in seen:
            raise PipelineError(f"component {s.name!r} is listed twice in {list(names)}")
        seen.add(s.name)
    available = set(INPUTS)
    for k, s in enumerate(specs):
        needs = list(s.requires) + [f.split(".", 1)[0] for f in s.assigns if "." in f]
        for field in needs:
            if _provides(available, field):
                continue
            later = [t.name for t in specs[k + 1:] if field in t.assigns or field.split(".", 1)[0] in t.assigns]
            hint = (f"; {later[0]!r} assigns it but comes later" if later else
                    f"; no component in this pipeline assigns it (stages: {', '.join(names)})")
            verb = "requires" if field in s.requires else "refines"
            raise PipelineError(f"component {s.name!r} {verb} {field!r}, which no component before it"
                                f" assigns{hint}")
        available.update(s.assigns)
    return specs


def markdown_table(names: Sequence[str] | None = None) -> str:
    """The components of a pipeline (default: the default one) as a Markdown table: what each
    requires and assigns. docs/architecture.md shows it (a test keeps the two equal)."""
    names = default_stages() if names is None else names
    rows = ["| # | component | requires | assigns | what it does |", "|---|---|---|---|---|"]
    for k, s in enumerate(check(names), 1):
        rows.append(f"| {k} | `{s.name}` | {', '.join(f'`{f}`' for f in s.requires) or '-'} | "
                    f"{', '.join(f'`{f}`' for f in s.assigns)} | {s.summary} |")
    return "\n".join(rows)


if __name__ == "__main__":       # print the table of the default pipeline (for the docs)
    # this file runs as __main__: the registry the components fill is the one of sitroom.components
    from sitroom.components import markdown_table as _table
    print(_table())
