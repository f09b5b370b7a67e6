from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("people/<uuid:person_pk>/documents/new/", views.upload, name="upload"),
    path("documents/<uuid:pk>/", views.download, name="download"),
    path("documents/<uuid:pk>/edit/", views.edit, name="edit"),
    path("documents/<uuid:pk>/remove/", views.remove, name="remove"),
]
