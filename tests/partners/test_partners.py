"""Partner systems at intake (R30): simulated answers are stable, a real HTTP partner
that answers is shown and kept with the ticket, one that is slow or failing never
blocks intake and is counted in /metrics."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.test import Client

from complaintloop.core import clock
from complaintloop.customers.models import Customer
from complaintloop.org.models import UnitKind
from complaintloop.partners import services, simulated
from complaintloop.partners.interfaces import CustomerRef
from complaintloop.partners.models import PartnerFailure, TicketEnrichment
from complaintloop.tickets.models import Ticket
from tests.factories import CategoryFactory, CustomerFactory, UnitFactory

SLOW_SECONDS = 2.0


class Partner(BaseHTTPRequestHandler):
    """/ok/… answers, /slow/… answers after the client gave up, /fail/… is a 500."""

    def do_GET(self):  # noqa: N802 - http.server's name
        mode, _, rest = urlparse(self.path).path.strip("/").partition("/")
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
        if mode == "fail":
            self._send(500, {"error": "boom"})
        elif rest.startswith("customers/"):
            self._send(
                200,
                {
                    "plan": "测试套餐 99元",
                    "network": "5G",
                    "account_status": "arrears",
                    "balance_fen": -1234,
                    "since": "2015-03-01",
                },
            )
        elif rest == "billing":
            record = {"month": "2026-10", "item": "彩铃代收费", "amount_fen": 1000}
            self._send(200, {"records": [{**record, "kind": "value_added"}]})
        elif rest == "faults":
            fault = {
                "id": "NSP-NJ-TEST-1",
                "area": "鼓楼区",
                "title": "鼓楼区光缆中断",
                "kind": "outage",
                "start": (clock.now() - timedelta(hours=1)).isoformat(),
            }
            self._send(200, {"faults": [fault]})
        else:
            self._send(404, {})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a slow answer

    def log_message(self, *args):
        pass


@pytest.fixture
def partner_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _partners(settings, base, directory="ok", billing="ok", faults="ok"):
    # Answering partners get a timeout a loaded CI machine cannot miss; the slow one a
    # short one (the lookup waits only until every call has finished or timed out).
    settings.PARTNERS = {
        name: {"url": f"{base}/{mode}", "timeout": 0.3 if mode == "slow" else 5.0}
        for name, mode in (("directory", directory), ("billing", billing), ("faults", faults))
    }


def _form(**overrides):
    data = {
        "customer_phone": "13800001111",
        "order_type": "complaint",
        "channel": "phone",
        "category": "0101",
        "description": "家中宽带晚上八点后频繁掉线",
        "action": "dispatch",
    }
    data.update(overrides)
    return data


@pytest.fixture
def agent(world):
    client = Client()
    client.force_login(world.agent_nj)
    return client


def test_simulated_partners_give_the_same_customer_the_same_answers():
    # given two customers
    ref = CustomerRef(phone="13812345678", city_code="NJ", area="鼓楼区")
    other = CustomerRef(phone="13987654321", city_code="NJ", area="鼓楼区")
    # when asked twice
    bills = simulated.SimulatedBilling().recent(ref, months=3)
    # then the answers repeat exactly, and differ between customers
    assert bills == simulated.SimulatedBilling().recent(ref, months=3)
    assert len({line.month for line in bills}) == 3
    assert simulated.SimulatedDirectory().profile(ref) == simulated.SimulatedDirectory().profile(
        ref
    )
    assert [b.as_dict() for b in bills] != [
        b.as_dict() for b in simulated.SimulatedBilling().recent(other, months=3)
    ]
    week = simulated.routine_faults("NJ", clock.now() - timedelta(days=14), clock.now())
    assert week == simulated.routine_faults("NJ", clock.now() - timedelta(days=14), clock.now())


def test_the_seeded_xuzhou_outage_is_a_network_fault_in_its_area_and_period(world):
    # given a burst of region-wide no-signal complaints in 徐州 (as the demo seeds them)
    xuzhou = UnitFactory(code="XZ", name="徐州分公司", kind=UnitKind.CITY, parent=world.province)
    net = CategoryFactory(code="01")
    signal = CategoryFactory(code="0101", parent=net)
    CategoryFactory(code=simulated.OUTAGE_CATEGORY, name="区域性无信号", parent=signal, level=3)
    caller = CustomerFactory(phone="13700009999", region=xuzhou, address="徐州市云龙区和平路1号")
    for n in range(12):
        world.new_ticket(
            customer_phone=f"137000{n:05d}",
            category=simulated.OUTAGE_CATEGORY,
            region="XZ",
            description="云龙区一带手机无信号",
        )
    first, last = (
        Ticket.objects.order_by("created_at").first().created_at,
        Ticket.objects.order_by("created_at").last().created_at,
    )
    # when the simulated NSP is asked about a caller there
    ref = services.customer_ref(caller.phone, caller)
    found = simulated.SimulatedFaults().near(
        ref, since=clock.now() - timedelta(days=30), until=clock.now()
    )
    # then the outage is there, in 云龙区, covering the complaints' period
    assert ref.city_code == "XZ" and ref.area == "云龙区"
    outage = next(f for f in found if f.kind == "outage" and f.area == "云龙区")
    assert outage.id.startswith("NSP-XZ-")
    assert outage.start <= first and outage.end > last


def test_a_partner_that_answers_shows_in_the_panel_and_is_kept_with_the_ticket(
    world, agent, settings, partner_server
):
    # given partners over HTTP that answer
    _partners(settings, partner_server)
    # when the agent types the number, then files the ticket
    panel = agent.get("/intake/partners/", {"customer_phone": "13800001111"}).content.decode()
    response = agent.post("/intake/", _form(), HTTP_HX_REQUEST="true")
    # then the panel showed the bill, the account and the fault, and the ticket kept them
    assert "彩铃代收费" in panel and "10.00" in panel and "-12.34" in panel
    assert "鼓楼区光缆中断" in panel and 'id="fault-suggestion"' in panel
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    snapshot = TicketEnrichment.objects.get(ticket=ticket)
    assert snapshot.data["billing"]["data"][0]["item"] == "彩铃代收费"
    page = agent.get(f"/tickets/{ticket.number}/").content.decode()
    assert "彩铃代收费" in page and "测试套餐 99元" in page


def test_slow_and_failing_partners_never_block_intake(world, agent, settings, partner_server):
    # given a CRM that answers, a BOSS slower than its timeout and an NSP that fails
    _partners(settings, partner_server, billing="slow", faults="fail")
    # when the panel loads and the agent files the ticket
    panel = agent.get("/intake/partners/", {"customer_phone": "13800001111"})
    response = agent.post("/intake/", _form(), HTTP_HX_REQUEST="true")
    # then both render, the ticket exists, and the page says what was unavailable
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "计费系统暂不可用" in html and "网管系统暂不可用" in html
    assert "测试套餐 99元" in html
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    data = TicketEnrichment.objects.get(ticket=ticket).data
    assert data["billing"]["status"] == "timeout" and data["faults"]["status"] == "error"
    page = agent.get(f"/tickets/{ticket.number}/")
    assert page.status_code == 200 and "计费系统暂不可用" in page.content.decode()
    # and the failures are counted for monitoring
    failures = dict(PartnerFailure.objects.values_list("source", "count"))
    assert failures == {"billing": 2, "faults": 2}
    metrics = Client().get("/metrics").content.decode()
    assert 'complaintloop_partner_failures{outcome="timeout",source="billing"} 2.0' in metrics


def test_an_unreachable_partner_is_unavailable_not_an_error(world, agent, settings):
    # given partners configured at a port nobody listens on
    settings.PARTNERS = {
        n: {"url": "http://127.0.0.1:9/", "timeout": 0.3}
        for n in ("directory", "billing", "faults")
    }
    # when the agent files a ticket
    response = agent.post("/intake/", _form(), HTTP_HX_REQUEST="true")
    # then it is created with every source marked unavailable
    assert response.status_code == 201
    data = TicketEnrichment.objects.get().data
    assert {data[n]["status"] for n in ("directory", "billing", "faults")} == {"error"}
    assert Customer.objects.filter(phone="13800001111").exists()


def test_the_partner_panel_reads_in_english(world, agent):
    # given the simulated partners and an agent working in English
    from complaintloop.partners import selectors
    from tests.web.test_english import HAN, _visible_text

    agent.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = agent.get("/intake/partners/", {"customer_phone": "13800001111"}).content.decode()
    # then only the partners' own data (plan, bill items, fault titles, areas) is Chinese
    ref = services.customer_ref("13800001111", Customer.objects.get(phone="13800001111"))
    view = selectors.present(services.lookup(ref).as_dict())
    data = [str(view.profile.get(k, "")) for k in ("plan", "credit_level")]
    data += [line["item"] for m in view.months for line in m.lines]
    data += [line["note"] for m in view.months for line in m.lines if line["note"]]
    data += [text for f in view.faults for text in (f.title, f.area)]
    text = _visible_text(html)
    for value in sorted(filter(None, data), key=len, reverse=True):
        text = text.replace(value, " ")
    assert "Recent bills" in text and "Network faults nearby" in text
    assert [line for line in text.splitlines() if HAN.search(line)] == []


def test_the_simulated_crm_and_bills_agree_on_the_plan():
    for phone in ("13812345678", "13987654321", "15000000001"):
        ref = CustomerRef(phone=phone, city_code="NJ")
        plan = simulated.SimulatedDirectory().profile(ref).plan
        assert simulated.SimulatedBilling().recent(ref, months=1)[0].item == plan
