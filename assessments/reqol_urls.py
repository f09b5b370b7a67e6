from django.urls import path

from assessments import reqol_views

app_name = "reqol"

urlpatterns = [
    path("", reqol_views.history, name="history"),
    path("new/", reqol_views.new, name="new"),
]
