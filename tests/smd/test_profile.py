from django.urls import reverse


def test_profile_names_the_signed_in_user_in_few_queries(
    navigator_client, navigator, count_queries
):
    with count_queries.during() as counted:
        response = navigator_client.get(reverse("profile"))
    assert response.status_code == 200
    page = response.content.decode()
    assert navigator.username in page and "Navigator" in page and navigator.team.name in page
    assert reverse("two_factor:backup_codes") in page
    # The session, the user, the device that gave the second factor, their team and
    # organisation: the benchmark's baseline stays light.
    # and one more: the top bar's count of unread notifications
    assert len(counted) == 6
