from django.urls import path

from mdt import views

app_name = "mdt"

urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("new/", views.meeting_new, name="meeting_new"),
    path("actions/", views.my_actions, name="my_actions"),
    path("actions/<uuid:pk>/", views.action_update, name="action_update"),
    path("refer/<uuid:person_pk>/", views.referral_new, name="referral_new"),
    path("<uuid:pk>/", views.meeting, name="meeting"),
    path("<uuid:pk>/agenda/add/", views.agenda_add, name="agenda_add"),
    path("<uuid:pk>/agenda/share/", views.agenda_share, name="agenda_share"),
    path("<uuid:pk>/attendance/", views.attendance, name="attendance"),
    path("<uuid:pk>/start/", views.meeting_start, name="start"),
    path("<uuid:pk>/live/", views.live, name="live"),
    path("<uuid:pk>/owners/", views.owners, name="owners"),
    path("<uuid:pk>/finish/", views.meeting_finish, name="finish"),
    path("<uuid:pk>/minutes/", views.minutes, name="minutes"),
    path("<uuid:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("cases/<uuid:pk>/", views.case, name="case"),
    path("cases/<uuid:pk>/move/", views.agenda_move, name="agenda_move"),
    path("cases/<uuid:pk>/remove/", views.agenda_remove, name="agenda_remove"),
    path("cases/<uuid:pk>/notes/", views.case_notes, name="case_notes"),
    path("cases/<uuid:pk>/actions/", views.action_add, name="action_add"),
]
