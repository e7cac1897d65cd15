"""Helpers for the tests of exactly-once reminders: a slow email backend that writes what it sends to a
file, a tiny local SMTP server that refuses and then accepts, and steps that a separate process runs
on a database shared with real workers (`python -m mutua.notifications.tests.harness STEP`).

Nothing here is used by Mutua itself."""

import json
import os
import socketserver
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

REMINDER_KEY = "test-reminder:{}"


def _append(path: Path, line: str) -> None:
    # One small write in append mode: lines from several processes never interleave.
    with path.open("a") as f:
        f.write(line + "\n")


class SlowFileBackend(BaseEmailBackend):
    """Sends nothing: writes "<pid> <Message-ID>" to MUTUA_TEST_MAIL_LOG.started when a message is
    handed over, waits MUTUA_TEST_MAIL_DELAY seconds (a mail server's latency), then writes the same
    line to MUTUA_TEST_MAIL_LOG (the server accepted it). The MUTUA_TEST_MAIL_HANG_AT-th message of
    this process hangs instead (a server that stops answering mid-send), so a test can kill the
    worker at that exact point."""

    handed = 0

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        log = Path(os.environ["MUTUA_TEST_MAIL_LOG"])
        delay = float(os.environ.get("MUTUA_TEST_MAIL_DELAY", "0.05"))
        hang_at = int(os.environ.get("MUTUA_TEST_MAIL_HANG_AT", "0"))
        for message in email_messages:
            SlowFileBackend.handed += 1
            line = f"{os.getpid()} {message.extra_headers['Message-ID']}"
            _append(log.with_suffix(".started"), line)
            time.sleep(600 if SlowFileBackend.handed == hang_at else delay)
            _append(log, line)
        return len(email_messages)


def read_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


class SMTPResponder:
    """A mail server on 127.0.0.1 for one test. Session n follows `script[n]` while there is one:
    "421" refuses at the greeting (a server too busy to talk), "451" refuses the sender (a temporary
    failure); every later session is accepted. It records when each session began and each message
    it accepted."""

    def __init__(self, script: Sequence[str] = ()) -> None:
        self.script = list(script)
        self.sessions: list[float] = []
        self.accepted: list[bytes] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with owner.lock:
                    n = len(owner.sessions)
                    owner.sessions.append(time.time())
                answer = owner.script[n] if n < len(owner.script) else "250"
                if answer == "421":
                    self.wfile.write(b"421 4.3.2 Service not available, try again later\r\n")
                    return
                self.wfile.write(b"220 localhost ESMTP test\r\n")
                body: list[bytes] | None = None
                for line in self.rfile:
                    if body is not None:
                        if line in (b".\r\n", b".\n"):
                            with owner.lock:
                                owner.accepted.append(b"".join(body))
                            body = None
                            self.wfile.write(b"250 2.0.0 Queued\r\n")
                        else:
                            body.append(line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        self.wfile.write(b"250-localhost\r\n250 8BITMIME\r\n")
                    elif verb == b"MAIL" and answer == "451":
                        self.wfile.write(b"451 4.3.0 Temporary failure, try again later\r\n")
                    elif verb == b"DATA":
                        body = []
                        self.wfile.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 2.0.0 Bye\r\n")
                        return
                    else:  # HELO, MAIL, RCPT, RSET, NOOP
                        self.wfile.write(b"250 2.0.0 OK\r\n")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def mailer(self) -> dict[str, Any]:
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------ steps for a separate process


def _remind(count: int, twice: bool) -> dict[str, Any]:
    """Create `count` people and one reminder for each (an email by default), then remind them all a
    second time, as a reminder job's next turn would: the second round must create nothing. With
    `twice`, each email's task is queued a second time right after the first."""
    import functools

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from mutua.notifications import services
    from mutua.notifications.models import Kind
    from mutua.notifications.tasks import message_id

    User = get_user_model()
    due: dict[str, str] = {}
    with transaction.atomic():  # the emails are queued when this commits
        for i in range(count):
            user = User.objects.create(email=f"reminded{i}@example.org", email_verified=True)
            n = services.notify(
                user, Kind.SEAT_OFFER_EXPIRING, url="/inbox/", once_key=REMINDER_KEY.format(i)
            )
            assert n is not None
            if twice:
                transaction.on_commit(functools.partial(services._enqueue_email, n.pk))
            due[message_id(n)] = n.once_key
    with transaction.atomic():
        again = [
            services.notify(u, Kind.SEAT_OFFER_EXPIRING, url="/inbox/", once_key=REMINDER_KEY.format(i))
            for i, u in enumerate(User.objects.filter(email__startswith="reminded").order_by("pk"))
        ]
    return {"due": due, "created_again": sum(n is not None for n in again)}


def _state() -> dict[str, Any]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from mutua.notifications.models import Notification

    rows = Notification.objects.filter(once_key__startswith="test-reminder:")
    tasks = DBTaskResult.objects.filter(task_path="mutua.notifications.tasks.send_notification_email")
    return {
        "states": dict(rows.values_list("email_state").annotate(n=Count("pk"))),
        "attempts": dict(rows.values_list("once_key", "email_attempts")),
        "tasks": dict(tasks.values_list("status").annotate(n=Count("pk"))),
        "workers": sorted({w for ids in tasks.values_list("worker_ids", flat=True) for w in ids}),
        "returned": dict(Counter(json.dumps(v) for v in tasks.values_list("return_value", flat=True))),
    }


def main(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
    django.setup()
    from django.core.management import call_command

    from mutua.notifications import services

    step = argv[0]
    out: Any
    if step == "migrate":
        call_command("migrate", verbosity=0)
        out = "ok"
    elif step == "remind":
        out = _remind(int(argv[1]), twice="twice" in argv[2:])
    elif step == "retry":
        out = services.emails_retry()
    elif step == "state":
        out = _state()
    else:
        raise SystemExit(f"unknown step {step}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
