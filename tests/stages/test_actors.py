"""Actor dictionary, generic resolution with a document country, and role assignment."""
import pytest
from tests.helpers.shared_data import need_shared

from sitroom.stages.triggers import TriggerFinder
from sitroom.model import Document
from sitroom.nlp import parse_one
from sitroom.stages.actors import ActorFinder, assign_roles


@pytest.fixture(scope="module")
def finders():
    return TriggerFinder(), ActorFinder()


def run(finders, text, cc=None):
    tf, af = finders
    an = parse_one(Document(doc_id="t", text=text))
    tf(an)
    af(an, country_code=cc)
    return an


def names(an):
    return {m.text: m.actor for m in an.actors}


def roles(an, sub):
    t = next(t for t in an.triggers if t.sub_event_type == sub)
    r = assign_roles(an, t)
    return {k: (v.actor if v else None) for k, v in r.items()}


@pytest.mark.parametrize("text,mention,actor", [
    ("Russian warplanes struck the town.", "Russian warplanes", "Military Forces of Russia"),
    ("Syrian jets pounded the village.", "Syrian jets", "Military Forces of Syria"),
    ("The Assad regime denied the report.", "Assad regime", "Military Forces of Syria"),
    ("Iranian-backed militias advanced.", "Iranian-backed militias", "Iran-backed militias"),
    ("Pro-Iranian militias advanced.", "Pro-Iranian militias", "Iran-backed militias"),
    ("HTS fighters repelled the attack.", "HTS", "Hayat Tahrir al-Sham"),
    ("Daesh claimed the attack.", "Daesh", "Islamic State"),
    ("The Houthis fired a missile.", "Houthis", "Houthi Movement"),
    ("Ansar Allah fired a missile.", "Ansar Allah", "Houthi Movement"),
    ("The Saudi-led coalition carried out raids.", "Saudi-led coalition", "Saudi-led Coalition"),
    ("Al-Shabaab militants attacked a base.", "Al-Shabaab militants", "Al Shabaab"),
    ("JNIM claimed the ambush.", "JNIM", "JNIM: Group for Support of Islam and Muslims"),
    ("Boko Haram fighters raided the village.", "Boko Haram fighters", "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"),
    ("ISWAP fighters raided the village.", "ISWAP", "Islamic State West Africa Province"),
    ("Wagner mercenaries were deployed.", "Wagner mercenaries", "Wagner Group"),
    ("Ukrainian forces repelled an assault.", "Ukrainian forces", "Military Forces of Ukraine"),
    ("Pro-Russian separatists shelled Avdiivka.", "Pro-Russian separatists", "Donbas Separatists"),
    ("The SDF said it had detained the men.", "SDF", "Syrian Democratic Forces"),
    ("Iraqi police detained two men.", "Iraqi police", "Police Forces of Iraq"),
    ("Sudanese protesters marched.", "Sudanese protesters", "Protesters (Sudan)"),
    ("Syria's army advanced.", "Syria's army", "Military Forces of Syria"),
    ("Malian soldiers were killed.", "Malian soldiers", "Military Forces of Mali"),
])
def test_aliases(finders, text, mention, actor):
    an = run(finders, text)
    assert names(an).get(mention) == actor, names(an)


def test_acronym_is_case_sensitive(finders):
    an = run(finders, "The report is clear: IS fighters attacked the town.")
    assert [m.actor for m in an.actors if m.text.lower() == "is"] == ["Islamic State"]


@pytest.mark.parametrize("text,cc,mention,actor", [
    ("Government forces attacked the camp.", "ML", "Government forces", "Military Forces of Mali"),
    ("Police dispersed the crowd.", "SD", "Police", "Police Forces of Sudan"),
    ("Gunmen killed five villagers.", "NG", "Gunmen", "Unidentified Armed Group (Nigeria)"),
    ("Gunmen killed five villagers.", "NG", "villagers", "Civilians (Nigeria)"),
    ("Gunmen killed five villagers.", None, "Gunmen", "Unidentified Armed Group"),
    ("Gunmen killed five villagers.", None, "villagers", "Civilians"),
    ("The regime shelled the town.", "SY", "The regime", "Military Forces of Syria"),
    ("Security forces arrested militants.", "EG", "Security forces", "Military Forces of Egypt"),
    ("Protesters gathered in the capital.", "LB", "Protesters", "Protesters (Lebanon)"),
])
def test_generic_with_country(finders, text, cc, mention, actor):
    an = run(finders, text, cc)
    assert names(an).get(mention) == actor, names(an)


def test_external_force_type(finders):
    an = run(finders, "Russian jets bombed Idlib.", "SY")
    m = next(m for m in an.actors if m.text == "Russian jets")
    assert m.actor_type == "external_force" and m.country_code == "RU"
    an = run(finders, "Syrian jets bombed Idlib.", "SY")
    m = next(m for m in an.actors if m.text == "Syrian jets")
    assert m.actor_type == "state_forces" and m.actor_id == "military_forces_of_syria"


def test_coordinated_demonyms(finders):
    an = run(finders, "Russian and Syrian jets pounded the town of Ariha.", "SY")
    assert [m.actor for m in an.actors][:2] == ["Military Forces of Russia", "Military Forces of Syria"]
    r = roles(an, "Air/drone strike")
    assert r["actor1"] == "Military Forces of Russia"
    assert r["assoc_actor_1"] == "Military Forces of Syria"


def test_modifier_is_not_actor(finders):
    an = run(finders, "Fighting continued in opposition-held Idlib.", "SY")
    assert not [m for m in an.actors if m.text.lower().startswith("opposition")]


def test_offsets(finders):
    text = "In Yemen, the Saudi-led coalition struck Houthi positions."
    an = run(finders, text, "YE")
    for m in an.actors:
        assert text[m.start:m.end] == m.text


def test_roles_airstrike_yemen(finders):
    an = run(finders, "Saudi-led coalition air strikes killed 12 civilians in Hodeidah on Monday.", "YE")
    r = roles(an, "Air/drone strike")
    assert r["actor1"] == "Saudi-led Coalition"
    assert r["actor2"] == "Civilians (Yemen)"


def test_roles_passive_agent(finders):
    an = run(finders, "The village was targeted by Russian warplanes on Thursday.", "SY")
    r = roles(an, "Air/drone strike")
    assert r["actor1"] == "Military Forces of Russia"


def test_roles_clash_sahel(finders):
    an = run(finders, "Malian soldiers clashed with JNIM fighters near Mopti on Sunday.", "ML")
    r = roles(an, "Armed clash")
    assert r["actor1"] == "Military Forces of Mali"
    assert r["actor2"] == "JNIM: Group for Support of Islam and Muslims"


def test_roles_backed_by(finders):
    an = run(finders, "Government troops backed by Wagner fighters attacked rebel positions near Bambari.", "CF")
    r = roles(an, "Armed clash")
    assert r["actor1"] == "Military Forces of Central African Republic"
    assert r["assoc_actor_1"] == "Wagner Group"


def test_roles_protest(finders):
    an = run(finders, "Police fired tear gas at protesters in Nairobi on Monday.", "KE")
    r = roles(an, "Protest with intervention")
    assert r["actor1"] == "Protesters (Kenya)"
    assert r["actor2"] == "Police Forces of Kenya"


def test_roles_arrest_and_kidnapping(finders):
    an = run(finders, "Turkish police arrested 20 members of the PKK in Diyarbakir.", "TR")
    r = roles(an, "Arrests")
    assert r["actor1"] == "Police Forces of Turkey"
    an = run(finders, "Gunmen abducted 12 villagers in Katsina state.", "NG")
    r = roles(an, "Abduction/forced disappearance")
    assert r["actor1"] == "Unidentified Armed Group (Nigeria)"
    assert r["actor2"] == "Civilians (Nigeria)"


def test_roles_victims(finders):
    an = run(finders, "Five civilians were killed when an IED exploded near a market in Mopti.", "ML")
    r = roles(an, "Remote explosive/landmine/IED")
    assert r["actor2"] == "Civilians (Mali)"


def test_seed(finders):
    text = need_shared("seeds/000_c623d46ca901d4fa.txt").read_text(encoding="utf-8")
    an = run(finders, text, "SY")
    first = next(t for t in an.triggers if t.text == "ground offensive" and t.start > text.index("The Syrian regime and"))
    r = assign_roles(an, first)
    assert r["actor1"].actor == "Military Forces of Syria"
    assert r["assoc_actor_1"].actor == "Iran-backed militias"
    i = text.index("the same region was targeted")
    air = next(t for t in an.triggers if i <= t.start < i + 80)
    assert air.sub_event_type == "Air/drone strike"
    assert assign_roles(an, air)["actor1"].actor == "Military Forces of Russia"
    shell = next(t for t in an.triggers if t.text == "shelling")
    assert assign_roles(an, shell)["actor1"].actor == "Military Forces of Syria"
    denial = next(t for t in an.triggers if t.start > text.index("Moscow denied"))
    assert denial.negated


def test_custom_dictionary(tmp_path):
    p = tmp_path / "actors.yaml"
    p.write_text(
        "countries:\n  - [ML, Mali, [Malian], Bamako]\n"
        "heads:\n  modifiers: []\n  military:\n    type: state_forces\n    name: 'Military Forces of {country}'\n"
        "    fallback: 'Military Forces'\n    words: [army]\n    generic: ['the army']\n"
        "actors:\n  - {name: 'Katiba Macina', type: rebel_group, country: ML, aliases: ['Macina Liberation Front', 'FLM']}\n")
    af = ActorFinder(p)
    an = parse_one(Document(doc_id="t", text="The FLM ambushed the army near Mopti."))
    af(an, "ML")
    assert {m.actor for m in an.actors} == {"Katiba Macina", "Military Forces of Mali"}
