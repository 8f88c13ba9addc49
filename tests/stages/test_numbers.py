from sitroom.stages.numbers import find_numbers


def values(text):
    return [(n.text, n.value, n.qualifier) for n in find_numbers(text)]


def test_digits_separators_and_scales():
    got = values("Some 12,500 people fled and 3.5 million need aid; 1.2m were displaced.")
    assert ("Some 12,500", 12500, "about") in got
    assert ("3.5 million", 3_500_000, None) in got
    assert ("1.2m", 1_200_000, None) in got


def test_qualifiers_set_bounds():
    (n,) = find_numbers("at least 21 civilians")
    assert (n.value, n.low, n.high, n.qualifier) == (21, 21, None, "at least")
    (n,) = find_numbers("close to 400,000 people")
    assert (n.value, n.high, n.qualifier) == (400000, 400000, "close to")


def test_spelled_out_and_vague_counts():
    got = {n.text.lower(): n for n in find_numbers("Twenty-one soldiers and dozens of villagers, several houses")}
    assert got["twenty-one"].value == 21
    assert got["dozens of"].vague and got["dozens of"].value == 12 and got["dozens of"].low == 24
    assert got["several"].value == 10


def test_malformed_grouping_is_flagged_not_split():
    (n,) = find_numbers("350,0000 Syrians have fled")
    assert n.malformed and n.value == 350000 and n.text == "350,0000"


def test_years_and_clock_times_are_not_counts():
    assert values("In 2019 at 10:30 the army moved") == []
