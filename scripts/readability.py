"""How plain are Mutua's key texts, in each of its four languages? (issue 12, item 20)

Prints one row per key text (sign-up, join and consent, pledge, agreements, leave, crisis page, empty
directory, proposal, home, "Find me a group") and one column per measure, and exits with 1 when a key
text is below its target:

    en  Flesch reading ease                       >= 75
    es  Fernández-Huerta                          >= 75
    es  Szigriszt-Pazos (perspicuity)             >= 70
    it  Gulpease                                  >= 75
    ca  average words per sentence                <= 12  (Catalan has no validated formula)

A key text is the prose of the interface strings found in its files (taken from the catalogues, so the
English is the msgid and the other languages the translation), plus a few named strings and the
curated data (pledge, agreements, crisis lines). Prose means a string with a sentence in it: labels and
buttons ("Save", "Search") are left out, as they would make any page look easier than it reads.

Counting, in plain code with no dependency (textstat undercounts Spanish syllables):
- a sentence ends at . ! or ? (followed by a space or the end); a colon does not end one;
- words are runs of letters and digits; in es/it/ca an apostrophe separates words ("l'esperienza" is
  two, as Gulpease counts), in English it does not ("don't" is one);
- Spanish syllables are vowel nuclei, with diphthongs and triphthongs as one nucleus and hiatus (two
  strong vowels, or an accented í/ú next to a strong vowel) as two; silent h and the u of que/qui/gue/
  gui do not count; y is a vowel only when no vowel follows it ("hay", "y", but not "ayuda");
- English syllables are vowel groups, less a silent final e, -es or -ed ("make", "likes", "shared"),
  keeping syllabic -le ("table");
- a number counts one syllable per digit.
"""

import ast
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mutua.settings import LANGUAGES as INTERFACE_LANGUAGES  # noqa: E402 - the one list of languages

LANGUAGES = tuple(code for code, _name in INTERFACE_LANGUAGES)
TRANSLATED = tuple(code for code in LANGUAGES if code != "en")  # the catalogues; English is the msgid

# --------------------------------------------------------------------------- counting

SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*[\w.]+\s*\}\}")
TAG = re.compile(r"<[^>]+>")


def clean(text: str) -> str:
    """Text as a reader sees it: no HTML tags; a placeholder reads as one short word."""
    return PLACEHOLDER.sub("X", TAG.sub("", text)).strip()


def sentences(text: str) -> int:
    """Sentences in a text; a text without final punctuation is still one sentence."""
    text = text.strip()
    if not text:
        return 0
    n = len(SENTENCE_END.findall(text))
    return n + (0 if SENTENCE_END.search(text[-1:] + " ") else 1)


def words(text: str, lang: str) -> list[str]:
    if lang == "en":
        return re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text)
    return re.findall(r"[^\W_]+", text)


def letters(word: str) -> int:
    return sum(ch.isalnum() for ch in word)


def _number_syllables(word: str) -> int:
    return sum(ch.isdigit() for ch in word)


STRONG = set("aeoáéó")
WEAK_ACCENTED = set("íú")


def syllables_es(word: str) -> int:
    """Spanish syllables: one per vowel nucleus, splitting at hiatus."""
    if any(ch.isdigit() for ch in word):
        return max(1, _number_syllables(word))
    w = word.lower()
    w = re.sub(r"([qg])u([eéií])", r"\1\2", w)  # que, qui, gue, gui: a silent u
    w = w.replace("h", "")  # h is silent and never separates vowels
    vowels = set("aeiouáéíóúü")
    count = 0
    prev = ""  # the previous vowel in the current run, "" after a consonant
    for i, ch in enumerate(w):
        is_vowel = ch in vowels or (ch == "y" and (i + 1 == len(w) or w[i + 1] not in vowels))
        if ch == "y" and is_vowel and prev:
            ch = "i"  # "hay", "muy", "rey": a glide closing the diphthong
        if not is_vowel:
            prev = ""
            continue
        if not prev:
            count += 1
        elif (
            (prev in STRONG and ch in STRONG)
            or (prev in WEAK_ACCENTED and ch in STRONG)
            or (prev in STRONG and ch in WEAK_ACCENTED)
        ):
            count += 1  # hiatus: a new syllable
        prev = ch
    return max(1, count) if any(c.isalpha() for c in w) else 0


def syllables_en(word: str) -> int:
    """English syllables by vowel groups, with the common silent endings removed."""
    if any(ch.isdigit() for ch in word):
        return max(1, _number_syllables(word))
    w = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", word.lower()))
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    if w.endswith("e") and not (w.endswith("le") and w[-3] not in "aeiouy"):
        w = w[:-1]
    elif re.search(r"[^sxzcgh]es$|[^td]ed$", w):  # silent -es and -ed ("likes", "shared")
        w = w[:-2]
    return max(1, len(re.findall(r"[aeiouy]+", w)))


# --------------------------------------------------------------------------- formulas


@dataclass(frozen=True)
class Counts:
    sentences: int
    words: int
    syllables: int
    letters: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences

    @property
    def syllables_per_word(self) -> float:
        return self.syllables / self.words


def flesch(c: Counts) -> float:
    """Flesch reading ease (English)."""
    return 206.835 - 1.015 * c.words_per_sentence - 84.6 * c.syllables_per_word


def fernandez_huerta(c: Counts) -> float:
    """Fernández-Huerta (Spanish), with words per sentence as the sentence term (Law's correction)."""
    return 206.84 - 60 * c.syllables_per_word - 1.02 * c.words_per_sentence


def szigriszt_pazos(c: Counts) -> float:
    """Szigriszt-Pazos perspicuity (Spanish)."""
    return 206.835 - 62.3 * c.syllables_per_word - c.words_per_sentence


def gulpease(c: Counts) -> float:
    """Gulpease (Italian): letters, not syllables."""
    return 89 + (300 * c.sentences - 10 * c.letters) / c.words


def count(texts: Iterable[str], lang: str) -> Counts:
    syllables: Callable[[str], int] = syllables_es if lang == "es" else syllables_en
    n_sent = n_words = n_syll = n_letters = 0
    for raw in texts:
        text = clean(raw)
        ws = words(text, lang)
        if not ws:
            continue
        n_sent += sentences(text)
        n_words += len(ws)
        n_letters += sum(letters(w) for w in ws)
        if lang in ("en", "es"):
            n_syll += sum(syllables(w) for w in ws)
    return Counts(n_sent, n_words, n_syll, n_letters)


@dataclass(frozen=True)
class Measure:
    lang: str
    name: str
    formula: Callable[[Counts], float]
    target: float
    higher_is_better: bool = True

    def passes(self, value: float) -> bool:
        return value >= self.target if self.higher_is_better else value <= self.target


MEASURES = (
    Measure("en", "Flesch", flesch, 75),
    Measure("es", "F-Huerta", fernandez_huerta, 75),
    Measure("es", "Szigriszt", szigriszt_pazos, 70),
    Measure("it", "Gulpease", gulpease, 75),
    Measure("ca", "words/sent", lambda c: c.words_per_sentence, 12, higher_is_better=False),
)

# --------------------------------------------------------------------------- the key texts


@dataclass(frozen=True)
class KeyText:
    name: str
    files: tuple[str, ...] = ()
    msgids: tuple[str, ...] = ()
    data: Callable[[], dict[str, list[str]]] | None = None


def _json(rel: str) -> object:
    return json.loads((ROOT / rel).read_text(encoding="utf-8"))


def _pledge() -> dict[str, list[str]]:
    text = _json("mutua/circles/data/agreements.json")["pledge"]["text"]  # type: ignore[index]
    return {lang: [text[lang]] for lang in LANGUAGES}


def _agreements() -> dict[str, list[str]]:
    basic = _json("mutua/circles/data/agreements.json")["basic"]  # type: ignore[index]
    return {lang: [a["text"][lang] for a in basic] for lang in LANGUAGES}


def _crisis_lines() -> dict[str, list[str]]:
    countries = _json("mutua/care/data/crisis.json")["countries"]  # type: ignore[index]
    lines = [ln for c in countries for ln in c["lines"]]
    return {lang: [ln["description"][lang] for ln in lines if ln.get("description")] for lang in LANGUAGES}


KEY_TEXTS = (
    KeyText(
        "sign-up",
        files=("templates/accounts/signup.html", "templates/accounts/signup_done.html"),
        msgids=(
            "Only you and %(organisation)s can see it. In each group you choose a pseudonym.",
            "At least 10 characters. A few unrelated words work well.",
        ),
    ),
    KeyText(
        "join and consent",
        files=("templates/circles/join.html", "templates/circles/consent.html"),
        msgids=(
            "This is my experience too, now or in the past.",
            "I have read the agreements and I accept the confidentiality pledge.",
        ),
    ),
    KeyText("pledge", data=_pledge),
    KeyText("agreements", data=_agreements),
    KeyText("leave", files=("templates/circles/leave.html",)),
    KeyText("crisis page", files=("templates/care/_lines.html",), data=_crisis_lines),
    KeyText("empty directory", files=("templates/circles/directory.html",)),
    KeyText("proposal", files=("templates/matching/proposal.html",)),
    KeyText("home", files=("templates/core/home.html",)),
    KeyText("find me a group", files=("templates/matching/find.html",)),
)


def is_prose(msgid: str) -> bool:
    """A string with a sentence in it, not a label or a button."""
    text = clean(msgid)
    return bool(SENTENCE_END.search(text + " ")) and len(words(text, "en")) >= 4


def template_msgids(rel: str) -> list[tuple[str | None, str]]:
    """(context, msgid) of every translatable string in a template, read the way `makemessages` reads
    it (Django's own `templatize`), so the check needs no fresh catalogue run."""
    from django.utils.translation.template import templatize

    code = templatize((ROOT / rel).read_text(encoding="utf-8"), origin=rel)
    found: list[tuple[str | None, str]] = []
    for m in re.finditer(r"\b(n?p?gettext)\(", code):
        for end in (i for i in range(m.end(), len(code)) if code[i] == ")"):
            try:
                call = ast.parse("f(" + code[m.end() : end] + ")", mode="eval").body
            except SyntaxError:
                continue
            args = [a.value for a in call.args if isinstance(a, ast.Constant)]  # type: ignore[attr-defined]
            if m.group(1).startswith(("pgettext", "npgettext")):
                found.append((args[0], args[1]))
            else:
                found.append((None, args[0]))
            break
    return found


def catalogue_texts(
    key: KeyText, catalogues: dict[str, object]
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The key text's strings per language, and how many had no translation yet (left out)."""
    texts: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    missing = dict.fromkeys(LANGUAGES, 0)
    wanted = [(ctx, msgid) for rel in key.files for ctx, msgid in template_msgids(rel) if is_prose(msgid)]
    wanted += [(None, msgid) for msgid in key.msgids]
    for ctx, msgid in dict.fromkeys(wanted):
        texts["en"].append(msgid)
        for lang in TRANSLATED:
            found = catalogues[lang].find(msgid, msgctxt=ctx) if ctx else catalogues[lang].find(msgid)  # type: ignore[attr-defined]
            translated = (found.msgstr or (found.msgstr_plural or {}).get(0, "")) if found else ""
            if found is None or found.obsolete or not translated or "fuzzy" in found.flags:
                missing[lang] += 1
            else:
                texts[lang].append(translated)
    if key.data:
        for lang, items in key.data().items():
            texts[lang].extend(items)
    return texts, missing


def load_catalogues() -> dict[str, object]:
    import polib

    return {
        lang: polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po")) for lang in TRANSLATED
    }


@dataclass
class Row:
    name: str
    values: dict[str, float] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def measure_all() -> list[Row]:
    catalogues = load_catalogues()
    rows = []
    for key in KEY_TEXTS:
        texts, missing = catalogue_texts(key, catalogues)
        row = Row(key.name, missing=missing)
        for m in MEASURES:
            c = count(texts[m.lang], m.lang)
            if c.words == 0:
                continue
            value = m.formula(c)
            row.values[f"{m.lang} {m.name}"] = value
            if not m.passes(value):
                row.failures.append(f"{m.lang} {m.name} {value:.1f}")
        rows.append(row)
    return rows


def main() -> int:
    rows = measure_all()
    heads = [f"{m.lang} {m.name}" for m in MEASURES]
    targets = [f"{'≥' if m.higher_is_better else '≤'}{m.target:g}" for m in MEASURES]
    width = max(len(r.name) for r in rows) + 2
    print("key text".ljust(width) + "".join(h.rjust(14) for h in heads))
    print("target".ljust(width) + "".join(t.rjust(14) for t in targets))
    for r in rows:
        cells = []
        for h, m in zip(heads, MEASURES, strict=True):
            if h not in r.values:
                cells.append("—".rjust(14))
                continue
            mark = "" if m.passes(r.values[h]) else " ✗"
            cells.append(f"{r.values[h]:.1f}{mark}".rjust(14))
        print(r.name.ljust(width) + "".join(cells))
    untranslated = {lang: sum(r.missing[lang] for r in rows) for lang in TRANSLATED}
    if any(untranslated.values()):
        print("not yet translated (left out): " + ", ".join(f"{k} {v}" for k, v in untranslated.items()))
    failures = [f"{r.name}: {f}" for r in rows for f in r.failures]
    for f in failures:
        print(f"below target: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
