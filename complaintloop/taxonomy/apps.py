from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "complaintloop.taxonomy"
    label = "taxonomy"

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration

        from .models import Category, OrderType, Product, ServiceProvider

        # Audited configuration (R33).
        for model in (OrderType, Category, Product, ServiceProvider):
            watch_configuration(model)
