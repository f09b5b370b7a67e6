from django.urls import path

from appointments import views

app_name = "appointments"

urlpatterns = [
    path("people/<uuid:person_pk>/appointments/new/", views.new, name="new"),
    path("appointments/<uuid:pk>/", views.detail, name="detail"),
    path("appointments/<uuid:pk>/change/", views.edit, name="edit"),
    path("appointments/<uuid:pk>/cancel/", views.cancel, name="cancel"),
    path("appointments/<uuid:pk>/attended/", views.attended, name="attended"),
    path("appointments/<uuid:pk>/not-attended/", views.not_attended, name="not_attended"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/feed/<str:token>.ics", views.feed, name="feed"),
]
