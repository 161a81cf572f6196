from django import forms
from django.contrib import admin

from complaintloop.core.errors import Invalid

from . import services
from .models import DailyTicketStat, Indicator


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = (*services.FIELDS, "owner_unit")

    def clean(self):
        cleaned = super().clean()
        data = {f: cleaned.get(f) for f in services.FIELDS if f in cleaned}
        try:
            services.validate(data)
        except Invalid as exc:
            for field, messages in exc.fields.items():
                name = field.split(".")[0]
                self.add_error(name if name in self.fields else None, "; ".join(messages))
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorForm
    list_display = ("code", "name_zh", "phase", "kind", "unit", "target", "warning", "is_active")
    list_filter = ("phase", "kind", "is_builtin", "is_active")
    search_fields = ("code", "name_zh", "name_en")
    raw_id_fields = ("owner_unit",)


@admin.register(DailyTicketStat)
class DailyTicketStatAdmin(admin.ModelAdmin):
    list_display = ("day", "region", "category_l1", "channel", "order_type", "created", "closed")
    list_filter = ("channel", "order_type")
    date_hierarchy = "day"
    raw_id_fields = ("region", "accepting_unit")
