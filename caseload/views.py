from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from caseload import selectors, services
from caseload.forms import PersonForm
from caseload.models import Person
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
    template = "caseload/person_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"page": page, "q": search})


def person_detail(request, pk):
    person = selectors.person_detail(request.user, pk)
    if person is None:
        raise Http404
    return render(request, "caseload/person_detail.html", {"person": person})


def person_edit(request, pk):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    # Peer mentors read the record of the people allocated to them; team staff keep it up to date.
    if not request.user.in_team:
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        services.person_update(person=person, form=form, by=request.user)
        messages.success(request, "Record updated.")
        return redirect(person)
    return render(request, "caseload/person_edit.html", {"person": person, "form": form})
