from django.contrib import admin

from inviteflow.creators.models import Creator, CsvImport


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = ["name", "handle", "email", "workspace", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["name", "handle", "email"]
    raw_id_fields = ["source_import"]


@admin.register(CsvImport)
class CsvImportAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "workspace",
        "status",
        "total",
        "processed",
        "imported",
        "created_at",
    ]
    list_filter = ["status", "workspace"]
    readonly_fields = ["rows", "errors", "duplicates"]
