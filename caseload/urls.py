from django.urls import path

from caseload import views

app_name = "caseload"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("<uuid:pk>/", views.person_detail, name="person_detail"),
    path("<uuid:pk>/edit/", views.person_edit, name="person_edit"),
]
