from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from . import defaults
from .models import (
    CustomerPreference,
    EmailMessage,
    Notification,
    NotificationTemplate,
    SmsMessage,
    StaffAlertSetting,
)
from .services import clear_template_cache


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = (
        "event",
        "channel",
        "language",
        "subject",
        "is_urgent",
        "is_active",
        "updated_at",
    )
    list_filter = ("channel", "language", "is_urgent", "is_active")
    search_fields = ("event", "subject", "body")
    readonly_fields = ("variables",)
    fields = (
        "event",
        "channel",
        "language",
        "subject",
        "body",
        "is_urgent",
        "is_active",
        "variables",
    )

    @admin.display(description=_("可用变量"))
    def variables(self, obj=None):
        return format_html_join(
            "", "<div><code>{{{{ {} }}}}</code> {}</div>", defaults.VARIABLES.items()
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        clear_template_cache()


@admin.register(CustomerPreference)
class CustomerPreferenceAdmin(admin.ModelAdmin):
    list_display = ("customer", "language", "sms_enabled", "email_enabled")
    list_filter = ("language",)
    raw_id_fields = ("customer",)


@admin.register(StaffAlertSetting)
class StaffAlertSettingAdmin(admin.ModelAdmin):
    list_display = ("staff", "language", "by_sms", "by_email")
    list_filter = ("by_sms", "by_email", "language")
    raw_id_fields = ("staff",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "title", "ticket_number", "created_at", "read_at")
    raw_id_fields = ("recipient",)
    search_fields = ("ticket_number", "=outbox_id")


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = (
        "phone",
        "text",
        "event",
        "status",
        "next_attempt_at",
        "sent_at",
        "attempts",
        "gateway",
    )
    list_filter = ("status", "gateway", "language")
    search_fields = ("phone", "=outbox_id")


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    list_display = ("to", "subject", "event", "status", "sent_at", "attempts")
    list_filter = ("status", "language")
    search_fields = ("to", "=outbox_id", "subject")
