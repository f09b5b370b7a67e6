from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from smd import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", views.profile, name="profile"),
    path("", include("referrals.urls")),
    path("people/", include("caseload.urls")),
    path("people/<uuid:person_pk>/ndt/", include("assessments.urls")),
    path("people/<uuid:person_pk>/reqol/", include("assessments.reqol_urls")),
    path("mdt/", include("mdt.urls")),
    path("", include("smd.sharing.urls")),
    path("returns/", include("smd.returns.urls")),
    path("", include("smd.rights.urls")),
    path("audit/", include("smd.audit.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "smd.errors.not_found"
handler403 = "smd.errors.forbidden"
handler500 = "smd.errors.server_error"
