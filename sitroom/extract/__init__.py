"""Extraction stages: places, dates, event triggers, numbers and counts, speakers, and the
assembly of events, figures, claims, agreements and quality flags.

The package is also sitroom's ``extract`` call: ``sitroom.extract(text_or_path, published=...)``
runs :func:`sitroom.api.extract` (the name is both, since ``import sitroom.extract.places``
binds ``sitroom.extract`` to this package). ``from sitroom.api import extract`` is the same
function with its signature and types.
"""
import sys
import types


class _CallablePackage(types.ModuleType):
    def __call__(self, *args, **kw):
        from ..api import extract
        return extract(*args, **kw)


sys.modules[__name__].__class__ = _CallablePackage
