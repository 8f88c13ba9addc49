"""Benchmark (not a test): how close extraction is to the spaCy floor, and how it scales.

    .venv/bin/python benchmarks/throughput.py [--max-bytes N] [--batch-size B]
    .venv/bin/python benchmarks/throughput.py --workers 1,2 [--pairs 2]      # paired CLI runs
    .venv/bin/python benchmarks/throughput.py --curve 1000,10000 --workers 1,2 # the scale curve
    .venv/bin/python benchmarks/throughput.py --curve 100000 --workers 2 --extract-only
    .venv/bin/python benchmarks/throughput.py --store 100000 [--pg URL]       # store+fuse only
    .venv/bin/python benchmarks/throughput.py --fusion 1000,10000,100000       # fusion's cost
    .venv/bin/python benchmarks/throughput.py --profile out.txt                # pyinstrument

**The corpus** is built the same way every time: the texts of the evaluation sets in
``../shared/eval`` when that folder is there (realworld articles, FA-KES articles, UCDP source
snippets, GeoWebNews and TR-News articles, the ECB+ documents detokenized, CASE 2021 snippets,
in that order), then the composed examples of ``examples/composed``, then synthetic articles
(:func:`synthetic_articles`: varied templates over real places, actors and numbers) until the
corpus holds ``--max-bytes`` of text (2 MB by default; the shared texts alone are about that).
Without ``../shared`` it is the composed examples and synthetic articles only, of
``--max-bytes`` (use a smaller one, e.g. 300000, for a quick run).

**One process** (default): in one process over the same corpus, after one warm-up batch,
(a) the bare ``nlp.pipe`` pass of sitroom's own pipeline (the floor), (b) extraction end to end
(``Pipeline.run`` and each result serialised as its JSON line), (c) extraction plus storing and
fusing into a fresh SQLite database (``Store.ingest``, as ``sitroom ingest``); words/s of each,
the ratios b/a and c/a, the peak RSS of the process, and the cost of each spaCy component
(``--components``).

**Workers** (``--workers 1,2``): ``sitroom extract --workers N`` on the corpus as JSON Lines, run
as a fresh process each (model load included), in pairs (1 then 2, ``--pairs`` times); each pair's
ratio is printed with the load average, since the machine may be shared; outputs are checked
byte-identical.

**Scale curve** (``--curve 1000,10000,100000 --workers 1,2``): that many synthetic articles
extracted by ``sitroom extract --workers N`` (documents/s, words/s, peak RSS of the main process
and of the largest worker; outputs compared across N), then the results stored and fused by
``sitroom ingest --results`` into a fresh SQLite database and a fresh PostgreSQL database (COPY;
``--pg-insert`` adds the executemany path): documents/s, peak RSS, events. PostgreSQL is
``--pg URL`` (a server where databases may be created), else ``SITROOM_TEST_PG``, else a
throwaway server started from Debian's PostgreSQL binaries, else those rows are skipped.
The whole curve on an idle machine (hours at 100k: extraction runs at a few thousand words/s
per core)::

    .venv/bin/python benchmarks/throughput.py --curve 1000,10000,100000 --workers 1,2 --pg-insert

``--store 100000``: store and fuse only, of synthetic pipeline results (:mod:`sitroom.fuse.synthetic`,
3 mentions per document; no extraction). ``--fusion``: synthetic mention sets fused in memory, in
one piece and in independent partitions (:mod:`sitroom.scale.fusion`), and stored.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

# ------------------------------------------------------------------ corpus

PLACES = [  # (town, region, country): real places the gazetteer knows
    ("Saraqib", "Idlib", "Syria"), ("Maarat al-Numan", "Idlib", "Syria"), ("Ariha", "Idlib", "Syria"),
    ("Douma", "Rif Dimashq", "Syria"), ("Deir ez-Zor", "Deir ez-Zor", "Syria"), ("Raqqa", "Raqqa", "Syria"),
    ("Taiz", "Taiz", "Yemen"), ("Hodeidah", "Hodeidah", "Yemen"), ("Marib", "Marib", "Yemen"),
    ("Mopti", "Mopti", "Mali"), ("Gao", "Gao", "Mali"), ("Timbuktu", "Tombouctou", "Mali"),
    ("Kharkiv", "Kharkiv", "Ukraine"), ("Bakhmut", "Donetsk", "Ukraine"), ("Kherson", "Kherson", "Ukraine"),
    ("Mogadishu", "Banaadir", "Somalia"), ("Kismayo", "Lower Juba", "Somalia"),
    ("Maiduguri", "Borno", "Nigeria"), ("Goma", "North Kivu", "Democratic Republic of the Congo"),
    ("El Fasher", "North Darfur", "Sudan"), ("Omdurman", "Khartoum", "Sudan"), ("Kabul", "Kabul", "Afghanistan"),
    ("Mosul", "Nineveh", "Iraq"), ("Khan Younis", "Gaza", "Palestine"), ("Ouagadougou", "Centre", "Burkina Faso"),
]
ACTORS = {
    "Syria": ["Syrian government forces", "Russian warplanes", "Hayat Tahrir al-Sham fighters", "Turkish-backed rebels"],
    "Yemen": ["Houthi rebels", "Saudi-led coalition aircraft", "government troops"],
    "Mali": ["jihadist militants", "the Malian army", "Wagner Group fighters", "Dozo hunters"],
    "Ukraine": ["Russian forces", "Ukrainian troops", "Russian drones"],
    "Somalia": ["al-Shabab militants", "Somali National Army soldiers", "African Union troops"],
    "Nigeria": ["Boko Haram fighters", "Nigerian soldiers", "ISWAP militants"],
    "Democratic Republic of the Congo": ["M23 rebels", "Congolese army soldiers", "ADF militants"],
    "Sudan": ["Rapid Support Forces", "Sudanese Armed Forces", "armed men on motorcycles"],
    "Afghanistan": ["Taliban fighters", "Islamic State gunmen", "Afghan security forces"],
    "Iraq": ["Islamic State militants", "Iraqi security forces", "Popular Mobilization Forces"],
    "Palestine": ["Israeli aircraft", "Israeli troops", "Hamas fighters"],
    "Burkina Faso": ["jihadist militants", "the Burkinabe army", "volunteer defence fighters"],
}
HEADLINES = [
    "{n} killed as {actor} strike {town}",
    "{actor} attack on {town} leaves {n} dead, officials say",
    "At least {n} civilians killed in {town} shelling",
    "Clashes near {town} kill {n} fighters",
    "{n} dead after car bomb explodes in {town} market",
    "Protesters rally in {town} against rising prices",
]
SENTENCES = [
    "{actor} carried out {strikes} on {town} in {region} province on {day}, killing {n} people, including {k} children, {source} said.",
    "At least {n} civilians were killed and {m} wounded when shells hit a residential neighbourhood of {town} on {day}.",
    "Heavy fighting broke out between {actor} and {actor2} on the outskirts of {town} early on {day}; {n} fighters were killed, according to {source}.",
    "A car bomb exploded near a crowded market in {town}, {country}, on {day}, killing {n} and injuring more than {m}, {source} told reporters.",
    "{actor} denied responsibility for the attack and accused {actor2} of targeting civilians in {region}.",
    "The United Nations said about {d} people had fled {town} and nearby villages since the start of the month.",
    "Hundreds of people protested peacefully in {town} on {day}, demanding the release of detainees; no injuries were reported.",
    "Gunmen abducted {m} aid workers on the road between {town} and {town2} on {day}, {source} said.",
    "Residents said the hospital in {town} was struck twice and was no longer working.",
    "{source} said the death toll could rise as rescuers searched the rubble in {town}.",
    "Local officials in {region} said schools would stay closed after the attack.",
    "The ceasefire agreed last month between {actor} and {actor2} has been violated repeatedly, {source} said.",
]
SOURCES = ["the Syrian Observatory for Human Rights", "local officials", "a military spokesman", "medical sources",
           "the health ministry", "witnesses", "the UN humanitarian office (OCHA)", "a local rescue group"]


def synthetic_articles(n: int, seed: int = 0, start: date = date(2019, 1, 1)) -> list[dict]:
    """``n`` varied news-like articles (JSON Lines records) about made-up incidents in real places.
    Each has a headline, 5 to 12 sentences from the templates, a dateline and a publication date."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        town, region, country = rnd.choice(PLACES)
        town2 = rnd.choice([p for p in PLACES if p[2] == country and p[0] != town] or [(town,)])[0]
        acts = ACTORS[country]
        pub = start + timedelta(days=rnd.randrange(1500))
        day = (pub - timedelta(days=rnd.randrange(0, 3))).strftime("%A")
        f = dict(town=town, town2=town2, region=region, country=country, day=day,
                 actor=rnd.choice(acts), actor2=rnd.choice(acts), n=rnd.choice([3, 5, 7, 9, 12, 17, 23, 40]),
                 k=rnd.randrange(1, 4), m=rnd.randrange(2, 60), d=f"{rnd.randrange(2, 90) * 1000:,}",
                 strikes=rnd.choice(["air strikes", "drone strikes", "artillery strikes"]),
                 source=rnd.choice(SOURCES))
        head = rnd.choice(HEADLINES).format(**f)
        head = head[0].upper() + head[1:]
        body = [s.format(**f) for s in rnd.sample(SENTENCES, rnd.randrange(5, 12))]
        body = [s[0].upper() + s[1:] for s in body]
        text = f"{head}\n\n{town.upper()}, {country} ({pub:%b %d}) - " + "\n\n".join(
            " ".join(body[j:j + 2]) for j in range(0, len(body), 2))
        out.append({"id": f"synthetic/{seed}/{i}", "title": head, "text": text, "published": pub.isoformat(),
                    "source": "synthetic"})
    return out


def shared_texts() -> list[dict]:
    """The evaluation sets' texts as JSON Lines records (empty without ../shared)."""
    from sitroom.evaluate.readers import read_gold

    ev = SHARED / "eval"
    recs: list[dict] = []
    if not ev.is_dir():
        return recs
    rw = ev / "realworld" / "articles.jsonl"
    if rw.exists():
        for line in rw.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            recs.append({"id": f"realworld/{r['id']}", "title": r.get("title"), "text": r["text"],
                         "published": r.get("published")})
    for path, fmt in [(ev / "fakes" / "dev.csv", "fakes"),
                      (ev / "ucdp" / "ged_syria_2016_2018_sample.csv", "ucdp"),
                      (ev / "geo" / "GWN.xml", "geo-xml"), (ev / "geo" / "TR-News.xml", "geo-xml"),
                      (ev / "case2021" / "dev.tsv", "case2021")]:
        if not path.exists():
            continue
        seen = set()
        for it in read_gold(path, fmt):
            if it.text in seen:          # UCDP repeats a snippet for several events
                continue
            seen.add(it.text)
            recs.append({"id": f"{fmt}/{it.doc_id}", "title": it.title, "text": it.text,
                         "published": it.published.isoformat() if it.published else None})
        if fmt == "geo-xml" and path.name == "TR-News.xml" and (ev / "ecbplus").is_dir():
            from sitroom.fuse.ecbplus import read_corpus
            for d in read_corpus(ev / "ecbplus"):
                recs.append({"id": f"ecbplus/{d['id']}", "text": d["text"], "published": None})
    return recs


def composed_texts() -> list[dict]:
    path = ROOT / "examples" / "composed" / "reports.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_corpus(max_bytes: int) -> tuple[list[dict], str]:
    recs, parts = [], []
    for name, got in (("shared eval sets", shared_texts()), ("composed examples", composed_texts())):
        size = sum(len(r["text"].encode()) for r in got)
        recs += got
        parts.append(f"{len(got)} {name} ({size / 1e6:.2f} MB)")
    size = sum(len(r["text"].encode()) for r in recs)
    k = 0
    syn = []
    while size < max_bytes:
        (r,) = synthetic_articles(1, seed=k)
        r["id"] = f"synthetic/{k}"
        syn.append(r)
        size += len(r["text"].encode())
        k += 1
    recs += syn
    parts.append(f"{len(syn)} synthetic articles")
    return recs, f"{len(recs)} documents, {size / 1e6:.2f} MB of text: " + " + ".join(parts)


def documents(recs: list[dict]):
    from sitroom.ingest import document_from_text

    return [document_from_text(r["text"], doc_id=r["id"], title=r.get("title"), published=r.get("published"))
            for r in recs]


def words(recs) -> int:
    return sum(len(r["text"].split()) for r in recs)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024

# ------------------------------------------------------------------ one process


def one_process(recs: list[dict], batch_size: int, components: bool) -> None:
    from sitroom.nlp import load_nlp
    from sitroom.pipeline import Pipeline
    from sitroom.store import open_store

    docs = documents(recs)
    n_words = words(recs)
    nlp = load_nlp()
    pipe = Pipeline()
    list(pipe.run(docs[:batch_size], batch_size=batch_size))       # warm-up: model, gazetteer, caches
    texts = [d.nlp_text for d in docs]

    t0, c0 = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    ta, ca = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    for res in pipe.run(docs, batch_size=batch_size):
        json.dumps(res, ensure_ascii=False)
    tb, cb = time.perf_counter() - t0, time.process_time() - c0

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "bench.db"))
        t0, c0 = time.perf_counter(), time.process_time()
        stats = store.ingest(pipe.run(docs, batch_size=batch_size), commit_every=100)
        tc, cc = time.perf_counter() - t0, time.process_time() - c0
        store.close()

    print(f"(a) bare nlp.pipe          {n_words / ta:9,.0f} words/s  ({ta:6.1f} s)")
    print(f"(b) extraction end to end  {n_words / tb:9,.0f} words/s  ({tb:6.1f} s)   b/a = {tb / ta:.2f}")
    print(f"(c) + store and fuse       {n_words / tc:9,.0f} words/s  ({tc:6.1f} s)   c/a = {tc / ta:.2f}"
          f"   [{stats.added} documents, {stats.mentions} mentions -> {stats.new_events} events]")
    print(f"CPU time (less sensitive to a shared machine): a {ca:.1f} s, b {cb:.1f} s, c {cc:.1f} s: "
          f"b/a = {cb / ca:.2f}, c/a = {cc / ca:.2f}")
    print(f"peak RSS {rss_mb():,.0f} MB")
    if components:
        component_costs(nlp, texts, batch_size, ta)


def component_costs(nlp, texts, batch_size, ta) -> None:
    """Time of the pipeline with each component disabled in turn: what that component costs."""
    print("\nspaCy components (cost = full pass minus the pass without it; dependants run anyway):")
    sub = texts[: max(64, len(texts) // 4)]
    t0 = time.perf_counter()
    for _ in nlp.pipe(sub, batch_size=batch_size):
        pass
    full = time.perf_counter() - t0
    for name in nlp.pipe_names:
        with nlp.select_pipes(disable=[name]):
            t0 = time.perf_counter()
            for _ in nlp.pipe(sub, batch_size=batch_size):
                pass
            t = time.perf_counter() - t0
        print(f"  {name:22s} {100 * (full - t) / full:5.1f}% of the pass")

# ------------------------------------------------------------------ workers and curve


def _cli(args: list[str], env_extra: dict | None = None) -> tuple[float, float, float]:
    """Run ``sitroom ARGS`` in a fresh process: (seconds, its peak RSS MB, largest child's MB).

    The process's own peak is its ``VmHWM`` (Linux): ``ru_maxrss`` of a process started from a
    large one (this benchmark, holding its corpus) starts at the parent's RSS at the fork, and
    read 540 MB for a writer that peaked at about 100. Its workers' peaks (``RUSAGE_CHILDREN``)
    start from the small writer's and are not disturbed."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.update(env_extra or {})
    code = ("import resource,sys,time;from sitroom.cli import app;t=time.perf_counter()\n"
            "try:\n app(sys.argv[1:], standalone_mode=False)\nfinally:\n"
            " r=resource.getrusage;me=r(resource.RUSAGE_SELF).ru_maxrss\n"
            " try:\n  me=[int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')][0]\n"
            " except (OSError,IndexError):\n  pass\n"
            " print('BENCH',time.perf_counter()-t,me,r(resource.RUSAGE_CHILDREN).ru_maxrss,file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    line = [x for x in p.stderr.splitlines() if x.startswith("BENCH")]
    if p.returncode != 0 or not line:
        sys.exit(f"sitroom {' '.join(args)} failed:\n{p.stderr[-2000:]}")
    _, t, me, kids = line[-1].split()
    return float(t), int(me) / 1024, int(kids) / 1024


def paired_workers(recs: list[dict], counts: list[int], pairs: int, batch_size: int) -> None:
    n_words = words(recs)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "corpus.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
        outs = {}
        for p in range(pairs):
            times = {}
            for n in counts:
                out = Path(tmp) / f"out{n}.jsonl"
                load = os.getloadavg()[0]
                t, me, kid = _cli(["extract", str(src), "--format", "jsonl", "-q", "-o", str(out),
                                   "--workers", str(n), "--batch-size", str(batch_size)])
                times[n] = t
                outs[n] = _digest(out)
                print(f"pair {p + 1}: --workers {n}: {n_words / t:8,.0f} words/s ({t:6.1f} s, model load included); "
                      f"peak RSS main {me:,.0f} MB, largest worker {kid:,.0f} MB; load average before {load:.1f}")
            base = times[counts[0]]
            print("  ratios: " + ", ".join(f"{n} workers {base / times[n]:.2f}x" for n in counts[1:]))
        same = all(outs[n] == outs[counts[0]] for n in counts)
        print(f"outputs byte-identical across worker counts: {same}")


def _pg_server(url: str | None):
    """(URL of a PostgreSQL server where databases may be created, a server to stop or None,
    why there is none)."""
    url = url or os.environ.get("SITROOM_TEST_PG")
    if url:
        return url, None, ""
    try:
        from tests.helpers.pg import PgServer      # a throwaway cluster (Debian's postgresql binaries)
        server = PgServer()
        server.start()
        return server.url, server, ""
    except Exception as exc:  # noqa: BLE001
        return None, None, f"no PostgreSQL server ({exc}); pass --pg URL"


def store_rows(results: Path, n_docs: int, tmp: Path, pg: str | None, pg_insert: bool) -> None:
    """``sitroom ingest --results`` of ``results`` into a fresh SQLite database and, with a
    server, a fresh PostgreSQL database (COPY; with ``pg_insert`` also ``SITROOM_PG_COPY=0``):
    documents/s, peak RSS, the database's events."""
    import sqlalchemy as sa

    targets = [("SQLite", str(tmp / "store.db"), {})]
    if pg:
        from tests.helpers.pg import create_database
        targets.append(("PostgreSQL, COPY", create_database(pg), {"SITROOM_PG_COPY": "1"}))
        if pg_insert:
            targets.append(("PostgreSQL, INSERT", create_database(pg), {"SITROOM_PG_COPY": "0"}))
    for name, db, env in targets:
        load = os.getloadavg()[0]
        t, me, _ = _cli(["ingest", str(results), "--results", "--db", db, "-q"], env)
        url = db if "://" in db else f"sqlite:///{db}"
        eng = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with eng.connect() as conn:
            n_ev = conn.execute(sa.text("SELECT count(*) FROM events")).scalar()
            n_me = conn.execute(sa.text("SELECT count(*) FROM mentions")).scalar()
        eng.dispose()
        if "://" in db:
            from tests.helpers.pg import drop_database
            drop_database(pg, db)
        print(f"  store and fuse ({name}): {n_docs / t:8,.1f} documents/s ({t:7.1f} s); peak RSS {me:,.0f} MB; "
              f"{n_me:,d} mentions -> {n_ev:,d} events; load average before {load:.1f}", flush=True)


def curve(sizes: list[int], counts: list[int], batch_size: int, pg_url: str | None, pg_insert: bool,
          store: bool = True) -> None:
    """For each size: that many synthetic articles extracted with ``sitroom extract --workers N``
    (a fresh process each, model load included; outputs compared), then the results stored and
    fused with ``sitroom ingest --results`` into SQLite and PostgreSQL. ``sitroom ingest
    --workers N`` runs the two stages at once (the writer stores while workers extract), so its
    rate is about the slower of the two. ``store=False`` (``--extract-only``): extraction only."""
    pg, server, why = _pg_server(pg_url) if store else (None, None, None)
    if why:
        print(f"(PostgreSQL rows skipped: {why})")
    try:
        for size in sizes:
            recs = synthetic_articles(size, seed=size)
            n_words = words(recs)
            print(f"{size:,d} synthetic articles, {n_words:,d} words", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                src = Path(tmp) / "docs.jsonl"
                src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
                del recs
                outs = []
                for n in counts:
                    res = Path(tmp) / f"results{n}.jsonl"
                    load = os.getloadavg()[0]
                    t, me, kid = _cli(["extract", str(src), "--format", "jsonl", "-q", "-o", str(res),
                                       "--workers", str(n), "--batch-size", str(batch_size)])
                    outs.append(res)
                    print(f"  extract --workers {n}: {size / t:8,.1f} documents/s, {n_words / t:8,.0f} words/s "
                          f"({t:7.1f} s, model load included); peak RSS {me:,.0f} MB"
                          + (f", largest worker {kid:,.0f} MB" if n > 1 else "") + f"; load average before {load:.1f}",
                          flush=True)
                if len(outs) > 1:       # compared by digest: this process stays small (see _cli)
                    same = len({_digest(o) for o in outs}) == 1
                    print(f"  outputs byte-identical across worker counts: {same}")
                if store:
                    store_rows(outs[0], size, Path(tmp), pg, pg_insert)
    finally:
        if server is not None:
            server.stop()


def store_curve(sizes: list[int], pg_url: str | None, pg_insert: bool) -> None:
    """Store and fuse only, at sizes where extracting would take too long: ``sitroom ingest
    --results`` of synthetic pipeline results (:mod:`sitroom.fuse.synthetic`, 3 event mentions per
    document, 20 countries over two years; not extracted text) into SQLite and PostgreSQL."""
    from sitroom.fuse.synthetic import iter_synthetic

    pg, server, why = _pg_server(pg_url)
    if why:
        print(f"(PostgreSQL rows skipped: {why})")
    try:
        for size in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                res = Path(tmp) / "results.jsonl"
                with open(res, "w", encoding="utf-8") as fh:
                    for r, _ in iter_synthetic(3 * size, size, 3, 730, None):
                        fh.write(json.dumps(r) + "\n")
                print(f"{size:,d} documents of synthetic results ({3 * size:,d} mentions, "
                      f"{res.stat().st_size / 1e6:,.0f} MB of JSON Lines)", flush=True)
                store_rows(res, size, Path(tmp), pg, pg_insert)
    finally:
        if server is not None:
            server.stop()


def fusion_curve(sizes: list[int], workers: int) -> None:
    """How fusion's cost grows: synthetic mention sets (sitroom.fuse.synthetic) stored and fused
    as ``sitroom ingest --results`` does (transactions of 100 documents), then fused in memory in
    one piece, and in independent partitions over ``workers`` processes (the same events)."""
    from sitroom.fuse.synthetic import synthetic_results
    from sitroom.scale import fusion as F
    from sitroom.store import open_store

    print(f"mentions | documents | store+fuse docs/s | one piece s | partitions | partitioned ({workers} proc.) s | equal")
    for size in sizes:
        results, _ = synthetic_results(size, seed=size)
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(str(Path(tmp) / "f.db"))
            t0 = time.perf_counter()
            store.ingest(results, commit_every=100)
            ts = time.perf_counter() - t0
            store.close()
        recs, weights = F.mention_records(results)
        t0 = time.perf_counter()
        single, _ = F.fuse_group(recs, weights)
        t1 = time.perf_counter() - t0
        t0 = time.perf_counter()
        parted, _, n_parts = F.fuse_partitioned(recs, weights, workers=workers, min_parallel=0)
        t2 = time.perf_counter() - t0
        same = F.comparable(single) == F.comparable(parted)
        print(f"{size:8,d} | {len(results):9,d} | {len(results) / ts:17,.0f} | {t1:11.1f} | {n_parts:10,d} | "
              f"{t2:27.1f} | {same}", flush=True)


def profile(recs: list[dict], out: str, batch_size: int) -> None:
    from pyinstrument import Profiler

    from sitroom.nlp import load_nlp
    from sitroom.pipeline import Pipeline

    docs = documents(recs)
    load_nlp()
    pipe = Pipeline()
    list(pipe.run(docs[:batch_size], batch_size=batch_size))
    prof = Profiler(interval=0.005)
    prof.start()
    for _ in pipe.run(docs, batch_size=batch_size):
        pass
    prof.stop()
    Path(out).write_text(prof.output_text(unicode=False, color=False, show_all=False), encoding="utf-8")
    print(f"profile written to {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max-bytes", type=int, default=2_000_000, help="corpus size, in bytes of text")
    ap.add_argument("--limit", type=int, help="use only the first N documents of the corpus")
    ap.add_argument("--sample", type=int, help="use N documents spread evenly over the corpus (every k-th)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--components", action="store_true", help="also measure each spaCy component")
    ap.add_argument("--workers", help="comma-separated worker counts for paired CLI runs, e.g. 1,2")
    ap.add_argument("--pairs", type=int, default=1)
    ap.add_argument("--curve", help="comma-separated numbers of synthetic documents, e.g. 1000,10000")
    ap.add_argument("--profile", help="write a pyinstrument profile of (b) to this file")
    ap.add_argument("--fusion", help="comma-separated numbers of synthetic mentions: fusion's cost curve")
    ap.add_argument("--store", help="comma-separated numbers of documents of synthetic results: store and fuse only")
    ap.add_argument("--pg", help="a PostgreSQL server URL where databases may be created (default: "
                    "SITROOM_TEST_PG, else a throwaway server when PostgreSQL's binaries are installed)")
    ap.add_argument("--pg-insert", action="store_true", help="also store into PostgreSQL without COPY")
    ap.add_argument("--extract-only", action="store_true", help="--curve: extraction only, no store and fuse")
    args = ap.parse_args()
    if args.store:
        store_curve([int(x) for x in args.store.split(",")], args.pg, args.pg_insert)
        return
    if args.fusion:
        fusion_curve([int(x) for x in args.fusion.split(",")], int((args.workers or "2").split(",")[-1]))
        return
    if args.curve:
        curve([int(x) for x in args.curve.split(",")], [int(x) for x in (args.workers or "1,2").split(",")],
              args.batch_size, args.pg, args.pg_insert, store=not args.extract_only)
        return
    recs, how = build_corpus(args.max_bytes)
    if args.sample and args.sample < len(recs):
        step = len(recs) / args.sample
        recs = [recs[int(i * step)] for i in range(args.sample)]
        how += f"; a sample of {len(recs)} spread over it"
    if args.limit:
        recs = recs[: args.limit]
        how += f"; first {len(recs)} used"
    print(f"corpus: {how}; {words(recs):,} words; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.profile:
        profile(recs, args.profile, args.batch_size)
    elif args.workers:
        paired_workers(recs, [int(x) for x in args.workers.split(",")], args.pairs, args.batch_size)
    else:
        one_process(recs, args.batch_size, args.components)


if __name__ == "__main__":
    main()
