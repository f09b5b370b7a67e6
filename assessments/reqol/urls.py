from django.urls import path

from assessments.reqol import views

app_name = "reqol"

urlpatterns = [
    path("", views.history, name="history"),
    path("new/", views.new, name="new"),
]
