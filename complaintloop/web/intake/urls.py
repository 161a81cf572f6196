from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.intake, name="page"),
    path("customer/", views.customer, name="customer"),
    path("repeat/", views.repeat, name="repeat"),
    path("partners/", views.partner_panel, name="partners"),
    path("categories/", views.categories, name="categories"),
]
