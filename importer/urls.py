from django.urls import path

from importer import views

app_name = "importer"

urlpatterns = [
    path("", views.index, name="index"),
    path("held/", views.held, name="held"),
    path("held/<uuid:pk>/decide/", views.decide, name="decide"),
    path("<uuid:pk>/", views.run, name="run"),
    path("<uuid:pk>/import/", views.confirm, name="confirm"),
]
