"""/api/v1/docs works under the site's Content-Security-Policy: the viewer comes from our own static
files, started by a script file, in a page with a language; the schema it reads is valid JSON."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.test import Client

STATIC = Path(settings.BASE_DIR) / "static"


def test_docs_page_uses_only_our_own_files_and_no_inline_script(db):
    response = Client().get("/api/v1/docs", headers={"accept-language": "es"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<html lang="es">', html)
    # No third-party host anywhere (a random CSRF token may well contain the letters "cdn").
    hosts = set(re.findall(r"(?:src|href)=\"(?:https?:)?//([^/\"]+)", html))
    assert hosts == set(), hosts
    assert "https://" not in html.split("<main", 1)[1].split("</main>")[0]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    # Every script is a file of ours, except the settings, which are data (application/json).
    for attrs, body in scripts:
        if 'type="application/json"' in attrs:
            json.loads(body)
            continue
        src = re.search(r'src="/static/([^"]+)"', attrs)
        assert src and not body.strip(), attrs
        assert (STATIC / src.group(1)).exists(), src.group(1)
    assert "swagger-ui-bundle.js" in html and "js/api-docs.js" in html
    for href in re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html):
        assert (STATIC / href).exists(), href
    # The site's own CSP, unchanged: scripts and styles from our origin only.
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp


def test_docs_settings_point_at_the_schema_without_outside_calls(db):
    html = Client().get("/api/v1/docs").content.decode()
    config = json.loads(
        re.search(r'id="swagger-settings" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert config["url"] == "/api/v1/openapi.json"
    assert config["validatorUrl"] is None  # would fetch a badge from validator.swagger.io
    assert config["deepLinking"] is False  # links inside the operations' buttons


def test_schema_has_no_duplicate_keys(db):
    # Swagger UI parses the schema strictly: "400" documented twice (int and str) made it give up.
    duplicates = []

    def pairs(items):
        keys = [k for k, _v in items]
        duplicates.extend({k for k in keys if keys.count(k) > 1})
        return dict(items)

    body = Client().get("/api/v1/openapi.json").content.decode()
    schema = json.loads(body, object_pairs_hook=pairs)
    assert duplicates == []
    ops = [op for path in schema["paths"].values() for op in path.values()]
    assert all("400" in op["responses"] and "422" in op["responses"] for op in ops)
