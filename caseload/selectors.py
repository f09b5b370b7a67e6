from django.db.models import Prefetch, Q

from caseload.models import Allocation, Episode, EpisodeStatus, Person


def person_list(user, search=""):
    """The people the user may see, with their open episode, searchable by any name."""
    people = Person.objects.visible_to(user).prefetch_related(
        Prefetch(
            "episodes",
            queryset=Episode.objects.exclude(status=EpisodeStatus.CLOSED),
            to_attr="open_episodes",
        )
    )
    for term in search.split()[:4]:
        people = people.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(known_as__icontains=term)
            | Q(aliases__name__icontains=term)
        ).distinct()
    return people


def person_detail(user, pk):
    """One person the user may see, with what the person page shows; None if not visible."""
    return (
        Person.objects.visible_to(user)
        .prefetch_related(
            "aliases",
            Prefetch(
                "episodes",
                queryset=Episode.objects.prefetch_related(
                    Prefetch("allocations", queryset=Allocation.objects.select_related("worker"))
                ),
            ),
            "referrals__referrer_organisation",
        )
        .filter(pk=pk)
        .first()
    )
