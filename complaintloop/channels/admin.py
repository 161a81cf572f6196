import re

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import imap
from .models import (
    EmailIdentity,
    InboundMessage,
    Mailbox,
    OfflineDispatch,
    OfflineUnit,
    SmsGrammar,
    Transcription,
)


class MailboxForm(forms.ModelForm):
    # The stored password never goes back to the browser; blank keeps it.
    password = forms.CharField(
        label=_("密码"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("加密存储;留空则保持原密码"),
    )

    def clean_password(self) -> str:
        value = self.cleaned_data.get("password") or ""
        if not value and self.instance.pk:
            return self.instance.password
        return value

    class Meta:
        model = Mailbox
        fields = (
            "name",
            "host",
            "port",
            "use_ssl",
            "username",
            "password",
            "folder",
            "order_type",
            "unit",
            "auto_dispatch",
            "is_active",
        )


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = (
        "name",
        "host",
        "port",
        "username",
        "folder",
        "unit",
        "order_type",
        "is_active",
        "last_polled_at",
        "last_error",
    )
    list_filter = ("is_active",)
    readonly_fields = ("last_polled_at", "last_error")
    actions = ["poll_now"]

    @admin.action(description=_("立即收取"))
    def poll_now(self, request, queryset):
        for box in queryset:
            result = imap.poll(box)
            level = messages.ERROR if result.error else messages.SUCCESS
            self.message_user(
                request, f"{box.name}: {result.fetched} {result.error}".strip(), level
            )


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "channel", "outcome", "sender", "subject", "ticket", "detail")
    list_filter = ("channel", "outcome", "mailbox")
    search_fields = ("message_id", "sender", "subject", "ticket__number")
    date_hierarchy = "received_at"
    list_select_related = ("ticket",)
    readonly_fields = [f.name for f in InboundMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SmsGrammarForm(forms.ModelForm):
    class Meta:
        model = SmsGrammar
        fields = ("name", "pattern", "action", "order_type", "answer", "priority", "is_active")

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        try:
            re.compile(pattern)
        except re.error as exc:
            raise forms.ValidationError(_("正则表达式无效:%(error)s") % {"error": exc}) from exc
        return pattern


@admin.register(SmsGrammar)
class SmsGrammarAdmin(admin.ModelAdmin):
    form = SmsGrammarForm
    list_display = ("priority", "name", "pattern", "action", "order_type", "is_active")
    list_display_links = ("name",)
    list_editable = ("priority", "is_active")


class OfflineUnitForm(forms.ModelForm):
    class Meta:
        model = OfflineUnit
        fields = ("unit", "addresses", "is_active")

    def clean_addresses(self):
        value = self.cleaned_data["addresses"]
        found = OfflineUnit(addresses=value).address_list
        if not found:
            raise forms.ValidationError(_("请填写至少一个有效的邮箱地址"))
        for address in found:
            forms.EmailField().clean(address)  # raises with the field's own message
        return value


@admin.register(OfflineUnit)
class OfflineUnitAdmin(admin.ModelAdmin):
    form = OfflineUnitForm
    list_display = ("unit", "addresses", "is_active")
    autocomplete_fields = ("unit",)


@admin.register(OfflineDispatch)
class OfflineDispatchAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "ticket", "unit", "recipients", "message_id")
    list_select_related = ("ticket", "unit")
    search_fields = ("ticket__number", "message_id")


@admin.register(EmailIdentity)
class EmailIdentityAdmin(admin.ModelAdmin):
    list_display = ("address", "customer")
    search_fields = ("address",)
    raw_id_fields = ("customer",)


@admin.register(Transcription)
class TranscriptionAdmin(admin.ModelAdmin):
    list_display = ("ticket", "channel", "caller", "received_at", "done_at", "done_by")
    list_filter = ("channel",)
    raw_id_fields = ("ticket",)
