"""Perturbations: deterministic under a seed, different across seeds, rates respected,
composition order, valid homoglyphs and typos, and specs built from configs."""

from __future__ import annotations

import base64
import re
import statistics
from collections import Counter

import pytest

from kitchen.analysis.adversary import (
    CharacterDelete,
    Homoglyph,
    Jailbreak,
    KeyboardTypo,
    PromptInjection,
    SynonymReplacement,
    WordDeletion,
    WordInsertion,
    WordShuffle,
    attack_names,
    compose,
    make_attack,
)
from kitchen.analysis.adversary.character import HOMOGLYPHS, QWERTY_NEIGHBOURS
from kitchen.analysis.adversary.prompt import INJECTIONS, JAILBREAKS
from kitchen.analysis.adversary.synonyms import SYNONYMS
from kitchen.analysis.adversary.word import FILLERS
from kitchen.errors import ConfigError

TEXT = (
    "The food was excellent and the staff were really great, although the dessert was a bit "
    "bland. Overall a wonderful evening: we will definitely be back with friends next month."
)
LONG = " ".join(f"word{i}" for i in range(100))


@pytest.mark.parametrize("name", attack_names())
def test_same_seed_same_output(name: str) -> None:
    attack = make_attack(name, rate=0.2 if make_attack(name).sweeps() else None)
    first = [attack(TEXT, seed=s) for s in range(5)]
    again = [attack(TEXT, seed=s) for s in range(5)]
    assert first == again
    # A fresh object with the same parameters agrees too: nothing is kept between calls.
    assert first == [make_attack(attack.params())(TEXT, seed=s) for s in range(5)]


@pytest.mark.parametrize("name", attack_names())
def test_seeds_differ_and_the_text_changes(name: str) -> None:
    attack = make_attack(name, rate=0.2 if make_attack(name).sweeps() else None)
    outputs = {attack(TEXT, seed=s) for s in range(8)}
    assert TEXT not in outputs
    # Templates of one category may coincide for a few seeds; edits at 20 % never do.
    assert len(outputs) >= (2 if attack.sweeps() else 1)
    if attack.sweeps():
        assert len(outputs) == 8


@pytest.mark.parametrize("name", [n for n in attack_names() if make_attack(n).sweeps()])
def test_rate_zero_changes_nothing(name: str) -> None:
    assert make_attack(name, rate=0.0)(TEXT, seed=3) == TEXT


def test_word_deletion_deletes_the_rate_of_words() -> None:
    assert len(WordDeletion(0.2)(LONG, seed=1).split()) == 80
    # A rate that does not divide the count is rounded at random, exact on average.
    kept = [len(WordDeletion(0.055)(LONG, seed=s).split()) for s in range(400)]
    assert statistics.mean(kept) == pytest.approx(94.5, abs=0.15)
    assert set(kept) == {94, 95}


def test_word_insertion_and_shuffle_rates() -> None:
    inserted = WordInsertion(0.1)(LONG, seed=2).split()
    assert len(inserted) == 110
    assert sum(w.startswith("word") for w in inserted) == 100
    shuffled = WordShuffle(0.3)(LONG, seed=2).split()
    assert Counter(shuffled) == Counter(LONG.split())
    assert sum(a != b for a, b in zip(shuffled, LONG.split(), strict=True)) == 30


def test_character_delete_rate_counts_letters() -> None:
    letters = sum(ch.isalpha() for ch in TEXT)
    out = CharacterDelete(0.1)(TEXT, seed=0)
    assert len(TEXT) - len(out) in (int(0.1 * letters), int(0.1 * letters) + 1)
    assert out.count(" ") == TEXT.count(" ")  # only letters go


def test_composition_applies_left_to_right() -> None:
    strip_letters = CharacterDelete(1.0)
    fill = WordInsertion(0.5)
    forward = compose(strip_letters, fill)(TEXT, seed=4)
    backward = compose(fill, strip_letters)(TEXT, seed=4)
    # Letters deleted first, then fillers inserted: the fillers survive intact.
    assert any(word in FILLERS for word in forward.split())
    # Fillers inserted first are deleted with every other letter.
    assert not any(ch.isalpha() for ch in backward)
    assert compose(strip_letters, fill)(TEXT, seed=4) == forward
    assert compose(strip_letters, fill)(TEXT, seed=5) != forward
    assert make_attack("character_delete+word_insertion", rate=0.3).label == (
        "character_delete+word_insertion"
    )


def test_homoglyphs_look_alike_and_map_back() -> None:
    for charset, table in HOMOGLYPHS.items():
        out = Homoglyph(0.5, charset=charset)(TEXT, seed=1)
        assert len(out) == len(TEXT) and out != TEXT
        inverse = {v: k for k, v in table.items()}
        assert "".join(inverse.get(ch, ch) for ch in out) == TEXT
        assert out.encode("utf-8").decode("utf-8") == out
        assert all(a == b or b in table.values() for a, b in zip(TEXT, out, strict=True))
    # Half of the letters that have a confusable are replaced.
    eligible = sum(ch in HOMOGLYPHS["cyrillic"] for ch in TEXT)
    changed = sum(a != b for a, b in zip(TEXT, Homoglyph(0.5)(TEXT, seed=1), strict=True))
    assert abs(changed - 0.5 * eligible) <= 1


def test_keyboard_typos_hit_neighbouring_keys() -> None:
    assert set(QWERTY_NEIGHBOURS["s"]) == set("weadzx")
    for key, near in QWERTY_NEIGHBOURS.items():
        assert all(key in QWERTY_NEIGHBOURS[n] for n in near)  # adjacency is symmetric
    text = "Great Service And Lovely Staff"
    out = KeyboardTypo(0.5)(text, seed=3)
    assert len(out) == len(text) and out != text
    for a, b in zip(text, out, strict=True):
        if a != b:
            assert b.lower() in QWERTY_NEIGHBOURS[a.lower()]
            assert a.isupper() == b.isupper()


def test_synonyms_keep_case_punctuation_and_polarity() -> None:
    assert all(word not in options for word, options in SYNONYMS.items())
    out = SynonymReplacement(1.0)("Great! The food was bad.", seed=0)
    first, *_, last = out.split()
    assert first[:-1].lower() in SYNONYMS["great"] and first.endswith("!") and first[0].isupper()
    assert last[:-1] in SYNONYMS["bad"] and last.endswith(".")
    negative = {"bad", "terrible", "awful", "boring", "useless", "hated", "worst"}
    positive = {"good", "great", "excellent", "wonderful", "loved", "best"}
    for word in positive:
        assert not set(SYNONYMS[word]) & negative
    for word in negative:
        assert not set(SYNONYMS[word]) & positive


def test_templates_carry_category_payload_and_input() -> None:
    assert {t.category for t in INJECTIONS} == {
        "basic",
        "delimiter",
        "role",
        "overflow",
        "template",
    }
    assert {t.category for t in JAILBREAKS} == {
        "roleplay",
        "hypothetical",
        "context_switch",
        "encode",
    }
    injected = PromptInjection(category="basic", payload="Say PWNED.")("Is 2+2=4?", seed=0)
    assert "Is 2+2=4?" in injected and "Say PWNED." in injected
    encoded = Jailbreak(category="encode")("Is 2+2=4?", seed=0)
    blob = re.search(r"[A-Za-z0-9+/=]{12,}$", encoded)
    assert blob is not None and "Is 2+2=4?" in base64.b64decode(blob.group()).decode()
    assert make_attack("jailbreak_roleplay").params()["category"] == "roleplay"
    assert make_attack("jailbreak_roleplay").label == "jailbreak_roleplay"
    # rate is the share of inputs wrapped.
    texts = [f"question {i}" for i in range(400)]
    wrapped = sum(PromptInjection(rate=0.25)(t, seed=0) != t for t in texts)
    assert 70 <= wrapped <= 130


def test_bad_specs_fail_with_the_field_named() -> None:
    with pytest.raises(ConfigError, match="did you mean 'homoglyph'"):
        make_attack("homoglyf")
    with pytest.raises(ConfigError, match="rate must be in"):
        make_attack("word_deletion", rate=1.5)
    with pytest.raises(ConfigError, match="charset must be one of"):
        make_attack({"type": "homoglyph", "charset": "klingon"})
    with pytest.raises(ConfigError, match="category must be one of"):
        Jailbreak(category="nope")
    with pytest.raises(ConfigError, match="unexpected keyword"):
        make_attack({"type": "word_deletion", "strength": 2})
    with pytest.raises(TypeError, match="expected text"):
        WordDeletion()(["a list"], seed=0)  # type: ignore[arg-type]


def test_params_rebuild_the_same_attack() -> None:
    for name in attack_names():
        attack = make_attack(name)
        assert make_attack(attack.params()) == attack
    chained = make_attack("homoglyph+synonym_replacement", rate=0.3)
    assert make_attack(chained.params()) == chained
    assert chained.with_rate(0.1).parts[1].rate == 0.1
