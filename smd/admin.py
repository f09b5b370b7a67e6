from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from smd.models import Organisation, Team, User

# Only users, organisations and teams are administered here: person data never appears in
# the admin site, so an admin account cannot browse it.


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "team",
        "organisation",
        "is_active",
    ]
    list_filter = ["role", "team", "organisation", "is_active"]
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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "receives_public_referrals"]
