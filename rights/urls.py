from django.urls import path

from rights import views

app_name = "rights"

urlpatterns = [
    path("people/<uuid:pk>/export/", views.export, name="export"),
    path("retention/", views.retention, name="retention"),
    path("retention/erase/", views.retention_erase, name="retention_erase"),
]
