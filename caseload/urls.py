from django.urls import path

from caseload import views

app_name = "caseload"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("caseload/", views.my_caseload, name="my_caseload"),
    path("capacity/", views.team_capacity, name="team_capacity"),
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
]
