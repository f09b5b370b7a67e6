from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.history, name="history"),
    path("new/", views.new, name="new"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/edit/", views.edit, name="edit"),
]
