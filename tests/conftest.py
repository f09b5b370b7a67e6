"""Shared fixtures, and the rule for tests that need a real service.

A test marked `postgres`, `redis` or `browser` is skipped, saying why, when its service is
missing, unless CI=true: then a missing service fails the test instead of hiding it.
"""

import os
import shutil
import time
from functools import cache

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from smd.models import Role
from tests.factories import OrganisationFactory, TeamFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"

# Property-based tests: a few examples, the same on every run (CI reproduces a local failure and
# the other way round), with no example database to keep. "thorough" looks for new failures.
hypothesis_settings.register_profile(
    "smd",
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.register_profile(
    "thorough", parent=hypothesis_settings.get_profile("smd"), max_examples=100, derandomize=False
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "smd"))


@cache
def _redis_reachable():
    url = os.environ.get("REDIS_URL")
    if not url:
        return "REDIS_URL is not set"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis at REDIS_URL is unreachable ({exc})"
    return None


def _missing(marker):
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "DATABASE_URL does not point at PostgreSQL"
    elif marker == "redis":
        return _redis_reachable()
    elif marker == "browser" and not shutil.which(CHROMIUM):
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker):
            reason = _missing(marker)
            if reason and os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"CI=true, so this test may not skip: {reason}")
            elif reason:
                pytest.skip(f"needs {marker}: {reason}")


@pytest.fixture
def team(db):
    return TeamFactory(name="Changing Futures Navigators", receives_public_referrals=True)


@pytest.fixture
def other_team(db):
    return TeamFactory(
        name="Elsewhere Outreach", organisation=OrganisationFactory(name="Elsewhere")
    )


@pytest.fixture
def partner_org(db):
    return OrganisationFactory(name="Northgate Probation", sector="probation")


@pytest.fixture
def make_user(team):
    def make(role=Role.NAVIGATOR, **kwargs):
        kwargs.setdefault("team", None if role == Role.MDT_MEMBER else team)
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def team_leader(make_user):
    return make_user(Role.TEAM_LEADER, first_name="Tara", email="tara@example.org")


@pytest.fixture
def navigator(make_user):
    return make_user(Role.NAVIGATOR, first_name="Nadia")


def app_device(user):
    """The user's authenticator app, set up (a confirmed TOTP device)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def app_code(user):
    """A code the user's app would show now, that the app device has not accepted before (a
    code is good once: a second sign-in in the same half-minute takes the next one)."""
    device = app_device(user)
    while True:
        device.refresh_from_db()
        now = int((time.time() - device.t0) // device.step) + device.drift
        t = max(now, device.last_t + 1)
        if t <= now + device.tolerance:
            return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


def sign_in(client, user):
    """Sign the test client in as the user with their second factor given, as the sign-in and
    code pages would, so tests of other pages need not know about two-factor sign-in."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = app_device(user).persistent_id
    session.save()
    return client


def password_confirmed(client):
    """As if the user had just given their password again (smd.reauth): the export, erasure
    and new backup codes then go ahead without asking."""
    from smd.reauth import CONFIRMED_AT

    session = client.session
    session[CONFIRMED_AT] = time.time()
    session.save()
    return client


def _client(user):
    return sign_in(Client(), user)


@pytest.fixture
def team_leader_client(team_leader):
    return _client(team_leader)


@pytest.fixture
def navigator_client(navigator):
    return _client(navigator)


@pytest.fixture
def client_for():
    return _client


class QueryCounter:
    """Counts the queries something makes, all of them, so a test pins the exact number."""

    def page(self, client, url, data=None, **headers):
        """Get the page, which must answer 200, and return how many queries it made."""
        with self.during() as counted:
            assert client.get(url, data, **headers).status_code == 200
        return len(counted)

    def during(self):
        """Count the queries made inside the block: `len()` of what it yields, afterwards."""
        return CaptureQueriesContext(connection)


@pytest.fixture
def count_queries(db):
    # SQLite is asked once per connection whether it has JSON functions, by the first query
    # that uses one (the person page's cards): asked here, so no page's count depends on
    # which test ran first.
    assert connection.features.supports_json_field
    return QueryCounter()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shipped_schemes(db):
    """The NDT schemes the data migration ships. A transactional test (browser, live worker)
    flushes the database afterwards, taking them with it, so tests that need them ask here."""
    from assessments.services import shipped_schemes_load

    shipped_schemes_load()


@pytest.fixture
def standard(shipped_schemes):
    """The standard NDT scheme as shipped (version 1)."""
    from assessments.models import AssessmentScheme

    return AssessmentScheme.objects.get(code="ndt-standard", version=1)


@pytest.fixture
def amended(shipped_schemes):
    """The amended NDT scheme as shipped (version 1)."""
    from assessments.models import AssessmentScheme

    return AssessmentScheme.objects.get(code="ndt-amended", version=1)


@pytest.fixture
def assess(navigator):
    """Complete (or draft) an assessment with {key: score}; unlisted items score `rest`."""
    from datetime import date

    from assessments.services import assessment_save

    def make(episode, scheme, on=date(2025, 2, 1), rest=0, complete=True, **scores):
        keys = [item.key for item in scheme.items.all()]
        full = {key: scores.get(key, rest) for key in keys}
        return assessment_save(
            person=episode.person,
            episode=episode,
            scheme=scheme,
            assessed_on=on,
            assessor=navigator,
            participation="yes",
            scores=full,
            notes={},
            complete=complete,
            by=navigator,
        )

    return make


@pytest.fixture(scope="session", autouse=True)
def _audit_allows_test_flush():
    """Transactional tests (browser, live worker) empty every table with TRUNCATE afterwards.
    On PostgreSQL the audit log's trigger refuses TRUNCATE unless the transaction sets
    smd.audit_maintenance (ADR 0015), so the test flush, and only it, does."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if statements:
            statements = ["SET LOCAL smd.audit_maintenance = 'on'", *statements]
        return statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original
