from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def test_profile_names_the_signed_in_user_in_few_queries(navigator_client, navigator):
    with CaptureQueriesContext(connection) as ctx:
        response = navigator_client.get(reverse("profile"))
    assert response.status_code == 200
    page = response.content.decode()
    assert navigator.username in page and "Navigator" in page and navigator.team.name in page
    assert reverse("two_factor:backup_codes") in page
    # The session, the user, the device that gave the second factor, their team and
    # organisation: the benchmark's baseline stays light.
    assert len(ctx.captured_queries) == 5
