"""Customers follow the tickets' data scope (R29): every customer route, per role and
region. A customer is visible where they live or where they have a ticket the user may
see; outside that they do not exist for the user (404), and intake says only "another
region's customer"."""

import pytest
from django.test import Client

from complaintloop.core.models import AuditLog
from complaintloop.customers.models import Customer, CustomerListEntry, ListKind

from .test_api import BODY, bearer

NJ_PHONE = "13800001111"  # 王先生, lives in 南京
SZ_PHONE = "13900002222"  # 李女士, lives in 苏州

# persona → which of the two customers they may see
EXPECTED = {
    "agent_nj": {"nj"},
    "handler_nj": {"nj"},
    "handler_nj_yz": {"nj"},
    "supervisor_nj": {"nj"},
    "agent_sz": {"sz"},
    "handler_sz": {"sz"},
    "quality": {"nj", "sz"},
    "auditor": {"nj", "sz"},
    "outsider": set(),
}


@pytest.fixture
def customers(world):
    nj = Customer.objects.get(phone=NJ_PHONE)
    sz = Customer.objects.get(phone=SZ_PHONE)
    CustomerListEntry.objects.create(customer=nj, kind=ListKind.KEY_RISK, reason="多次越级投诉")
    return {"nj": nj, "sz": sz}


def _names(response) -> set[str]:
    return {row["name"] for row in response.json()["items"]}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_detail_and_unmask_follow_scope(world, customers, persona):
    # given a persona and the two customers
    actor = getattr(world, persona)
    auth = bearer(actor)
    client = Client()
    for key, customer in customers.items():
        # when the persona reads the customer, masked and unmasked
        masked = client.get(f"/api/v1/customers/{customer.pk}", **auth)
        unmasked = client.get(f"/api/v1/customers/{customer.pk}?unmask=true", **auth)
        # then in scope it reads, out of scope it does not exist
        if key in EXPECTED[persona]:
            assert masked.status_code == 200, (persona, key)
            assert masked.json()["name"] == customer.name
            assert masked.json()["phone"] != customer.phone
            assert unmasked.status_code in (200, 403)
        else:
            assert masked.status_code == 404, (persona, key)
            assert unmasked.status_code == 404, (persona, key)
            assert customer.name not in masked.content.decode()
            assert customer.phone not in unmasked.content.decode()
    # and nothing out of scope was unmasked (so nothing of it is in the audit log either)
    out = [c.pk for k, c in customers.items() if k not in EXPECTED[persona]]
    assert not AuditLog.objects.filter(
        action="pii.unmask", object_id__in=[str(pk) for pk in out]
    ).exists()


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_list_and_search_follow_scope(world, customers, persona):
    actor = getattr(world, persona)
    auth = bearer(actor)
    client = Client()
    expected_names = {customers[k].name for k in EXPECTED[persona]}
    # when listing everything
    listed = client.get("/api/v1/customers?limit=200", **auth)
    assert listed.status_code == 200
    assert _names(listed) == expected_names
    # and searching by exact number and by name prefix
    for key, customer in customers.items():
        by_phone = client.get(f"/api/v1/customers?q={customer.phone}", **auth)
        by_name = client.get(f"/api/v1/customers?q={customer.name[:1]}", **auth)
        visible = key in EXPECTED[persona]
        assert (customer.name in _names(by_phone)) is visible, (persona, key)
        assert (customer.name in _names(by_name)) is visible, (persona, key)


def test_supervisor_cannot_unmask_another_citys_customer(world, customers):
    # the finding: supervisor_nj read a 苏州 customer's full phone and ID number
    customers["sz"].id_number = "320501199001011234"
    customers["sz"].save()
    response = Client().get(
        f"/api/v1/customers/{customers['sz'].pk}?unmask=true", **bearer(world.supervisor_nj)
    )
    assert response.status_code == 404
    assert "320501199001011234" not in response.content.decode()
    # while a 南京 customer is unmasked and audited
    own = Client().get(
        f"/api/v1/customers/{customers['nj'].pk}?unmask=true", **bearer(world.supervisor_nj)
    )
    assert own.status_code == 200
    assert own.json()["phone"] == NJ_PHONE
    assert AuditLog.objects.filter(action="pii.unmask", object_id=str(customers["nj"].pk)).exists()


def test_a_visible_ticket_brings_its_customer_into_scope(world, customers):
    # given a 苏州 customer who called 南京's hotline (the ticket is accepted in 南京)
    client = Client()
    url = f"/api/v1/customers/{customers['sz'].pk}"
    assert client.get(url, **bearer(world.handler_nj)).status_code == 404
    world.new_ticket(actor=world.agent_nj, customer_phone=SZ_PHONE)
    # then 南京 staff who may see that ticket see its customer
    response = client.get(url, **bearer(world.handler_nj))
    assert response.status_code == 200
    assert response.json()["name"] == customers["sz"].name
    # and 苏州 still sees its own customer
    assert client.get(url, **bearer(world.handler_sz)).status_code == 200


def test_intake_lookup_of_another_regions_number_shows_no_name_or_flags(world, customers):
    # given agent_sz typing a 南京 customer's number
    client = Client()
    client.force_login(world.agent_sz)
    response = client.get("/intake/customer/", {"customer_phone": NJ_PHONE})
    body = response.content.decode()
    # then the panel says "another region's customer" without name or flags
    assert response.status_code == 200
    assert "其他地市客户" in body
    assert customers["nj"].name not in body
    assert "多次越级投诉" not in body
    assert f'data-customer="{customers["nj"].pk}"' not in body
    # and the 南京 agent sees the full 360
    client.force_login(world.agent_nj)
    own = client.get("/intake/customer/", {"customer_phone": NJ_PHONE}).content.decode()
    assert customers["nj"].name in own
    assert "多次越级投诉" in own


def test_partner_panel_refuses_an_out_of_scope_customer(world, customers):
    client = Client()
    client.force_login(world.agent_sz)
    by_id = client.get("/intake/partners/", {"customer": customers["nj"].pk})
    by_phone = client.get("/intake/partners/", {"customer_phone": NJ_PHONE})
    assert by_id.status_code == 200 and by_id.content == b""
    assert by_phone.status_code == 200 and by_phone.content == b""
    client.force_login(world.agent_nj)
    assert client.get("/intake/partners/", {"customer": customers["nj"].pk}).content != b""


def test_creating_a_ticket_for_an_out_of_scope_customer_id_is_refused(world, customers):
    # ids are sequential: a create naming another region's customer must not attach
    # (and so reveal) them
    body = {**BODY, "customer_phone": "", "customer_id": customers["nj"].pk}
    response = Client().post(
        "/api/v1/tickets", body, content_type="application/json", **bearer(world.agent_sz)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "customer.unknown"
    # by number, the caller's own number, the call is taken (R29: another city's caller)
    by_number = Client().post(
        "/api/v1/tickets",
        {**BODY, "customer_phone": NJ_PHONE},
        content_type="application/json",
        **bearer(world.agent_sz),
    )
    assert by_number.status_code == 201
