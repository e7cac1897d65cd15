"""Download a feed: web addresses only (http, https), a timeout, and a size cap.

Only host staff start a download (the admin, or `manage.py import_meeting_guide`), and the answer is
only ever parsed as a feed, never shown back.
"""

import urllib.error
import urllib.request
from http.client import HTTPException
from typing import IO, Any
from urllib.parse import urlsplit

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from mutua.listings.feed import FeedError

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 15
WEB_SCHEMES = ("http", "https")


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http and https only (urllib's own handler would also follow ftp)."""

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if not is_web_url(newurl):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-web address", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # Built by hand rather than with build_opener(), which adds file:, ftp: and data: handlers.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _WebOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch_url(url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The body at `url`, or `FeedError` when the address is not a web address, the server cannot be
    reached or answers with an error, or the body is larger than `max_bytes`."""
    if not is_web_url(url):
        raise FeedError(_("Only web addresses (http or https) can be imported."))
    # The scheme was checked just above, and the opener has no file:, ftp: or data: handler.
    request = urllib.request.Request(  # noqa: S310
        url, headers={"User-Agent": "Mutua listings import", "Accept": "*/*"}
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_large(max_bytes)
            # One byte more than allowed tells a body at the cap from one over it.
            body: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FeedError(_("The server answered with an error (%(status)s).") % {"status": exc.code}) from exc
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
        raise FeedError(_("The feed could not be downloaded: %(reason)s") % {"reason": _reason(exc)}) from exc
    if len(body) > max_bytes:
        raise _too_large(max_bytes)
    return body


def _too_large(max_bytes: int) -> FeedError:
    return FeedError(
        _("The feed is larger than %(size)s, so it was not imported.") % {"size": filesizeformat(max_bytes)}
    )


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason)[:200]
