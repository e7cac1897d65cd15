"""Fixtures for the listings tests: the shipped feed samples, a source, and a local web server."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mutua.listings.models import Source

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "kansas-city-data-sample.json"
CSV_SAMPLE = DATA / "meetings.csv"
# The Kansas City sample lists meetings in Ontario and names no time zone.
SAMPLE_ZONE = "America/Toronto"


@pytest.fixture
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture
def sample_records() -> list[dict[str, Any]]:
    return json.loads(SAMPLE.read_bytes())


@pytest.fixture
def csv_bytes() -> bytes:
    return CSV_SAMPLE.read_bytes()


@pytest.fixture
def source(db: Any) -> Source:
    return Source.objects.create(
        name="Area 83 Ontario",
        slug="area-83",
        website="https://area83.example.org/",
        default_timezone=SAMPLE_ZONE,
        language="en",
    )


class FeedServer:
    """A web server on 127.0.0.1 answering from `routes`: path → (status, body, headers). A body
    given as a list of chunks is sent without a Content-Length, as a streaming server would."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, Any, dict[str, str]]] = {}
        self.hits: list[str] = []
        routes, hits = self.routes, self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                hits.append(self.path)
                status, body, headers = routes.get(self.path, (404, b"not found", {}))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.end_headers()
                    for chunk in body:
                        self.wfile.write(chunk)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    # Bounded: it stops itself after a minute even if the test's teardown never runs.
    watchdog = threading.Timer(60, server.httpd.shutdown)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield server
    finally:
        watchdog.cancel()
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=5)
