"""Public identifiers are random codes, never sequential ids (CONVENTIONS: URLs never reveal a topic)."""

import secrets

# No vowels and no look-alike characters: codes never spell words and are easy to read aloud.
ALPHABET = "bcdfghjkmnpqrstvwxz23456789"


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
