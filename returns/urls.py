from django.urls import path

from returns import views

app_name = "returns"

urlpatterns = [
    path("", views.index, name="index"),
    path("generate/", views.generate, name="generate"),
    path("figures/", views.live, name="live"),
    path("figures/people/", views.people, name="people"),
    path("<uuid:pk>/status/", views.status, name="status"),
    path("<uuid:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("<uuid:pk>/retry/", views.retry, name="retry"),
    path("<uuid:pk>/return.pdf", views.download, {"kind": "pdf"}, name="download_pdf"),
    path("<uuid:pk>/return.csv", views.download, {"kind": "csv"}, name="download_csv"),
]
