from django.urls import path, re_path

from smd.returns import views

app_name = "returns"

urlpatterns = [
    path("", views.index, name="index"),
    path("generate/", views.generate, name="generate"),
    path("figures/", views.live, name="live"),
    path("figures/people/", views.people, name="people"),
    path("<uuid:pk>/status/", views.status, name="status"),
    path("<uuid:pk>/sign-off/", views.sign_off, name="sign_off"),
    re_path(r"^(?P<pk>[0-9a-f-]{36})/return\.(?P<kind>pdf|csv)$", views.download, name="download"),
]
