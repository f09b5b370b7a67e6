from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    path("people/<uuid:person_pk>/sharing/basis/", views.lawful_basis, name="lawful_basis"),
    path("people/<uuid:person_pk>/sharing/new/", views.agreement_new, name="agreement_new"),
    path(
        "people/<uuid:person_pk>/sharing/<uuid:pk>/withdraw/",
        views.agreement_withdraw,
        name="agreement_withdraw",
    ),
    path("data-sharing-agreements/", views.register, name="register"),
    path("data-sharing-agreements/new/", views.dsa_new, name="dsa_new"),
    path("data-sharing-agreements/<uuid:pk>/", views.dsa_edit, name="dsa_edit"),
]
