from django.urls import path

from smd.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.index, name="index"),
    path("people/<uuid:person_pk>/", views.person_log, name="person"),
    path("people/<uuid:person_pk>/access.csv", views.person_log_csv, name="person_csv"),
    path("people/<uuid:person_pk>/history/", views.record_history, name="history"),
    path("staff/<uuid:user_pk>/", views.user_log, name="user"),
    path("staff/<uuid:user_pk>/access.csv", views.user_log_csv, name="user_csv"),
]
