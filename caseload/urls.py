from django.urls import path

from caseload import views
from caseload.outcomes import views as outcomes

app_name = "caseload"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("caseload/", views.my_caseload, name="my_caseload"),
    path("capacity/", views.team_capacity, name="team_capacity"),
    path("capacity/targets/", views.plan_targets, name="plan_targets"),
    path("<uuid:pk>/", views.person_detail, name="person_detail"),
    path("<uuid:pk>/edit/", views.person_edit, name="person_edit"),
    path("<uuid:pk>/allocate/", views.allocate, name="allocate"),
    path("<uuid:pk>/support/", views.episode_change, name="episode_change"),
    path("<uuid:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("<uuid:pk>/contacts/<uuid:contact_pk>/", views.contact_detail, name="contact_detail"),
    path("<uuid:pk>/contacts/<uuid:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path(
        "<uuid:pk>/contacts/<uuid:contact_pk>/done/",
        views.follow_up_done,
        name="follow_up_done",
    ),
    # Support plan and outcomes (caseload/outcomes/).
    path("<uuid:pk>/plan/", outcomes.plan, name="plan"),
    path("<uuid:pk>/plan/pdf/", outcomes.plan_pdf, name="plan_pdf"),
    path("<uuid:pk>/plan/goals/new/", outcomes.goal_new, name="goal_new"),
    path("<uuid:pk>/plan/goals/<uuid:goal_pk>/edit/", outcomes.goal_edit, name="goal_edit"),
    path("<uuid:pk>/plan/goals/<uuid:goal_pk>/review/", outcomes.goal_review, name="goal_review"),
    path("<uuid:pk>/events/", outcomes.events, name="events"),
    path("<uuid:pk>/events/new/", outcomes.event_new, name="event_new"),
    path("<uuid:pk>/accommodation/", outcomes.accommodation, name="accommodation"),
    path("<uuid:pk>/budget/", outcomes.budget, name="budget"),
    path("<uuid:pk>/outcomes-star/", outcomes.stars, name="stars"),
]
