from django.contrib import admin

from importer.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["original_name", "source", "team", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]
