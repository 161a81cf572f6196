import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from .factories import StaffFactory


@pytest.fixture
def admin_client_cl(world):
    sysadmin = StaffFactory(username="root", is_staff=True, is_superuser=True, unit=world.province)
    client = Client()
    client.force_login(sysadmin)
    return client


def test_every_model_has_a_working_admin(world, admin_client_cl):
    # given a ticket so change pages have something to show
    ticket = world.new_ticket()
    models = [m for m in admin.site._registry if m._meta.app_label not in ("auth",)]
    ours = {m._meta.app_label for m in models}
    assert {
        "core",
        "org",
        "customers",
        "taxonomy",
        "tickets",
        "processes",
        "routing",
        "notify",
    } <= ours
    for model in models:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = admin_client_cl.get(url)
        assert response.status_code == 200, url
        add = admin_client_cl.get(
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        )
        assert add.status_code in (200, 403), model
    change = admin_client_cl.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert change.status_code == 200
    assert ticket.number in change.content.decode()
