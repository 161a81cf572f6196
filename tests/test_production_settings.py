"""Production settings: no silent SECRET_KEY fallback, transport security on by default
with DEPLOYMENT=production, and `check --deploy` clean with the settings documented in
docs/operations.md. Each case starts a fresh interpreter: settings are read once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "q8#Zr1!vX3^kP0@wL5&nB7*tY2(mC9)sD4-fG6_hJ8+uE1=aR3"
# The production environment docs/operations.md documents ("Production settings").
DOCUMENTED = {
    "DEPLOYMENT": "production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "complaints.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://complaints.example.cn",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def run(args, env, tmp_path):
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests in this worker, never in deployment
    dropped = {"SECRET_KEY", "DEPLOYMENT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "COMPLAINTLOOP_VAR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def setting(name, env, tmp_path):
    code = f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'complaintloop.settings'); from django.conf import settings; print(repr(settings.{name}))"
    done = run(["-c", code], env, tmp_path)
    assert done.returncode == 0, done.stderr
    return eval(done.stdout.strip())  # noqa: S307 (our own repr)


def test_check_deploy_is_clean_with_the_documented_settings(tmp_path):
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], DOCUMENTED, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_embedded_settings_would_not_pass(tmp_path):
    # so the clean check above is the documented settings' doing
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    assert done.returncode != 0


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DEPLOYMENT": "production"}, "requires SECRET_KEY"),
        ({"DEPLOYMENT": "production", "SECRET_KEY": "change-me"}, "too weak"),
        ({"DEPLOYMENT": "staging"}, "DEPLOYMENT must be"),
    ],
)
def test_production_refuses_to_start_without_a_real_key(tmp_path, env, says):
    done = run(["manage.py", "check"], env, tmp_path)
    assert done.returncode != 0
    assert says in done.stderr


def test_the_embedded_key_is_generated_once_and_kept_private(tmp_path):
    first = setting("SECRET_KEY", {}, tmp_path)
    second = setting("SECRET_KEY", {}, tmp_path)
    assert first == second and len(first) >= 50
    stored = tmp_path / "secret_key"
    assert stored.read_text().strip() == first
    assert stored.stat().st_mode & 0o777 == 0o600
    assert "change-me" not in first
    # another data directory, another key
    other = tmp_path / "other"
    other.mkdir()
    assert setting("SECRET_KEY", {}, other) != first


def test_production_turns_transport_security_on_and_each_switch_off(tmp_path):
    assert setting("SESSION_COOKIE_SECURE", DOCUMENTED, tmp_path) is True
    assert setting("CSRF_COOKIE_SECURE", DOCUMENTED, tmp_path) is True
    assert setting("SECURE_SSL_REDIRECT", DOCUMENTED, tmp_path) is True
    assert setting("SECURE_HSTS_SECONDS", DOCUMENTED, tmp_path) >= 31536000
    assert setting("SECURE_PROXY_SSL_HEADER", DOCUMENTED, tmp_path) == (
        "HTTP_X_FORWARDED_PROTO",
        "https",
    )
    off = {**DOCUMENTED, "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "0"}
    assert setting("SECURE_SSL_REDIRECT", off, tmp_path) is False
    assert setting("SECURE_HSTS_SECONDS", off, tmp_path) == 0
    assert setting("SESSION_COOKIE_SECURE", {}, tmp_path) is False  # embedded: plain HTTP


def test_behind_the_proxy_https_is_not_redirected_and_health_checks_never_are(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    proxied = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert "max-age=31536000" in proxied["Strict-Transport-Security"]
    assert "script-src 'self'" in proxied["Content-Security-Policy"]
    assert client.get("/healthz").status_code == 200
