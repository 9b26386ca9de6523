from django.contrib import admin

from inviteflow.tiktok.models import LearnedLimit


@admin.register(LearnedLimit)
class LearnedLimitAdmin(admin.ModelAdmin):
    """Deleting a row sends the setting's size again (after the sizes cache, 30 s)."""

    list_display = ["endpoint", "parameter", "size", "refused", "confirmed", "learned_at"]
    readonly_fields = ["endpoint", "parameter", "refused", "message", "learned_at"]
