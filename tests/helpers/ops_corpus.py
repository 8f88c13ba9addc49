"""Generated short conflict reports for the operations tests (crash safety, concurrent ingests,
backups): templated sentences over real places, dates, numbers and event kinds, several reports
per incident (different wording and outlets) so that fusion has work to do. Deterministic for a
given seed. Not real reports; nothing here is used to tune extraction."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.helpers import ROOT     # the repository: child processes run its sitroom

PLACES = [("Maarat al-Numan", "Idlib province"), ("Saraqib", "Idlib province"), ("Ariha", "Idlib province"),
          ("Atarib", "Aleppo province"), ("Azaz", "Aleppo province"), ("Daraa", "Daraa province"),
          ("Nawa", "Daraa province"), ("Douma", "Rif Dimashq province"), ("Taiz", "Taiz governorate"),
          ("Hodeidah", "Hodeidah governorate"), ("Marib", "Marib governorate"), ("Kramatorsk", "Donetsk region"),
          ("Kharkiv", "Kharkiv region"), ("Mariupol", "Donetsk region"), ("Gao", "Gao region"),
          ("Maiduguri", "Borno state"), ("Mogadishu", "Banadir region"), ("Kunduz", "Kunduz province")]
KINDS = [
    ("airstrike", "{actor} airstrikes hit {place} in {region} on {day}, killing {n} civilians, {who} said."),
    ("shelling", "Artillery shelling by {actor} struck residential areas of {place} in {region} on {day}, "
                 "killing {n} people, {who} said."),
    ("clashes", "Clashes between {actor} and rebel fighters near {place} in {region} on {day} left {n} fighters dead, "
                "{who} said."),
    ("explosion", "A car bomb exploded at a market in {place} in {region} on {day}, killing {n} people, {who} said."),
    ("protest", "Hundreds of people protested peacefully in {place} in {region} on {day} against rising prices, "
                "{who} said."),
]
ACTORS = ["Russian", "Syrian government", "Saudi-led coalition", "government", "Ukrainian army", "Nigerian army"]
WHO = ["rescuers", "a war monitor", "local officials", "residents", "medical sources", "activists"]
OUTLETS = ["Wire A", "Wire B", "Local paper", "Monitor"]


def make_documents(n: int, seed: int = 17) -> list[dict]:
    """``n`` JSON Lines records ``{id, title, text, published, source}``; about three per incident."""
    rnd = random.Random(seed)
    docs: list[dict] = []
    incident = 0
    while len(docs) < n:
        incident += 1
        place, region = rnd.choice(PLACES)
        kind, template = rnd.choice(KINDS)
        day = date(2020, 1, 1) + timedelta(days=rnd.randrange(0, 120))
        actor = rnd.choice(ACTORS)
        n_killed = rnd.randrange(2, 40)
        for r in range(rnd.choice((1, 2, 3, 3, 4))):
            if len(docs) >= n:
                break
            killed = n_killed + rnd.choice((0, 0, 1, 2))     # sources disagree a little
            published = day + timedelta(days=rnd.choice((0, 1)))
            sent = template.format(actor=actor, place=place, region=region, n=killed, who=rnd.choice(WHO),
                                   day=f"{day:%B} {day.day}, {day.year}")
            extra = rnd.choice(["", " The toll was expected to rise.", " Several buildings were destroyed.",
                                " No group claimed responsibility."])
            title = f"{kind.capitalize()} in {place}"
            docs.append({"id": f"gen/{incident:04d}-{r}", "title": title,
                         "text": f"{title}\n\n{sent}{extra}\n\n[Generated test report {incident}-{r}; not a real report.]\n",
                         "published": published.isoformat(), "source": rnd.choice(OUTLETS)})
    return docs


def write_documents(path: Path, n: int, seed: int = 17) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for d in make_documents(n, seed):
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path


def sitroom(*args: str, **kw) -> subprocess.CompletedProcess:
    """``sitroom ARGS`` in a child process (the same interpreter as the tests)."""
    return subprocess.run([sys.executable, "-m", "sitroom.cli", *args], capture_output=True, text=True, cwd=ROOT, **kw)


def extract_results(docs: Path, out: Path) -> Path:
    """``sitroom extract --format jsonl`` over ``docs`` into ``out`` (the input of ``ingest --results``)."""
    r = sitroom("extract", str(docs), "--format", "jsonl", "-o", str(out), "-q", timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    return out


# ---------------------------------------------------------------------- what "whole" means

def problems(db: str) -> list[str]:
    """Everything wrong with the database ``db`` (empty when it is whole)."""
    from sitroom.store import make_engine
    from sitroom.store import schema as S

    engine = make_engine(db)
    found: list[str] = []
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            if "documents" not in tables or "alembic_version" not in tables:
                # killed before the first migration committed: it must have left nothing at all
                return [f"half-migrated: tables {sorted(tables)}"] if tables - {"alembic_version"} else []
            if conn.dialect.name == "sqlite":
                ic = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
                if ic != ["ok"]:
                    found.append(f"integrity_check: {ic[:3]}")
                fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if fk:
                    found.append(f"foreign_key_check: {fk[:3]}")
            # every foreign key of every table: no row whose parent is missing
            for table in S.metadata.sorted_tables:
                for fkc in table.foreign_keys:
                    col, parent = fkc.parent, fkc.column
                    n = conn.execute(sa.select(sa.func.count()).select_from(table).where(
                        col.is_not(None), ~sa.exists().where(parent == col))).scalar()
                    if n:
                        found.append(f"{n} rows of {table.name}.{col.name} without their {parent.table.name}")
            d, m, e, es = S.documents, S.mentions, S.events, S.event_sources
            checks = {
                "mentions without an event": sa.select(sa.func.count()).select_from(m).where(m.c.event_id.is_(None)),
                "events without a source": sa.select(sa.func.count()).select_from(e).where(
                    ~sa.exists().where(es.c.event_id == e.c.id)),
                "events without a mention": sa.select(sa.func.count()).select_from(e).where(
                    ~sa.exists().where(m.c.event_id == e.c.id)),
                "documents whose n_events is not their mentions": sa.select(sa.func.count()).select_from(d).where(
                    d.c.n_events != sa.select(sa.func.count()).where(m.c.document_id == d.c.id).scalar_subquery()),
                "events whose n_mentions is not their mentions": sa.select(sa.func.count()).select_from(e).where(
                    e.c.n_mentions != sa.select(sa.func.count()).where(m.c.event_id == e.c.id).scalar_subquery()),
                "events whose n_sources is not their sources": sa.select(sa.func.count()).select_from(e).where(
                    e.c.n_sources != sa.select(sa.func.count()).where(es.c.event_id == e.c.id).scalar_subquery()),
                "sources without a mention of that document in that event": sa.select(sa.func.count()).select_from(es)
                .where(~sa.exists().where(m.c.event_id == es.c.event_id, m.c.document_id == es.c.document_id)),
                "events without blocking-index rows": sa.select(sa.func.count()).select_from(e).where(
                    ~sa.exists().where(S.event_blocks.c.event_id == e.c.id)),
            }
            for what, q in checks.items():
                n = conn.execute(q).scalar()
                if n:
                    found.append(f"{n} {what}")
            n_docs = conn.execute(sa.select(sa.func.count()).select_from(d)).scalar()
            counted = conn.execute(sa.select(S.name_docs.c.documents).where(S.name_docs.c.name == "")).scalar()
            if n_docs and counted != n_docs:
                found.append(f"name_docs counts {counted} documents, the table has {n_docs}")
            dup = conn.execute(sa.select(d.c.content_hash).group_by(d.c.content_hash)
                               .having(sa.func.count() > 1)).all()
            if dup:
                found.append(f"{len(dup)} documents stored twice")
            dup = conn.execute(sa.select(m.c.document_id, m.c.ordinal).group_by(m.c.document_id, m.c.ordinal)
                               .having(sa.func.count() > 1)).all()
            if dup:
                found.append(f"{len(dup)} mentions stored twice")
    finally:
        engine.dispose()
    return found


def n_documents(db: str) -> int:
    from sitroom.store import make_engine
    from sitroom.store import schema as S

    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            try:
                return conn.execute(sa.select(sa.func.count()).select_from(S.documents)).scalar()
            except sa.exc.DBAPIError:       # killed before the first migration finished
                return 0
    finally:
        engine.dispose()


def events_of(db: str) -> list[tuple]:
    """The fused events as content (no ids): fields and the documents they came from."""
    from sitroom.store import make_engine
    from sitroom.store import schema as S

    engine = make_engine(db)
    e, es, d = S.events, S.event_sources, S.documents
    try:
        with engine.connect() as conn:
            docs: dict[int, list[str]] = {}
            for eid, doc in conn.execute(sa.select(es.c.event_id, d.c.doc_id).join(d, d.c.id == es.c.document_id)):
                docs.setdefault(eid, []).append(doc)
            rows = conn.execute(sa.select(e.c.id, e.c.event_date, e.c.sub_event_type, e.c.country, e.c.admin1,
                                          e.c.location, e.c.actor1, e.c.actor2, e.c.fatalities, e.c.fatalities_low,
                                          e.c.fatalities_high, e.c.n_mentions, e.c.n_sources, e.c.contested)).all()
            return sorted((*r[1:], tuple(sorted(docs.get(r[0], [])))) for r in rows)
    finally:
        engine.dispose()


def duplicate_events(events: list[tuple]) -> int:
    """Events sharing date, type and place with another (one real event stored twice looks so)."""
    keys: dict[tuple, int] = {}
    for ev in events:
        keys[ev[:5]] = keys.get(ev[:5], 0) + 1
    return sum(n - 1 for n in keys.values() if n > 1)
