"""The insight hub's read-only API: each endpoint a list of the token's team's records,
paginated, every call audited as the token's system (ADR 0031)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ValidationError
from rest_framework.response import Response

from api import selectors, serializers
from api.auth import audit_call
from smd.quarters import Quarter
from smd.replica import reports

PERSON = OpenApiParameter(
    "person",
    str,
    description="Only this person's records: their pseudonym (or id, for identifiable tokens).",
)
QUARTER = OpenApiParameter(
    "quarter", str, description='Only this financial-year quarter, e.g. "2025/26 Q3".'
)
QUARTER_REQUIRED = OpenApiParameter(
    "quarter", str, required=True, description='A financial-year quarter, e.g. "2025/26 Q3".'
)
UNAUTHORISED = {
    401: OpenApiResponse(description="No token, or one unknown, revoked or expired."),
    429: OpenApiResponse(description="Too many calls: wait the Retry-After header's seconds."),
}
PAST_THE_END = {404: OpenApiResponse(description="A page past the last one.")}
BAD_QUARTER = {400: OpenApiResponse(description="The quarter is not one like 2025/26 Q3.")}


class ApiView(generics.GenericAPIView):
    """Reads for one token: its team only, audited per call, limited per token."""

    audit_description = ""

    def dispatch(self, request, *args, **kwargs):
        # Every endpoint is a read: its records may come from the replica. The token is read
        # from the primary (api.auth), so a revoked one stops at once; the audit entry is a
        # write, so it goes to the primary too.
        if request.method in ("GET", "HEAD"):
            with reports():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except (NotAuthenticated, AuthenticationFailed):
            # Calls without a usable token are limited per address, so keys cannot be tried
            # at speed.
            self.check_throttles(request)
            raise

    @property
    def token(self):
        return self.request.auth

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "token": self.request.auth}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        audit_call(
            request,
            response,
            description=self.audit_description,
            person=getattr(self, "audit_person", None),
        )
        return response

    def person_filter(self):
        return self.request.query_params.get("person") or None


class ListView(generics.ListAPIView, ApiView):
    selector = None

    def get_queryset(self):
        return type(self).selector(self.token, self.person_filter())


@extend_schema(
    responses={200: serializers.PersonSerializer(many=True), **PAST_THE_END, **UNAUTHORISED}
)
class PeopleView(generics.ListAPIView, ApiView):
    """The team's people: pseudonyms, gender, ethnicity, disability and age band (names, dates
    of birth and NHS numbers for identifiable tokens only)."""

    serializer_class = serializers.PersonSerializer
    audit_description = "people"

    def get_queryset(self):
        return selectors.people(self.token).order_by("created_at", "id")


@extend_schema(
    responses={
        200: serializers.PersonSerializer,
        404: OpenApiResponse(description="No such person in the token's team."),
        **UNAUTHORISED,
    }
)
class PersonView(generics.RetrieveAPIView, ApiView):
    """One person of the team, by pseudonym (or id, for identifiable tokens)."""

    serializer_class = serializers.PersonSerializer
    audit_description = "person"

    def get_object(self):
        person = selectors.person(self.token, self.kwargs["ref"])
        if person is None:
            raise Http404
        self.audit_person = person.pk
        return person


# How each list's calls read in the audit log ("API: contacts").
AUDITED_AS = {
    "EpisodesView": "episodes",
    "AllocationsView": "allocations",
    "ContactsView": "contacts",
    "AssessmentsView": "NDT assessments",
    "ReqolView": "ReQoL-10",
    "CrisisEventsView": "crisis events",
    "AccommodationView": "accommodation",
    "ReferralsView": "referrals",
}


def _list(name, serializer, selector, doc):
    # A `get` of its own, so its schema (set on the method) is not every list's.
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    view = type(
        name,
        (ListView,),
        {
            "__doc__": doc,
            "serializer_class": serializer,
            "selector": staticmethod(selector),
            "audit_description": AUDITED_AS[name],
            "get": get,
        },
    )
    responses = {200: serializer(many=True), **PAST_THE_END, **UNAUTHORISED}
    return extend_schema(parameters=[PERSON], responses=responses)(view)


EpisodesView = _list(
    "EpisodesView",
    serializers.EpisodeSerializer,
    selectors.episodes,
    "Periods of support: status, dates, exit destination.",
)
AllocationsView = _list(
    "AllocationsView",
    serializers.AllocationSerializer,
    selectors.allocations,
    "Who worked with whom: each allocation's kind, the worker's role, when it began and ended "
    "(the worker's username for identifiable tokens only).",
)
ContactsView = _list(
    "ContactsView",
    serializers.ContactSerializer,
    selectors.contacts,
    "Contacts: when, what kind, the worker's role, how long, with whom (what was said only "
    "for tokens made with notes).",
)
AssessmentsView = _list(
    "AssessmentsView",
    serializers.AssessmentSerializer,
    selectors.assessments,
    "Completed NDT assessments: scheme and version, date, totals and each item's score.",
)
ReqolView = _list(
    "ReqolView",
    serializers.ReqolSerializer,
    selectors.reqol,
    "ReQoL-10 records: date, total and each answer's score.",
)
CrisisEventsView = _list(
    "CrisisEventsView",
    serializers.CrisisEventSerializer,
    selectors.crisis_events,
    "Crisis and service events: A&E, admissions, arrests, nights in custody or rough sleeping.",
)
AccommodationView = _list(
    "AccommodationView",
    serializers.AccommodationSerializer,
    selectors.accommodation,
    "Where people live, from each date on.",
)

ReferralsView = _list(
    "ReferralsView",
    serializers.ReferralSerializer,
    selectors.referrals,
    "Referrals into the team: when received, from which organisation, the five disadvantages "
    "and each eligibility decision (outcome and when); never the referral's free text. "
    "Referrals not yet linked to a person have no person.",
)


def _quarter(request, required):
    label = request.query_params.get("quarter")
    if not label:
        if required:
            raise ValidationError({"quarter": ['Give a quarter, e.g. "2025/26 Q3".']})
        return None
    try:
        return Quarter.from_label(label)
    except ValueError as error:
        raise ValidationError({"quarter": [str(error)]}) from None


@extend_schema(
    parameters=[QUARTER_REQUIRED],
    responses={200: serializers.MdtFiguresSerializer, **BAD_QUARTER, **UNAUTHORISED},
)
class MdtFiguresView(ApiView):
    """The team's MDT figures for one quarter, split by gender, ethnicity and domestic-abuse
    survivors; never the people behind them."""

    serializer_class = serializers.MdtFiguresSerializer
    audit_description = "MDT figures"

    def get(self, request):
        quarter = _quarter(request, required=True)
        figures = selectors.team_mdt_figures(self.token, quarter)
        data = {"quarter": quarter.label, "start": quarter.start, "end": quarter.end}
        return Response(self.get_serializer({**data, "figures": figures}).data)


@extend_schema(
    parameters=[QUARTER],
    responses={
        200: serializers.ReturnSerializer(many=True),
        **BAD_QUARTER,
        **PAST_THE_END,
        **UNAUTHORISED,
    },
)
class ReturnsView(generics.ListAPIView, ApiView):
    """The team's quarterly returns as built (every version that finished), newest first."""

    serializer_class = serializers.ReturnSerializer
    audit_description = "quarterly returns"

    def get_queryset(self):
        return selectors.built_returns(self.token, _quarter(self.request, required=False))
