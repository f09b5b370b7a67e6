from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from smd.models import Organisation, Team, User
from smd.two_factor.services import second_factor_reset
from smd.versioning import VersionedAdminMixin

# Only users, organisations and teams are administered here: person data never appears in
# the admin site, so an admin account cannot browse it. Nor do anyone's second-factor secrets:
# an admin can only reset a user's two-factor sign-in (ADR 0014).
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class UserAdmin(VersionedAdminMixin, BaseUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "team",
        "organisation",
        "is_active",
        "two_factor",
    ]
    list_filter = ["role", "team", "organisation", "is_active"]
    actions = ["reset_two_factor"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Work", {"fields": ["role", "specialism", "organisation", "team", "phone"]}),
        # What allocation and the team capacity page read (ADR 0008).
        ("Caseload", {"fields": ["fte", "planned_hours", "languages", "gender"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Work", {"fields": ["role", "specialism", "organisation", "team", "email"]}),
    ]

    def get_queryset(self, request):
        confirmed_app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_app=Exists(confirmed_app))

    @admin.display(boolean=True, description="two-factor set up", ordering="has_app")
    def two_factor(self, user):
        return user.has_app

    @admin.action(
        description="Reset two-factor sign-in (they set it up again at next sign-in)",
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        users = list(queryset)
        for user in users:
            second_factor_reset(user=user)
        self.message_user(
            request,
            f"Two-factor sign-in reset for {len(users)} user{'s' if len(users) != 1 else ''}. "
            "They have been signed out everywhere, and will set up an authenticator app the "
            "next time they sign in.",
            messages.SUCCESS,
        )


@admin.register(Organisation)
class OrganisationAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "sector", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "receives_public_referrals"]
