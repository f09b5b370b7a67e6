from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from smd import views
from smd.middleware import second_factor_not_required
from smd.two_factor.views import PasswordChangeView, SignInView, password_confirm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path(
        "accounts/logout/",
        second_factor_not_required(views.SignOutView.as_view()),
        name="logout",
    ),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/confirm-password/", password_confirm, name="password_confirm"),
    path("accounts/two-factor/", include("smd.two_factor.urls")),
    path("", include("referrals.urls")),
    path("people/", include("caseload.urls")),
    path("offline/", include("offline.urls")),
    path("", include("offline.root_urls")),
    path("people/<uuid:person_pk>/ndt/", include("assessments.urls")),
    path("people/<uuid:person_pk>/reqol/", include("assessments.reqol.urls")),
    path("mdt/", include("mdt.urls")),
    path("people/<uuid:person_pk>/domestic-abuse/", include("domestic_abuse.urls")),
    path("", include("sharing.urls")),
    path("", include("documents.urls")),
    path("", include("appointments.urls")),
    path("import/", include("importer.urls")),
    path("returns/", include("returns.urls")),
    path("", include("rights.urls")),
    path("audit/", include("smd.audit.urls")),
    path("notifications/", include("smd.notifications.urls")),
    path("api/", include("api.urls")),
    # One sign-in page, with its second factor and cool-off, for the admin site too.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
]

handler404 = "smd.errors.not_found"
handler403 = "smd.errors.forbidden"
handler500 = "smd.errors.server_error"
