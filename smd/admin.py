from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from smd.models import Organisation, Role, Team, User
from smd.services import PASSWORD_SET, SUPERUSER_GIVEN, account_change_record, role_given
from smd.two_factor.services import second_factor_reset
from smd.versioning import VersionedAdminMixin

# Only users, organisations and teams are administered here: person data never appears in
# the admin site, so an admin account cannot browse it. Nor do anyone's second-factor secrets:
# an admin can only reset a user's two-factor sign-in (ADR 0014).
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)

# What an admin may not change on their own account: access follows role, team and
# organisation, and the admin site itself follows the flags, groups and permissions. Another
# admin makes such a change, and it is logged and told to the user.
OWN_PRIVILEGES = [
    "role",
    "team",
    "organisation",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
]


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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += OWN_PRIVILEGES
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Every role but admin opens person data; superuser opens the whole admin site.
        if "role" in form.changed_data and obj.role and obj.role != Role.ADMIN:
            self._record(request, obj, role_given(obj.get_role_display()))
        if "is_superuser" in form.changed_data and obj.is_superuser:
            self._record(request, obj, SUPERUSER_GIVEN)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is logged and told to them, in the same transaction.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                self._record(request, self.get_object(request, unquote(id)), PASSWORD_SET)
        return response

    def _record(self, request, user, change):
        account_change_record(user=user, by=request.user, change=change, request=request)

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
            second_factor_reset(user=user, by=request.user, request=request)
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
