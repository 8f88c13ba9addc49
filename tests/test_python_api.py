"""The Python API (sitroom.extract, sitroom.open) and its documentation.

docs/python-api.md is executed here: every ```python block runs (in order, one namespace, in a copy
of the repository's examples/ folder) and what it prints must equal the ```text block after it.
After a deliberate change of output, regenerate the doc's outputs with
``python tests/test_python_api.py --write`` and read the diff.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "python-api.md"
BLOCK = re.compile(r"```python\n(.*?)```\n(?:\s*```text\n(.*?)```\n)?", re.S)


def run_doc(text: str, workdir: Path) -> list[tuple[re.Match, str]]:
    """(block match, what the block printed) for every python block of ``text``, run in ``workdir``."""
    shutil.copytree(ROOT / "examples", workdir / "examples", dirs_exist_ok=True)
    ns: dict = {"__name__": "__doc__"}
    out = []
    old = os.getcwd()
    os.chdir(workdir)
    try:
        for m in BLOCK.finditer(text):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                exec(compile(m.group(1), f"{DOC.name} block {len(out) + 1}", "exec"), ns)  # noqa: S102 - our own doc
            out.append((m, buf.getvalue()))
    finally:
        os.chdir(old)
    return out


def _norm(s: str) -> str:
    return "\n".join(line.rstrip() for line in s.strip("\n").splitlines())


def test_docs_examples_print_what_the_doc_shows(tmp_path):
    pytest.importorskip("pandas", reason="the doc shows to_pandas(): pip install -e '.[test]'")
    pytest.importorskip("geopandas", reason="the doc shows to_geopandas(): pip install -e '.[test]'")
    text = DOC.read_text(encoding="utf-8")
    ran = run_doc(text, tmp_path)
    assert len(ran) >= 7
    for i, (m, printed) in enumerate(ran, 1):
        if m.group(2) is None:
            assert printed == "", f"block {i} prints but the doc shows no output:\n{printed}"
        else:
            assert _norm(printed) == _norm(m.group(2)), f"block {i} of {DOC.name}:\n{m.group(1)}"


def test_import_is_cheap_and_lazy():
    code = ("import sys, sitroom; heavy = [m for m in ('spacy', 'pandas', 'sqlalchemy', 'sitroom.pipeline', "
            "'sitroom.api', 'fastapi') if m in sys.modules]; print(heavy); "
            "sitroom.open; sitroom.Result; print([m for m in ('spacy', 'pandas', 'sqlalchemy') if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["[]", "[]"]


def test_extract_matches_the_cli_and_reuses_the_model(tmp_path):
    import json

    from typer.testing import CliRunner

    import sitroom
    from sitroom import api
    from sitroom.api import Result, extract
    from sitroom.cli import app

    path = ROOT / "examples" / "composed" / "03_saraqib_shelling.txt"
    out = tmp_path / "o.json"
    r = CliRunner().invoke(app, ["extract", str(path), "--published", "2020-01-15", "--format", "json", "-o", str(out)])
    assert r.exit_code == 0, r.output
    cli = json.loads(out.read_text(encoding="utf-8"))
    got = sitroom.extract(path, published="2020-01-15")
    assert isinstance(got, Result) and got.to_dict() == cli
    assert [e.sub_event_type for e in got.events] == [e["sub_event_type"] for e in cli["events"]]
    misses = api._pipeline.cache_info().misses
    text = path.read_text(encoding="utf-8")
    again = extract(text, published="2020-01-15", doc_id=cli["doc_id"])
    assert again.events == got.events
    assert api._pipeline.cache_info().misses == misses            # the first call's pipeline, reused
    with pytest.raises(TypeError):
        extract(42)


def test_database_reuses_the_cli_filters(tmp_path):
    import sitroom

    with sitroom.open(tmp_path / "d.db") as db:
        stats = db.ingest(ROOT / "examples" / "composed" / "reports.jsonl")
        assert stats.added == 5 and db.ingest(ROOT / "examples" / "composed" / "reports.jsonl").unchanged == 5
        every = db.events()
        assert every and len(db.events(limit=2)) == 2
        syria = db.events(country="syria", type="Air/drone strike")
        assert syria and all(e.sub_event_type == "Air/drone strike" and e.country_code == "SY" for e in syria)
        assert [e.event_id for e in db.events(actor="russia")] == \
            [f"SR{r['id']}" for r in db.store.query_events(actor="russia")]
        assert db.events(since="2030-01-01") == []
        with pytest.raises(ValueError, match="since"):
            db.events(since="2020-13-01")
        assert all(f.kind == "displaced" for f in db.figures(kind="displaced")) and db.figures(kind="displaced")
        assert all(c.kind == "denial" for c in db.claims(kind="denies"))
        assert db.event("SR999999") is None
        pd = pytest.importorskip("pandas")
        df = every.to_pandas()
        assert list(df.columns[:3]) == ["event_id_cnty", "event_date", "year"] and len(df) == len(every)
        assert isinstance(db.figures().to_pandas(), pd.DataFrame)
        assert len(db.events(since="2030-01-01").to_pandas()) == 0


def test_missing_pandas_names_the_extra(monkeypatch):
    import builtins

    from sitroom.api import Table

    real = builtins.__import__

    def no_pandas(name, *a, **kw):
        if name.split(".")[0] in ("pandas", "geopandas"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    for mod in ("pandas", "geopandas"):
        monkeypatch.delitem(sys.modules, mod, raising=False)
    t = Table([{"latitude": 1.0, "longitude": 2.0}])
    with pytest.raises(ImportError, match=r"sitroom\[pandas\]"):
        t.to_pandas()
    with pytest.raises(ImportError, match=r"sitroom\[geo\]"):
        t.to_geopandas()


def test_records_have_attribute_access():
    from sitroom.api import Record

    r = Record({"a": 1, "b": {"c": [{"d": 2}]}})
    assert r.a == 1 and r.b.c[0].d == 2 and r["b"]["c"][0]["d"] == 2
    with pytest.raises(AttributeError, match="no field 'x'"):
        r.x


def _write_doc() -> None:
    """Refill every output block of docs/python-api.md with what its python block prints now."""
    import tempfile

    text = DOC.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as d:
        ran = run_doc(text, Path(d))
    parts, pos = [], 0
    for m, printed in ran:
        parts.append(text[pos:m.start()])
        block = f"```python\n{m.group(1)}```\n"
        if printed:
            block += f"\n```text\n{printed.rstrip()}\n```\n"
        parts.append(block)
        pos = m.end()
    parts.append(text[pos:])
    DOC.write_text("".join(parts), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        _write_doc()
    else:
        sys.exit("usage: python tests/test_python_api.py --write   (refills docs/python-api.md's outputs)")
