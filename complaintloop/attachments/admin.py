from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "ticket", "content_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type",)
    search_fields = ("name", "ticket__number")
    raw_id_fields = ("ticket", "uploaded_by")
    list_select_related = ("ticket", "uploaded_by")
