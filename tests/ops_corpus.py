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

ROOT = Path(__file__).resolve().parents[1]      # the repository: child processes run its sitroom
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
