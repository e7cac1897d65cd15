"""Plain-text mail is 8bit UTF-8 (7bit when ASCII), never quoted-printable: a long link stays on one line
in the development console and in the raw message (issue 7)."""

import io

from django.core import mail
from django.core.mail.backends.console import EmailBackend as ConsoleBackend

from mutua.core.emails import ReadableEmailMessage, send_templated

LONG = "http://127.0.0.1:8000/account/verify/" + "MQ:1vY3xQ:" + "a1b2c3d4e5" * 12 + "/"


def test_a_long_link_is_intact_in_the_raw_bytes(db):
    assert send_templated(
        to="someone@example.org", template="verify_email", context={"link": LONG}, language="es"
    )
    raw = mail.outbox[0].message().as_bytes()
    assert LONG.encode() in raw
    assert b"quoted-printable" not in raw and b"Content-Transfer-Encoding: 8bit" in raw
    assert "¿".encode() in raw or "ó".encode() in raw or "á".encode() in raw  # UTF-8 as is, not =C3=B3


def test_console_backend_prints_the_link_on_one_line():
    stream = io.StringIO()
    message = ReadableEmailMessage(
        "Confirm", f"Hello,\n\n{LONG}\n", "Mutua <no-reply@localhost>", ["a@b.org"]
    )
    ConsoleBackend(stream=stream).send_messages([message])
    assert f"\n{LONG}\n" in stream.getvalue()


def test_an_ascii_body_with_short_lines_is_left_as_it_was():
    raw = ReadableEmailMessage("Hi", "Short lines only.\n", "a@b.org", ["c@d.org"]).message().as_bytes()
    assert b"Content-Transfer-Encoding: 7bit" in raw


def test_an_impossibly_long_line_still_gets_a_safe_encoding():
    body = "x" * 2000 + "\n"
    raw = ReadableEmailMessage("Hi", body, "a@b.org", ["c@d.org"]).message().as_bytes()
    assert max(len(line) for line in raw.split(b"\n")) <= 998
