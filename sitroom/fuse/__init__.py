"""Fusion of event mentions across documents into events.

A *mention* is one event as one document reports it (a dict in the ``events`` list of a pipeline
result). An *event* is what several mentions agree on. Both are dicts with the ACLED field names
(typed as :class:`Mention` and :class:`EventRecord`; ``sitroom.store`` keeps them as rows), plus
two derived integers:
``lo``/``hi``, the first and last day (proleptic ordinal) the event may have happened.

Signals (:mod:`sitroom.fuse.signals`, one pure function each, combined by :func:`compare` under
the weights of ``sitroom/data/fusion.yaml``, :class:`Weights`), each leaving a human-readable
reason or vetoing the pair:

* **type** - sub-event types must be in the same family (an air strike and a shelling of the same
  town the same day are one event reported two ways; an air strike and a protest never are),
  unless both reports' documents name the same participants and their evidence shares its wording
  (then the mismatch is taken for an extraction slip and only counts against);
* **date** - the date ranges implied by each report's ``time_precision`` must overlap (one day of
  slack for "overnight" and time zones);
* **place** - same country; within a distance that grows with the coarser ``geo_precision``
  (15 km for towns, 50 km for districts); a province-level report only needs the same admin1;
* **actors** - a shared actor counts for, naming only different actors counts against;
* **wording** - the content words of the evidence sentences overlap;
* **names** - the proper names of the two documents (people, vessels, towns, organisations:
  :func:`names`) overlap: the cosine of the two name sets, each name weighed by how rare it is
  among the documents seen so far (:class:`NameWeights`: "Sukanya" says more than "India"), and
  an event's names by how many of its sources give them (:func:`names_share`), so an event with
  many sources does not come to share every name of its topic. Few names in common counts against;
* **one document** - two reports from one document count a little for (:data:`SAME_DOC`), and
  their names are not compared;
* **fatalities** - close numbers count a little for; far-apart numbers a little against (they are
  kept anyway as ``fatalities_low``/``fatalities_high``).

Two events (a report is an event of one mention) become one when they score the threshold or
more; the best-scoring pair is joined first (:func:`consolidate`). Candidates come from a
*blocking index* (:mod:`sitroom.fuse.blocking`, :func:`block_keys`): an event is filed
under (place key, week bucket) for every week its date range covers, and a mention only looks at
events filed under its own place key (plus coarser keys) and the weeks its own range touches, so
fusion is near-linear in the number of mentions. An event is also filed under its longest proper
names, so a report with no place or no date finds the events whose documents name the same
participants (names filed under more than :data:`NAME_CAP` events are too common to look up).

The store (:mod:`sitroom.store`) fuses one transaction of documents at a time through
:func:`plan`: every mention of the batch starts as an event of its own, then :func:`consolidate`
joins the best-scoring pair among them and the stored events around them (from a
:class:`Candidates` source: the store's tables, or :class:`MemoryCandidates`), rescores the joined
event, and goes on until no pair reaches the threshold (the older event keeps its id); the store
writes the resulting :class:`Plan` down. Within a transaction the result does not
depend on the order of the documents (ties are broken by content, not arrival); across
transactions fusion stays greedy: an event is never split again, so a different grouping of the
same documents into transactions can give different events. :class:`Fuser` (no database) files
one mention at a time into the best candidate, then consolidates the same way.

Modules: ``records`` (the records and their date, place and actor helpers), ``words`` (content
words, proper names, their rarity), ``weights``, ``signals``, ``scoring`` (:func:`compare`,
:func:`best_match`), ``merging`` (:func:`merge`, :func:`consolidate`), ``blocking``, ``plan``,
``partition`` and ``memory``. Everything public is
re-exported here.
"""
from __future__ import annotations

from .blocking import (DAY_SLACK, MAX_BUCKETS, NAME_BUCKET, NAME_CAP, NAME_COUNTRY, NAME_KEYS,  # noqa: F401
                       NAME_PREFIX, UNDATED, MemoryIndex, block_keys, buckets, candidate_keys, name_keys,
                       query_plan, wants_names)
from .memory import Fuser, MemoryCandidates  # noqa: F401
from .merging import REGION_KM, consolidate, inside, merge, merge_events  # noqa: F401
from .partition import consolidate_partitioned, partitions  # noqa: F401
from .plan import Candidates, NewDocument, Placement, Plan, event_order, new_key, plan  # noqa: F401
from .records import (FAMILIES, NEAR_FAMILIES, PLACE_FIELDS, EventRecord, Mention, actors,  # noqa: F401
                      date_range, family, fatality_range, haversine_km, iso, mention_record, new_event,
                      norm, parse_day, place_key, same_actor)
from .scoring import best_match, compare  # noqa: F401
from .signals import SIGNALS, Context, near_region  # noqa: F401
from .weights import WEIGHTS, Weights  # noqa: F401
from .words import (COSINE_FULL, GENERIC_NAMES, MAX_NAME_LEN, MAX_NAMES, MAX_TERMS, STOPWORDS,  # noqa: F401
                    NameWeights, document_names, names, names_share, source_counts, terms)
