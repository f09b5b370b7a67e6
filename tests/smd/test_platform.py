import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError

from smd.characteristics import Ethnicity, is_ethnic_minority
from smd.validators import nhs_number_is_valid

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_fails_when_the_database_does_not_answer(client, db):
    with mock.patch("smd.views.connection.cursor", side_effect=DatabaseError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_static_assets_are_served_by_the_app_not_a_cdn(client, team):
    page = client.get("/refer/").content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in page
    assert "/static/django_htmx/htmx-2.min.js" in page
    assert "/static/vendor/bootstrap/js/bootstrap.bundle.min.js" in page
    assert "https://" not in page and "//cdn" not in page
    for asset in [
        "/static/vendor/bootstrap/css/bootstrap.min.css",
        "/static/vendor/bootstrap/js/bootstrap.bundle.min.js",
        "/static/django_htmx/htmx-2.min.js",
        "/static/css/smd.css",
    ]:
        assert client.get(asset).status_code == 200, asset


def test_favicon_is_served_from_the_apps_static_files(client, team):
    # Browsers ask for /favicon.ico on every page, signed in or not.
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    icon = b"".join(response.streaming_content)
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert icon == (ROOT / "static" / "root" / "favicon.ico").read_bytes()
    page = client.get("/refer/").content.decode()
    assert '<link rel="icon" href="/static/root/favicon.ico"' in page
    assert client.get("/static/root/favicon.ico").status_code == 200


def test_page_shell_is_accessible(client, team):
    page = client.get("/refer/").content.decode()
    assert page.count("<h1") == 1
    assert 'href="#main-content"' in page and 'id="main-content"' in page
    assert "<header" in page and "<main" in page and "<footer" in page


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("9434765919", True),
        ("943 476 5919", True),
        ("9434765918", False),
        ("123", False),
        ("", False),
    ],
)
def test_nhs_number_checksum(number, valid):
    assert nhs_number_is_valid(number) is valid


def test_equity_split_counts_white_minorities_and_never_guesses():
    assert is_ethnic_minority(Ethnicity.WHITE_BRITISH) is False
    assert is_ethnic_minority(Ethnicity.WHITE_IRISH) is True
    assert is_ethnic_minority(Ethnicity.WHITE_ROMA) is True
    assert is_ethnic_minority(Ethnicity.NOT_KNOWN) is None
    assert is_ethnic_minority(Ethnicity.PREFER_NOT) is None
    groups = [v for v in Ethnicity.values if v not in {"not_known", "prefer_not"}]
    assert len(groups) == 19


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_real_values():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "Zq8!vR2#mW5@tY7$pL1^nB4&xC6*jH9(",
        ALLOWED_HOSTS="smd.example.org",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import smd.wsgi"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in {"SECRET_KEY"}}, "DEBUG": "false"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    deploy = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="false")
    assert deploy.returncode != 0 and "SECRET_KEY" in deploy.stdout + deploy.stderr


def test_migrations_need_no_secret_key():
    assert _manage("makemigrations", "--check", "--dry-run", DEBUG="false").returncode == 0


def test_links_in_emails_follow_the_port_make_run_serves_on():
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT"}}
    clean.pop("PYTEST_CURRENT_TEST", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "smd.settings", "DEBUG": "true", "PORT": "8123"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "http://127.0.0.1:8123", result.stderr
    # `make run PORT=…` hands the port to the server and the worker beside it.
    recipe = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60
    ).stdout
    assert "export PORT=8123;" in recipe
