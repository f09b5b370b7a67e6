"""The two files a browser looks for at fixed places: the service worker at the root (so its
scope is the whole app) and the manifest."""

from django.urls import path

from offline import views

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
