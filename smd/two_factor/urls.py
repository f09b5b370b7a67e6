from django.urls import path

from smd.two_factor import views

app_name = "two_factor"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("set-up/", views.setup, name="setup"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
]
