"""Pseudonyms: how they are cleaned, and when two of them are "the same" inside one group.

Two members must never be told apart only by case, width, an invisible character or a look-alike
letter from another script ("Sam", "sam", "Ｓａｍ", "S\u200bam" and Cyrillic "Ѕаm" are one name to a
reader). We follow the idea of Unicode TR39 (security mechanisms): a pseudonym is stored in NFKC with
invisible characters removed, and compared through a *skeleton* in which every character is replaced
by the prototype of its confusable class. The confusable classes come from Unicode's confusables data
as shipped by the `confusable-homoglyphs` package; it offers no skeleton function, so we build the
prototype table from its data once (see `_prototypes`).
"""

import functools
import unicodedata

from django.utils.translation import gettext_lazy as _

from mutua.core.errors import DomainError

PSEUDONYM_MAX = 40
KEY_MAX = 255

# Characters that reorder text (bidi embeddings, overrides, isolates and marks). A pseudonym holding
# one could display as something else entirely ("evil\u202emaS" reads "Sam live"), so it is refused
# rather than silently cleaned.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Default-ignorable code points that are not of category Cf (which we drop wholesale): combining
# grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian variation selectors and the
# variation selectors. They render as nothing, so "Sam" and "Sa\u034fm" would look identical.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0000, 0xE0FFF),
)

# Marks the package wraps around right-to-left homoglyphs for display; not part of the character.
_DISPLAY_MARKS = str.maketrans("", "", "\u200e\u200f")


def _is_ignorable(ch: str) -> bool:
    if unicodedata.category(ch) == "Cf":
        return True
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE_RANGES)


def clean_pseudonym(pseudonym: str) -> str:
    """The pseudonym as it will be stored and shown, or a DomainError saying what to change."""
    value = pseudonym or ""
    if any(ch in BIDI_CONTROLS for ch in value):
        raise DomainError(_("A pseudonym cannot contain characters that change the direction of text."))
    # Whitespace of any kind (tabs, line breaks, no-break spaces) becomes one ordinary space.
    value = " ".join(unicodedata.normalize("NFKC", value).split())
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co") for ch in value):
        raise DomainError(_("A pseudonym cannot contain control or private characters."))
    value = "".join(ch for ch in value if not _is_ignorable(ch))
    value = " ".join(unicodedata.normalize("NFKC", value).split())
    if not value:
        raise DomainError(_("Choose a pseudonym: the name the group will know you by."))
    if len(value) > PSEUDONYM_MAX:
        raise DomainError(_("A pseudonym can have at most 40 characters."))
    if "@" in value:
        raise DomainError(_("A pseudonym cannot contain “@”: it must not be an email address."))
    return value


@functools.cache
def _prototypes() -> dict[str, str]:
    """Map each confusable character to one representative of its class.

    The package stores Unicode's source → prototype pairs in both directions (each prototype lists
    its sources, each source lists its prototype). Single characters that are linked belong to one
    class; we pick a stable representative per class (the lowest code point), so the mapping is the
    same whatever the package's ordering. A source whose prototype is several characters ("m" → "rn")
    maps to that sequence, as in TR39.
    """
    from confusable_homoglyphs.confusables import confusables_data

    parent: dict[str, str] = {}

    def find(ch: str) -> str:
        root = ch
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(ch, ch) != root:
            parent[ch], ch = root, parent[ch]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            parent[hi] = lo

    sequences: dict[str, str] = {}
    for char, entries in confusables_data.items():
        if len(char) != 1:
            continue
        glyphs = [e["c"].translate(_DISPLAY_MARKS) for e in entries]
        singles = [g for g in glyphs if len(g) == 1]
        if len(glyphs) == 1 and len(glyphs[0]) > 1:
            sequences[char] = glyphs[0]
            continue
        parent.setdefault(char, char)
        for g in singles:
            parent.setdefault(g, g)
            union(char, g)
    table = {ch: find(ch) for ch in parent}
    table = {ch: rep for ch, rep in table.items() if ch != rep}
    table.update(sequences)
    return table


def _skeleton(value: str) -> str:
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", value)
    return unicodedata.normalize("NFD", "".join(table.get(ch, ch) for ch in decomposed))


def pseudonym_key(pseudonym: str) -> str:
    """The comparison key of a cleaned pseudonym: equal keys mean "looks like the same name".

    Skeleton, then case folding, then skeleton again: the first pass turns look-alikes from other
    scripts into their prototypes (Cyrillic "Ѕ" → "S", "I" → "l"), folding removes case, and the
    second pass catches prototypes that only appear once folded (Greek "Μ" → "M" → "m" → "rn").
    """
    return _skeleton(_skeleton(pseudonym).casefold())[:KEY_MAX]
