from django.contrib import admin, messages

from assessments.models import AssessmentScheme, SchemeItem
from assessments.services import scheme_make_current

# Schemes are configuration, not person data, so admins maintain them here. Assessments are
# person data and are not registered.


class SchemeItemInline(admin.StackedInline):
    model = SchemeItem
    extra = 0
    fields = ["position", "key", "title", "guidance", "weight", "levels"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_in_use

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "is_current", "in_use"]
    list_filter = ["code", "is_current"]
    inlines = [SchemeItemInline]
    actions = ["make_current"]
    readonly_fields = ["is_current"]

    @admin.display(boolean=True, description="Used by assessments")
    def in_use(self, obj):
        return obj.is_in_use

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_in_use:
            return ["code", "name", "version", "instruction", "comparable_to", "is_current"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_in_use

    @admin.action(description="Make the selected version current for its scheme")
    def make_current(self, request, queryset):
        for scheme in queryset:
            scheme_make_current(scheme=scheme)
        messages.success(request, "New assessments will use the selected version.")
