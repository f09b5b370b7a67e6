"""The referral forms when Redis is down, and the public limit counting stored referrals."""

import logging

import pytest
from django.urls import reverse

from referrals.models import Referral
from smd.outbox.models import OutboxMessage
from tests.factories import new_key
from tests.outages import celery_broker, free_port, redis_cache
from tests.referrals.test_public_form import valid_data  # noqa: F401 - a fixture

URL = "/refer/"


@pytest.fixture
def redis_down():
    """The URL of a Redis that is not there: connections to it are refused."""
    return f"redis://127.0.0.1:{free_port()}/0"


def test_refused_posts_do_not_count_towards_the_limit(
    client,
    team,
    valid_data,  # noqa: F811
    settings,
):
    settings.REFERRAL_RATE_LIMIT = "3/h"
    for _ in range(5):  # a referrer fixing mistakes is never paused
        refused = client.post(URL, {**valid_data, "consent": ""})
        assert refused.status_code == 200 and "consent" in refused.context["form"].errors
    for _ in range(3):  # three referrals, each from a page of its own
        assert client.post(URL, {**valid_data, **new_key()}).status_code == 302
    assert client.post(URL, {**valid_data, **new_key()}).status_code == 429
    assert Referral.objects.count() == 3


def test_with_the_cache_down_a_public_referral_is_stored_and_confirmed(
    client,
    team,
    valid_data,  # noqa: F811
    settings,
    redis_down,
    caplog,
):
    settings.CACHES = redis_cache(redis_down)
    with caplog.at_level(logging.WARNING, "referrals.ratelimit"):
        response = client.post(URL, valid_data, follow=True)
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert referral.reference in response.content.decode()
    assert "limit not applied: the cache is unavailable" in caplog.text


def test_with_the_broker_down_a_staff_referral_is_stored_confirmed_and_kept_for_the_sweep(
    navigator_client,
    navigator,
    valid_data,  # noqa: F811
    redis_down,
    django_capture_on_commit_callbacks,
):
    valid_data["referrer"] = str(navigator.organisation_id)
    with celery_broker(redis_down), django_capture_on_commit_callbacks(execute=True):
        response = navigator_client.post(reverse("referrals:new"), valid_data, follow=True)
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert f"Referral {referral.reference} is in the triage queue." in response.content.decode()
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.kwargs == {"referral_id": str(referral.pk)}
    assert "Connection refused" in message.last_error, message.last_error
