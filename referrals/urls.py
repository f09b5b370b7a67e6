from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("refer/", views.public_referral, name="public"),
    path("refer/thank-you/", views.public_referral_done, name="public_done"),
    path("referrals/new/", views.staff_referral, name="new"),
    path("referrals/triage/", views.triage, name="triage"),
    path("referrals/overview/", views.overview, name="overview"),
    path("referrals/<uuid:pk>/", views.referral_detail, name="detail"),
    path("referrals/<uuid:pk>/link/", views.referral_link, name="link"),
    path("referrals/<uuid:pk>/new-person/", views.referral_new_person, name="new_person"),
    path("referrals/<uuid:pk>/decide/", views.referral_decision, name="decide"),
]
