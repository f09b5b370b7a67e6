from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import docs_views, token_views, views

app_name = "api"


def public(view_class, **kwargs):
    """An API view: it answers to its token, not to a signed-in session."""
    return login_not_required(view_class.as_view(**kwargs))


urlpatterns = [
    path("tokens/", token_views.tokens, name="tokens"),
    path("tokens/new/", token_views.token_new, name="token_new"),
    path("tokens/<uuid:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("schema/", public(SpectacularAPIView), name="schema"),
    path("docs/", docs_views.docs, name="docs"),
    path("v1/people/", public(views.PeopleView), name="people"),
    path("v1/people/<str:ref>/", public(views.PersonView), name="person"),
    path("v1/episodes/", public(views.EpisodesView), name="episodes"),
    path("v1/allocations/", public(views.AllocationsView), name="allocations"),
    path("v1/contacts/", public(views.ContactsView), name="contacts"),
    path("v1/assessments/", public(views.AssessmentsView), name="assessments"),
    path("v1/reqol/", public(views.ReqolView), name="reqol"),
    path("v1/crisis-events/", public(views.CrisisEventsView), name="crisis_events"),
    path("v1/accommodation/", public(views.AccommodationView), name="accommodation"),
    path("v1/referrals/", public(views.ReferralsView), name="referrals"),
    path("v1/mdt-figures/", public(views.MdtFiguresView), name="mdt_figures"),
    path("v1/returns/", public(views.ReturnsView), name="returns"),
]
