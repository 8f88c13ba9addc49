"""The one loader for data files (sitroom.data): packaged files, SITROOM_DATA overrides that
replace or extend them, the merge rule, clear errors, and caches that follow the override."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sitroom import data
from sitroom.kb.actors import ActorDictionary
from sitroom.model import Document
from sitroom.nlp import parse_one

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def override(tmp_path, monkeypatch):
    """A directory put on SITROOM_DATA; write files into it with ``override(name, text)``."""
    d = tmp_path / "mydata"
    d.mkdir()
    monkeypatch.setenv(data.ENV, str(d))

    def write(name: str, text: str) -> Path:
        p = d / name
        p.write_text(text, encoding="utf-8")
        data.cache_clear()
        return p
    yield write
    data.cache_clear()


# ---------------------------------------------------------------------- the rule

def test_merge_rule():
    base = {"a": [1, 2], "m": {"x": 1, "y": {"z": 1}}, "s": "old",
            "named": [{"name": "A", "v": [1]}, {"name": "B", "v": [2]}]}
    extra = {"a": [3], "m": {"y": {"w": 2}}, "s": "new", "t": 5,
             "named": [{"name": "B", "v": [3], "k": 1}, {"name": "C"}]}
    out = data.merge(base, extra)
    assert out == {"a": [1, 2, 3], "m": {"x": 1, "y": {"z": 1, "w": 2}}, "s": "new", "t": 5,
                   "named": [{"name": "A", "v": [1]}, {"name": "B", "v": [2, 3], "k": 1},
                             {"name": "C"}]}
    assert base["a"] == [1, 2] and base["named"][1] == {"name": "B", "v": [2]}   # unchanged


def test_no_override_is_the_packaged_file(monkeypatch):
    monkeypatch.delenv(data.ENV, raising=False)
    packaged = (ROOT / "sitroom" / "data" / "gazetteer_extra.yaml").read_bytes()
    assert data.fingerprint("gazetteer_extra.yaml") == hashlib.sha1(packaged).hexdigest()[:8]
    assert [Path(str(s)).name for s in data.sources("actors.yaml")] == ["actors.yaml"]


def test_a_file_without_extends_replaces(override):
    override("notes.yaml", "templates:\n  only: 'one'\n")
    assert data.load("notes.yaml") == {"templates": {"only": "one"}}


def test_first_directory_has_the_last_word(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (second / "tracking_params.yaml").write_text("extends: packaged\nnames: [from_second]\n")
    (first / "tracking_params.yaml").write_text("extends: packaged\nnames: [from_first]\n")
    monkeypatch.setenv(data.ENV, os.pathsep.join([str(first), str(second)]))
    names = data.load("tracking_params.yaml")["names"]
    assert names[-2:] == ["from_second", "from_first"] and "utm_source" not in names[-2:]
    # a replacing file in the first directory discards everything beneath it
    (first / "tracking_params.yaml").write_text("names: [only]\nprefixes: []\n")
    data.cache_clear()
    try:
        assert data.load("tracking_params.yaml") == {"names": ["only"], "prefixes": []}
    finally:
        data.cache_clear()


# ---------------------------------------------------------------------- errors

def test_malformed_override_names_file_and_line(override):
    p = override("actors.yaml", "extends: packaged\nactors:\n  - name: [unclosed\n")
    with pytest.raises(data.DataFileError) as exc:
        data.load("actors.yaml")
    msg = str(exc.value)
    assert str(p) in msg and "line 4" in msg and "not valid YAML" in msg


def test_extends_only_packaged(override):
    override("actors.yaml", "extends: upstream\nactors: []\n")
    with pytest.raises(data.DataFileError, match="'extends' must be 'packaged'"):
        data.load("actors.yaml")


def test_extending_a_file_that_does_not_exist(override):
    override("no_such_file.yaml", "extends: packaged\nx: 1\n")
    with pytest.raises(data.DataFileError, match="no packaged mapping"):
        data.load("no_such_file.yaml")
    with pytest.raises(data.DataFileError, match="no data file"):
        data.load("neither.yaml")


def test_checks_run_on_the_merged_result(override):
    from sitroom.stages import places
    override("place_words.yaml", "extends: packaged\ncommon_words: [Mytown, yes]\n")
    with pytest.raises(ValueError, match=r"place_words.yaml: common_words: quote these entries: \[True\]"):
        places._place_words()


def test_doctor_names_a_broken_override(override):
    from sitroom.ops import check_data_files
    p = override("taxonomy.yaml", "extends: packaged\ncue_sets: {a: [b}\n")
    check = check_data_files()
    assert check.status == "FAIL" and str(p) in check.message and "line 2" in check.message


def test_doctor_names_a_calibration_model_of_the_wrong_sign(override):
    from sitroom.ops import check_data_files
    from sitroom.stages.calibration import load_model
    override("calibration.yaml", "extends: packaged\ncoef: {dup_type: 0.7}\n")
    try:
        check = check_data_files()
        assert check.status == "FAIL" and "calibration.yaml" in check.message and "dup_type" in check.message
        with pytest.raises(ValueError, match="wrong sign"):
            load_model()
    finally:
        load_model.cache_clear()


# ---------------------------------------------------------------------- the actor dictionary

MACINA = ("extends: packaged\nactors:\n  - {name: 'Katiba Macina', type: rebel_group, country: ML,\n"
          "     aliases: ['Macina Liberation Front', 'FLM']}\n")


def test_actor_dictionary_extended(override):
    from sitroom.stages.actors import ActorFinder
    packaged = ActorDictionary.load()
    override("actors.yaml", MACINA)
    kb = ActorDictionary.load()
    assert len(kb.actors) == len(packaged.actors) + 1
    assert kb.actors[-1]["id"] == "katiba_macina"
    assert kb.countries == packaged.countries
    an = parse_one(Document(doc_id="t", text="The FLM ambushed the army near Mopti."))
    ActorFinder()(an, "ML")
    assert {m.actor for m in an.actors} == {"Katiba Macina", "Military Forces of Mali"}


def test_actor_dictionary_replaced(override):
    from sitroom.stages.actors import ActorFinder
    override("actors.yaml",
             "countries:\n  - [ML, Mali, [Malian], Bamako]\n"
             "heads:\n  modifiers: []\n  military:\n    type: state_forces\n"
             "    name: 'Military Forces of {country}'\n    words: [army]\n    generic: ['the army']\n"
             "actors:\n  - {name: 'Katiba Macina', type: rebel_group, country: ML, aliases: [FLM]}\n")
    kb = ActorDictionary.load()
    assert list(kb.countries) == ["ML"] and len(kb.actors) == 1
    an = parse_one(Document(doc_id="t", text="Russian troops and the FLM clashed in Syria."))
    ActorFinder()(an, "ML")
    assert {m.actor for m in an.actors} == {"Katiba Macina"}     # no Russia in this dictionary


def test_malformed_actor_entry_is_refused(override):
    override("actors.yaml", "extends: packaged\ncountries:\n  - [XX, Nowhere]\n")
    with pytest.raises(ValueError, match=r"actors.yaml: countries: each entry is"):
        ActorDictionary.load()


# ---------------------------------------------------------------------- the taxonomy

def _classify(finder, text):
    an = parse_one(Document(doc_id="t", text=text))
    finder(an)
    return finder.classify_text(an)


def test_taxonomy_extended_by_name(override):
    from sitroom.stages.triggers import TriggerFinder
    text = "Pirates boarded the tanker and seized its crew off the coast."
    before = TriggerFinder()
    # a trigger added to an existing sub-event type (merged by name), and a new sub-event type
    override("taxonomy.yaml", """extends: packaged
cue_sets:
  sea: [tanker, ship, vessel]
event_types:
- name: Explosions/Remote violence
  sub_event_types:
  - name: Naval mine
    code: NAVAL_MINE
    plover: {type: ASSAULT, mode: naval}
    triggers:
      - {phrase: "mine|mines", weight: 0.9, require: ["@sea"]}
- name: Violence against civilians
  sub_event_types:
  - name: Abduction/forced disappearance
    triggers:
      - {phrase: "board|boarded", weight: 0.95, require: ["@sea"]}
""")
    after = TriggerFinder()
    assert len(after.taxonomy["event_types"]) == len(before.taxonomy["event_types"])
    assert set(after.sub_event_types) == set(before.sub_event_types) | {"Naval mine"}
    abd = after.sub_event_types["Abduction/forced disappearance"]
    assert abd == before.sub_event_types["Abduction/forced disappearance"]   # code, plover kept
    n_before = sum(1 for k in before.specs if k.startswith("Abduction/forced disappearance#"))
    n_after = sum(1 for k in after.specs if k.startswith("Abduction/forced disappearance#"))
    assert n_after == n_before + 1
    t = _classify(after, "A mine struck the tanker in the strait.")
    assert t is not None and t.sub_event_type == "Naval mine" and t.plover == "ASSAULT:naval"
    t = _classify(after, text)
    assert t is not None and t.sub_event_type == "Abduction/forced disappearance"
    # the rest of the packaged taxonomy still works
    t = _classify(after, "Russian jets carried out air strikes on Idlib on Monday.")
    assert t is not None and t.sub_event_type == "Air/drone strike"


def test_taxonomy_override_is_checked(override):
    from sitroom.stages.triggers import TriggerFinder
    override("taxonomy.yaml", "extends: packaged\nevent_types:\n- name: Riots\n  sub_event_types:\n"
             "  - name: Mob violence\n    triggers:\n      - {phrase: lynch, require: ['@nowhere']}\n")
    with pytest.raises(ValueError, match="unknown cue set @nowhere"):
        TriggerFinder()


# ---------------------------------------------------------------------- place word lists

def _run(code: str, env_dir: Path | None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop(data.ENV, None)
    if env_dir is not None:
        env[data.ENV] = str(env_dir)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_place_words_extended(tmp_path):
    """The word lists are read when the module is imported: set SITROOM_DATA before starting."""
    d = tmp_path / "mydata"
    d.mkdir()
    (d / "place_words.yaml").write_text("extends: packaged\ncommon_words: [zyxwville]\n"
                                        "city_cues: [burg]\n")
    code = ("from sitroom.stages import places; "
            "print('zyxwville' in places.COMMON_WORDS, 'burg' in places.CITY_CUES, "
            "'man' in places.COMMON_WORDS, 'city' in places.CITY_CUES)")
    assert _run(code, None).stdout.split() == ["False", "False", "True", "True"]
    r = _run(code, d)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "True", "True", "True"]


def test_demonyms_extended(override):
    from sitroom.stages.places import PlaceExtractor, demonyms
    override("demonyms.yaml", "extends: packaged\nZyxwish: SY\n")
    assert demonyms()["Zyxwish"] == "SY" and demonyms()["Syrian"] == "SY"
    ext = PlaceExtractor()
    an = parse_one(Document(doc_id="t", text="Zyxwish forces shelled the town on Monday."))
    ext(an)
    assert [(p.text, p.country_code) for p in an.places] == [("Zyxwish", "SY")]


# ---------------------------------------------------------------------- caches

def test_gazetteer_cache_is_keyed_on_the_override(override):
    from sitroom.kb.gazetteer import Gazetteer
    plain = Gazetteer.cache_path()
    override("gazetteer_extra.yaml", "extends: packaged\ndisplay_names: {XK: Kosova}\n")
    keyed = Gazetteer.cache_path()
    assert keyed != plain and keyed.parent == plain.parent
    assert data.load("gazetteer_extra.yaml")["display_names"]["XK"] == "Kosova"
    override("gazetteer_extra.yaml", "extends: packaged\ndisplay_names: {XK: Kosovo}\n")
    assert Gazetteer.cache_path() not in (plain, keyed)       # the override's bytes count


def test_loads_follow_the_search_path(override, monkeypatch):
    override("notes.yaml", "templates: {x: y}\n")
    mine = data.load("notes.yaml")
    assert mine == {"templates": {"x": "y"}}
    monkeypatch.delenv(data.ENV)
    packaged = data.load("notes.yaml")
    assert "default" in packaged["templates"] and data.load("notes.yaml") is packaged
    monkeypatch.setenv(data.ENV, str(override("other.yaml", "{}").parent))
    assert data.load("notes.yaml") == mine            # each search path its own parse
    from sitroom.stages.places import demonyms
    assert "Zyxwish" not in demonyms()

def test_gazetteer_extra_replaced_without_its_tables(tmp_path):
    d = tmp_path / "mydata"
    d.mkdir()
    (d / "gazetteer_extra.yaml").write_text("display_names: {XK: Kosova}\n")
    r = _run("import sitroom.kb.gazetteer", d)
    assert r.returncode == 1
    assert "gazetteer_extra.yaml: missing extra_aliases, country_centres" in r.stderr
    assert "extends: packaged" in r.stderr
