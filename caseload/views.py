from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from caseload import selectors
from smd.access import user_passes
from smd.models import Role

sees_people = user_passes(
    lambda u: u.in_team or (u.role == Role.PEER_MENTOR and u.team_id is not None)
)


@sees_people
def person_list(request):
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.person_list(request.user, search), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "caseload/person_list.html", {"page": page, "q": search})


def person_detail(request, pk):
    person = selectors.person_detail(request.user, pk)
    if person is None:
        raise Http404
    return render(request, "caseload/person_detail.html", {"person": person})
