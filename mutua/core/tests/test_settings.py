"""Production settings are secure, and the strict Content-Security-Policy is sent on every page."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_in_production_mode():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="mutua.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production", SECRET_KEY="", ALLOWED_HOSTS="mutua.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_strict_csp_and_no_third_party_resources(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    body = response.content.decode()
    assert "<script>" not in body and " onclick=" not in body and "style=" not in body
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def _production_env() -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "mutua.example.org",
    }


def test_production_cookies_use_the_host_prefix_and_an_idle_timeout():
    """`__Host-` cookies are only accepted by browsers when Secure, for Path=/ and without a Domain."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ["
        "'SESSION_COOKIE_NAME', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_PATH', 'SESSION_COOKIE_DOMAIN', "
        "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_NAME', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_PATH', "
        "'CSRF_COOKIE_DOMAIN', 'SESSION_IDLE_TIMEOUT_SECONDS', 'MIDDLEWARE']}))"
    )
    result = run_manage("shell", "-c", code, **_production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    for prefix in ("SESSION", "CSRF"):
        assert values[f"{prefix}_COOKIE_SECURE"] is True
        assert values[f"{prefix}_COOKIE_PATH"] == "/"
        assert values[f"{prefix}_COOKIE_DOMAIN"] is None
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_IDLE_TIMEOUT_SECONDS"] == 3600
    for name in ("NoStoreMiddleware", "DatabaseUnavailableMiddleware", "SessionIdleTimeoutMiddleware"):
        assert any(m.endswith(name) for m in values["MIDDLEWARE"]), name
    # The 503 must run before the login requirement could redirect anyone, and the timeout after the
    # 503 (an outage must log nobody out) and after the messages (it says why it logged someone out).
    # The login requirement acts in process_view, after every middleware's request phase.
    order = [m.rsplit(".", 1)[-1] for m in values["MIDDLEWARE"]]
    assert order.index("AuthenticationMiddleware") < order.index("DatabaseUnavailableMiddleware")
    assert order.index("DatabaseUnavailableMiddleware") < order.index("SessionIdleTimeoutMiddleware")
    assert order.index("DatabaseUnavailableMiddleware") < order.index("MutuaLoginRequiredMiddleware")
    assert order.index("MessageMiddleware") < order.index("SessionIdleTimeoutMiddleware")


def test_the_idle_timeout_is_read_from_the_environment():
    code = "from django.conf import settings as s; print(s.SESSION_IDLE_TIMEOUT_SECONDS)"
    result = run_manage("shell", "-c", code, SESSION_IDLE_TIMEOUT_SECONDS="900")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "900"


def test_the_production_serve_command_config_parses():
    """scripts/serve (the one documented serve command) resolves its gunicorn settings and imports the
    WSGI application under production settings; with a bad setting it fails."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(_production_env(), MUTUA_PYTHON=sys.executable)
    result = subprocess.run(
        [str(ROOT / "scripts" / "serve"), "--print-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    resolved = {
        key.strip(): value.strip()
        for key, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }
    assert resolved["default_proc_name"] == "mutua.wsgi:application"
    assert resolved["bind"] == "['127.0.0.1:8000']"
    assert resolved["workers"] == "3"
    assert resolved["accesslog"] == "None"
    env["SECRET_KEY"] = ""
    refused = subprocess.run(
        [str(ROOT / "scripts" / "serve"), "--check-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr + refused.stdout


def test_each_log_line_is_printed_once():
    """Django's "django" logger has a console handler of its own by default and also propagates to the
    root's: `make run` printed every line twice. One handler, at the root."""
    import logging

    django_logger = logging.getLogger("django")
    assert django_logger.handlers == []
    assert django_logger.propagate
    streams = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert len(streams) == 1
