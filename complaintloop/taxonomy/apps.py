from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "complaintloop.taxonomy"
    label = "taxonomy"
