from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from complaintloop.core.errors import Invalid

from . import services
from .models import ErasedFile, PseudonymisedCustomer, RetentionPolicy, RetentionRun


class PolicyForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ("keep", "unit", "is_active", "basis")

    def clean(self):
        data = super().clean()
        try:
            services.validate(
                keep=data.get("keep"), unit=data.get("unit", ""), basis=data.get("basis", "")
            )
        except Invalid as exc:
            raise ValidationError(
                {name: messages for name, messages in exc.fields.items()}
            ) from exc
        return data


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """One row per data class (seeded); changes go through the service, so they are
    validated and audited like the page's."""

    form = PolicyForm
    list_display = ("data_class", "keep", "unit", "is_active", "basis", "updated_at", "updated_by")
    readonly_fields = ("data_class", "updated_at", "updated_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return services.may_manage(request.user) and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.update_policy(
            obj.data_class,
            actor=request.user,
            keep=obj.keep,
            unit=obj.unit,
            is_active=obj.is_active,
            basis=obj.basis,
        )


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnly):
    list_display = ("started_at", "dry_run", "trigger", "status", "actor", "finished_at")
    list_filter = ("dry_run", "status", "trigger")
    list_select_related = ("actor",)


@admin.register(ErasedFile)
class ErasedFileAdmin(ReadOnly):
    list_display = ("ticket", "data_class", "content_type", "size", "erased_at", "file_deleted_at")
    list_filter = ("data_class",)
    search_fields = ("ticket__number",)
    list_select_related = ("ticket",)


@admin.register(PseudonymisedCustomer)
class PseudonymisedCustomerAdmin(ReadOnly):
    list_display = ("customer", "at", "run")
    raw_id_fields = ("customer",)
