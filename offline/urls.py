from django.urls import path

from offline import views

app_name = "offline"

urlpatterns = [
    path("", views.offline_page, name="offline"),
    path("caseload/", views.caseload_shell, name="caseload_shell"),
    path("caseload.json", views.caseload_data, name="caseload_data"),
    path("key/", views.key, name="key"),
    path("people/<uuid:pk>/contacts/", views.contact_send, name="contact_send"),
    path(
        "appointments/<uuid:pk>/attended/",
        views.appointment_attended,
        name="appointment_attended",
    ),
    path(
        "appointments/<uuid:pk>/not-attended/",
        views.appointment_not_attended,
        name="appointment_not_attended",
    ),
]
