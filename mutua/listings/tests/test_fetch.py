"""Downloading a feed from a local web server (never the internet): http(s) only, a size cap."""

import pytest

from mutua.listings.feed import FeedError
from mutua.listings.fetch import fetch_url
from mutua.listings.models import ExternalListing
from mutua.listings.services import listings_import_url


def test_a_feed_is_downloaded_and_imported_from_a_url(source, feed_server, sample_bytes):
    feed_server.routes["/feed.json"] = (200, sample_bytes, {"Content-Type": "application/json"})
    report = listings_import_url(source=source, url=feed_server.url("/feed.json"))
    assert report.created == 45
    assert feed_server.hits == ["/feed.json"]
    source.refresh_from_db()
    assert source.url == feed_server.url("/feed.json")
    # "Import again" uses the stored address.
    again = listings_import_url(source=source)
    assert again.unchanged == 45 and feed_server.hits == ["/feed.json", "/feed.json"]


def test_a_csv_url_is_read_as_a_spreadsheet(source, feed_server, csv_bytes):
    feed_server.routes["/meetings.csv"] = (200, csv_bytes, {"Content-Type": "text/csv"})
    report = listings_import_url(source=source, url=feed_server.url("/meetings.csv"))
    assert report.created == 4
    source.refresh_from_db()
    assert source.feed_format == "csv"


def test_a_body_over_the_cap_is_refused_by_its_declared_length(feed_server):
    feed_server.routes["/big"] = (200, b"[" + b" " * 2000 + b"]", {})
    with pytest.raises(FeedError, match="larger than"):
        fetch_url(feed_server.url("/big"), max_bytes=1000)
    assert fetch_url(feed_server.url("/big"), max_bytes=2002).startswith(b"[")


def test_a_body_over_the_cap_is_refused_when_the_server_gives_no_length(feed_server):
    feed_server.routes["/stream"] = (200, [b"[" + b" " * 600, b" " * 600 + b"]"], {})
    with pytest.raises(FeedError, match="larger than"):
        fetch_url(feed_server.url("/stream"), max_bytes=1000)
    assert len(fetch_url(feed_server.url("/stream"), max_bytes=1202)) == 1202


def test_the_default_cap_is_five_megabytes(feed_server):
    feed_server.routes["/huge"] = (200, b" " * (5 * 1024 * 1024 + 1), {})
    with pytest.raises(FeedError, match="larger than"):
        fetch_url(feed_server.url("/huge"))


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/feed.json", "data:,[]", "/etc/passwd", "http:///x"]
)
def test_only_web_addresses_are_fetched(url):
    with pytest.raises(FeedError, match="http or https"):
        fetch_url(url)


def test_a_redirect_to_a_file_is_not_followed(feed_server):
    feed_server.routes["/moved"] = (302, b"", {"Location": "file:///etc/passwd"})
    with pytest.raises(FeedError):
        fetch_url(feed_server.url("/moved"))


def test_a_redirect_to_another_web_address_is_followed(feed_server, sample_bytes):
    feed_server.routes["/old"] = (301, b"", {"Location": feed_server.url("/new")})
    feed_server.routes["/new"] = (200, sample_bytes, {})
    assert fetch_url(feed_server.url("/old")) == sample_bytes


def test_a_server_error_is_reported_and_nothing_changes(source, feed_server, sample_bytes):
    feed_server.routes["/feed.json"] = (200, sample_bytes, {})
    listings_import_url(source=source, url=feed_server.url("/feed.json"))
    feed_server.routes["/feed.json"] = (500, b"oops", {})
    with pytest.raises(FeedError, match="500"):
        listings_import_url(source=source)
    assert ExternalListing.objects.filter(source=source).count() == 45


def test_an_unreachable_server_is_reported(feed_server):
    url = feed_server.url("/feed.json")
    feed_server.httpd.shutdown()
    feed_server.httpd.server_close()
    with pytest.raises(FeedError, match="could not be downloaded"):
        fetch_url(url, timeout=2)


def test_a_declared_length_over_the_cap_is_refused_before_reading(feed_server):
    # The server announces more than the cap but sends little: the announcement alone is enough.
    feed_server.routes["/announced"] = (200, [b"[]"], {"Content-Length": "999999"})
    with pytest.raises(FeedError, match="larger than"):
        fetch_url(feed_server.url("/announced"), max_bytes=1000, timeout=5)


@pytest.mark.parametrize("target", ["ftp://example.org/feed.json", "file:///etc/passwd"])
def test_the_redirect_handler_refuses_non_web_targets(target):
    import io
    import urllib.error
    import urllib.request
    from email.message import Message

    from mutua.listings.fetch import _WebOnlyRedirects

    request = urllib.request.Request("http://127.0.0.1/feed.json")
    with pytest.raises(urllib.error.HTTPError):
        _WebOnlyRedirects().redirect_request(request, io.BytesIO(), 302, "Found", Message(), target)
    assert (
        _WebOnlyRedirects()
        .redirect_request(request, io.BytesIO(), 302, "Found", Message(), "https://example.org/feed.json")
        .full_url
        == "https://example.org/feed.json"
    )
