"""scripts/readability.py (issue 12, item 20): the counting and the formulas, against values worked out
by hand, so the CI gate on the key texts measures what it says it measures."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("readability", ROOT / "scripts" / "readability.py")
assert spec and spec.loader
r = importlib.util.module_from_spec(spec)
spec.loader.exec_module(r)


@pytest.mark.parametrize(
    "word,n",
    [
        ("y", 1),
        ("que", 1),
        ("hay", 1),
        ("muy", 1),
        ("rey", 1),
        ("buey", 1),  # triphthong
        ("leer", 2),  # hiatus: two strong vowels
        ("día", 2),  # hiatus: accented í
        ("país", 2),
        ("ahí", 2),  # a silent h does not join or split
        ("búho", 2),
        ("ciudad", 2),  # diphthong
        ("huevo", 2),
        ("guerra", 2),  # the u of gue is silent
        ("pingüino", 3),  # but ü is heard
        ("agua", 2),
        ("ayuda", 3),  # y before a vowel is a consonant
        ("poeta", 3),
        ("aéreo", 4),
        ("cooperar", 4),
        ("continúa", 4),
        ("construir", 2),  # two weak vowels: one nucleus
        ("teléfono", 4),
        ("emergencias", 4),
        ("confidencialidad", 6),
        ("averiguáis", 4),
        ("112", 3),  # a number: one syllable per digit
    ],
)
def test_spanish_syllables_are_counted_with_hiatus(word, n):
    assert r.syllables_es(word) == n


@pytest.mark.parametrize(
    "word,n",
    [
        ("the", 1),
        ("group", 1),
        ("make", 1),  # silent e
        ("likes", 1),  # silent -es
        ("places", 2),  # -ces is heard
        ("shared", 1),  # silent -ed
        ("wanted", 2),  # -ted is heard
        ("table", 2),  # syllabic -le
        ("people", 2),
        ("beautiful", 3),
        ("crisis", 2),
        ("confidential", 4),
        ("yourself", 2),
    ],
)
def test_english_syllables(word, n):
    assert r.syllables_en(word) == n


def test_sentences_end_at_full_stops_not_colons_or_web_addresses():
    assert r.sentences("One. Two! Three? Four") == 4
    assert r.sentences("Call 116 123: it is free.") == 1
    assert r.sentences("Chat at 988lifeline.org today.") == 1
    assert r.sentences("") == 0


def test_words_split_italian_elision_but_keep_english_contractions():
    assert r.words("l'esperienza dell'altro", "it") == ["l", "esperienza", "dell", "altro"]
    assert r.words("You don't have to.", "en") == ["You", "don't", "have", "to"]


def test_placeholders_and_tags_read_as_one_short_word():
    assert r.clean("Join “%(name)s” <strong>now</strong>.") == "Join “X” now."


def test_formulas_against_values_worked_out_by_hand():
    c = r.Counts(sentences=5, words=100, syllables=130, letters=450)
    # Flesch: 206.835 - 1.015 * 20 - 84.6 * 1.3
    assert r.flesch(c) == pytest.approx(76.555)
    # Fernández-Huerta: 206.84 - 60 * 1.3 - 1.02 * 20
    assert r.fernandez_huerta(c) == pytest.approx(108.44)
    # Szigriszt-Pazos: 206.835 - 62.3 * 1.3 - 20
    assert r.szigriszt_pazos(c) == pytest.approx(105.845)
    # Gulpease: 89 + (300 * 5 - 10 * 450) / 100
    assert r.gulpease(c) == pytest.approx(59.0)


def test_counts_of_a_spanish_sentence():
    # "Nadie tiene que hablar." = 4 words; Na-die tie-ne que ha-blar = 2 + 2 + 1 + 2 = 7 syllables.
    c = r.count(["Nadie tiene que hablar."], "es")
    assert (c.sentences, c.words, c.syllables) == (1, 4, 7)


def test_gulpease_of_an_italian_sentence():
    # "Ci ascoltiamo." = 2 words, 12 letters, 1 sentence: 89 + (300 - 120) / 2 = 179.
    assert r.gulpease(r.count(["Ci ascoltiamo."], "it")) == pytest.approx(179.0)


def test_template_strings_are_read_as_makemessages_reads_them():
    found = [msgid for _ctx, msgid in r.template_msgids("templates/care/_lines.html")]
    assert "Opening hours" in found
    assert "checked on %(d)s" in found
    assert any(m.startswith("You don't have to go through this alone.") for m in found)


def test_every_key_text_is_measured_in_every_language():
    rows = {row.name: row for row in r.measure_all()}
    assert set(rows) == {
        "sign-up",
        "join and consent",
        "pledge",
        "agreements",
        "leave",
        "crisis page",
        "empty directory",
        "proposal",
        "home",
        "find me a group",
    }
    for row in rows.values():
        assert set(row.values) == {f"{m.lang} {m.name}" for m in r.MEASURES}, row.name


def test_a_key_text_below_its_target_fails_the_check(monkeypatch, capsys):
    long_sentence = (
        "Notwithstanding the aforementioned considerations, participants acknowledge that confidentiality "
        "obligations encompass communications, documentation and recollections indefinitely."
    )
    hard = r.KeyText("hard", data=lambda: {lang: [long_sentence] for lang in r.LANGUAGES})
    monkeypatch.setattr(r, "KEY_TEXTS", (hard,))
    assert r.main() == 1
    assert "below target: hard: en Flesch" in capsys.readouterr().out


def test_plain_key_texts_pass(monkeypatch):
    plain = {
        "en": ["We listen. Nobody has to speak."],
        "es": ["Nos escuchamos. Nadie tiene que hablar."],
        "it": ["Ci ascoltiamo. Nessuno deve parlare."],
        "ca": ["Ens escoltem. Ningú no ha de parlar."],
    }
    monkeypatch.setattr(r, "KEY_TEXTS", (r.KeyText("plain", data=lambda: plain),))
    assert r.main() == 0
