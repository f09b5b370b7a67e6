"""A meeting's invitations of one organisation (the organisation's own and its members') come out
in one order: by organisation, then the earliest made, then by id, never as the database's plan
happens to leave them."""

from django.utils import timezone

from mdt.models import Invitation


def test_invitations_of_one_organisation_are_listed_in_one_order(meeting, probation):
    # The meeting invites a member of the probation service; the service itself is invited too.
    Invitation.objects.create(meeting=meeting, organisation=probation)
    invitations = list(meeting.invitations.all())
    assert len(invitations) == 2
    assert len({i.organisation_id for i in invitations}) == 1
    moment = timezone.now().replace(microsecond=0)
    Invitation.objects.filter(meeting=meeting).update(created_at=moment)
    expected = sorted(i.pk for i in invitations)

    assert [i.pk for i in Invitation.objects.filter(meeting=meeting)] == expected
    assert [i.pk for i in meeting.invitations.all()] == expected
    # Reversed on the tiebreaker, the order follows it: it is the id that decides, not chance.
    Invitation.objects.filter(pk=expected[1]).update(created_at=moment.replace(year=2020))
    assert [i.pk for i in Invitation.objects.filter(meeting=meeting)] == expected[::-1]
