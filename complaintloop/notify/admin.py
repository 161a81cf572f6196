from django.contrib import admin

from .models import Notification, SmsMessage


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "title", "ticket_number", "created_at", "read_at")
    raw_id_fields = ("recipient",)


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ("phone", "text", "gateway", "created_at")
    search_fields = ("phone",)
