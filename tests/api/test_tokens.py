"""Who may call: tokens of every kind against every endpoint, the audit entry each call leaves,
and the limit on calls."""

import logging

import pytest
from django.urls import reverse

from api.models import ApiToken, key_digest
from smd.audit.models import AuditEvent
from smd.pseudonyms import pseudonym
from tests.api.conftest import bearer
from tests.api.test_endpoints import ENDPOINTS
from tests.outages import free_port, redis_cache

pytestmark = pytest.mark.django_db

ALL = [*ENDPOINTS, "api:person"]

# Token kind -> the status every endpoint answers it with. "other_team" is a good token of
# another team: it is answered, but with its own team's records (below), and this team's
# person is not found.
SCOPES = {
    "pseudonymised": 200,
    "identifiable": 200,
    "notes": 200,
    "other_team": 200,
    "expired": 401,
    "revoked": 401,
    "none": 401,
    "unknown": 401,
    "malformed": 401,
}


def headers_for(kind, hub):
    if kind == "none":
        return {}
    if kind == "unknown":
        return bearer("smd_" + "x" * 43)
    if kind == "malformed":
        return {"HTTP_AUTHORIZATION": "Bearer two parts"}
    return bearer(hub["keys"][kind])


def url_for(name, hub, kind):
    if name != "api:person":
        return reverse(name) + ENDPOINTS[name]
    token = hub["tokens"].get(kind) or hub["tokens"]["pseudonymised"]
    person = hub["person"]
    ref = str(person.pk) if token.identifiable else pseudonym(person.pk, token.pseudonym_purpose)
    return reverse(name, args=[ref])


@pytest.mark.parametrize("kind", sorted(SCOPES))
def test_every_endpoint_for_every_kind_of_token(client, hub, kind):
    for name in ALL:
        response = client.get(url_for(name, hub, kind), **headers_for(kind, hub))
        want = SCOPES[kind]
        if kind == "other_team" and name == "api:person":
            want = 404
        assert response.status_code == want, f"{kind} {name}"
        if want == 401:
            assert response["WWW-Authenticate"] == 'Bearer realm="smd"'


def test_another_teams_token_sees_only_its_own_team(client, hub):
    key = bearer(hub["keys"]["other_team"])
    stranger = hub["stranger"]
    people = client.get(reverse("api:people"), **key).json()["results"]
    purpose = hub["tokens"]["other_team"].pseudonym_purpose
    assert [row["person"] for row in people] == [pseudonym(stranger.pk, purpose)]
    for name in ("api:contacts", "api:assessments", "api:reqol", "api:returns"):
        assert client.get(reverse(name), **key).json()["results"] == [], name
    # This team's person, by the pseudonym this token would give them, is not found either.
    mine = pseudonym(hub["person"].pk, purpose)
    assert client.get(reverse("api:person", args=[mine]), **key).status_code == 404


def test_a_token_stops_working_the_moment_it_is_revoked(client, hub):
    key = bearer(hub["keys"]["pseudonymised"])
    assert client.get(reverse("api:people"), **key).status_code == 200
    token = hub["tokens"]["pseudonymised"]
    token.revoked_at = token.created_at
    token.save()
    response = client.get(reverse("api:people"), **key)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_signed_in_session_is_not_a_token(client_for, hub):
    client = client_for(hub["manager"])
    assert client.get(reverse("api:people")).status_code == 401


def test_the_key_is_kept_only_as_its_digest(hub):
    key = hub["keys"]["pseudonymised"]
    token = ApiToken.objects.get(pk=hub["tokens"]["pseudonymised"].pk)
    assert token.key_hash == key_digest(key) != key
    assert token.key_prefix == key[:8]
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_the_api_reads_only(client, hub):
    key = bearer(hub["keys"]["pseudonymised"])
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(reverse("api:people"), **key)
        assert response.status_code == 405, method


# --- the audit log -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_every_call_is_logged_as_the_tokens_system(client, hub, name):
    token = hub["tokens"]["pseudonymised"]
    before = AuditEvent.objects.count()
    response = client.get(
        url_for(name, hub, "pseudonymised"), **bearer(hub["keys"]["pseudonymised"])
    )
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.first()
    assert (event.user, event.username, event.action) == (None, "api:Insight hub", "view")
    assert (event.object_type, event.object_id) == ("api.apitoken", str(token.pk))
    assert event.path == url_for(name, hub, "pseudonymised").split("?")[0]
    assert event.status_code == 200
    assert event.description.startswith("API: ")
    if name == "api:person":
        assert event.person_id == hub["person"].pk


def test_refused_calls_are_logged_too(client, hub):
    client.get(reverse("api:people"), **bearer(hub["keys"]["expired"]))
    event = AuditEvent.objects.first()
    assert (event.username, event.action, event.status_code) == ("api:Old hub", "denied", 401)
    assert event.object_id == str(hub["tokens"]["expired"].pk)
    client.get(reverse("api:people"), **bearer("smd_guessed"))
    event = AuditEvent.objects.first()
    assert (event.username, event.action, event.object_id) == ("api:no usable token", "denied", "")
    key = bearer(hub["keys"]["other_team"])
    ref = pseudonym(hub["person"].pk, hub["tokens"]["other_team"].pseudonym_purpose)
    client.get(reverse("api:person", args=[ref]), **key)
    event = AuditEvent.objects.first()
    assert (event.action, event.status_code, event.person_id) == ("denied", 404, None)


def test_the_audit_log_names_no_person_details(client, hub):
    client.get(reverse("api:contacts"), **bearer(hub["keys"]["notes"]))
    event = AuditEvent.objects.first()
    assert "Quillfeather" not in f"{event.description} {event.path}"


# --- the limit on calls ----------------------------------------------------------------------------


def test_each_token_has_its_own_limit(client, hub, settings):
    settings.API_RATE_LIMIT = "3/m"
    key = bearer(hub["keys"]["pseudonymised"])
    for _ in range(3):
        assert client.get(reverse("api:episodes"), **key).status_code == 200
    limited = client.get(reverse("api:episodes"), **key)
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert AuditEvent.objects.first().action == "denied"
    # Another token is not held back by this one's calls.
    assert (
        client.get(reverse("api:episodes"), **bearer(hub["keys"]["identifiable"])).status_code
        == 200
    )


def test_calls_without_a_usable_token_are_limited_by_address(client, hub, settings):
    settings.API_UNAUTHENTICATED_RATE_LIMIT = "2/m"
    for _ in range(2):
        assert client.get(reverse("api:people"), **bearer("smd_guess")).status_code == 401
    assert client.get(reverse("api:people"), **bearer("smd_guess")).status_code == 429
    # A call with no token at all from that address waits too.
    assert client.get(reverse("api:people")).status_code == 429
    # A good token is counted on its own, not by address.
    assert (
        client.get(reverse("api:people"), **bearer(hub["keys"]["pseudonymised"])).status_code == 200
    )


def test_with_the_cache_down_the_api_answers_and_says_the_limit_is_off(
    client, hub, settings, caplog
):
    settings.API_RATE_LIMIT = "1/m"
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    key = bearer(hub["keys"]["pseudonymised"])
    with caplog.at_level(logging.WARNING, "api.auth"):
        for _ in range(3):
            assert client.get(reverse("api:episodes"), **key).status_code == 200
    assert "API rate limit not applied: the cache is unavailable" in caplog.text
