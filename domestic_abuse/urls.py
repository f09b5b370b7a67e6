from django.urls import path

from domestic_abuse import views

app_name = "domestic_abuse"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("dash/new/", views.checklist_new, name="checklist_new"),
    path("marac/new/", views.marac_new, name="marac_new"),
    path("marac/<uuid:pk>/", views.marac_edit, name="marac_edit"),
    path("marac/<uuid:pk>/actions/new/", views.marac_action_new, name="marac_action_new"),
    path("marac-actions/<uuid:pk>/", views.marac_action_update, name="marac_action_update"),
]
