"""Fails when any catalogue has an untranslated or fuzzy entry: all four languages ship complete."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mutua.settings import LANGUAGE_CODE, LANGUAGES  # noqa: E402 - the one list of interface languages


def problems() -> list[str]:
    out = []
    for lang in (code for code, _name in LANGUAGES if code != LANGUAGE_CODE):
        path = ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"
        if not path.exists():
            out.append(f"{lang}: missing {path}")
            continue
        po = polib.pofile(str(path))
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags or not entry.translated():
                out.append(f"{lang}: {entry.msgid[:70]!r}")
    return out


if __name__ == "__main__":
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} untranslated or fuzzy entries")
    sys.exit(1 if found else 0)
