from django.urls import path

from returns import views
from returns.extract import views as extract

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
    # The evaluation extract (returns/extract/, ADR 0032).
    path("evaluation-extract/", extract.index, name="extract"),
    path("evaluation-extract/request/", extract.generate, name="extract_generate"),
    path("evaluation-extract/<uuid:pk>/status/", extract.status, name="extract_status"),
    path("evaluation-extract/<uuid:pk>/retry/", extract.retry, name="extract_retry"),
    path("evaluation-extract/<uuid:pk>/extract.csv", extract.download, name="extract_download"),
]
