"""What is stored is said in the reader's language: routing reasons kept as codes,
contextual labels (一般, 督办, 挂起) translated by meaning, API errors translated."""

from django.test import Client

from complaintloop.tickets import services
from complaintloop.tickets.models import EventKind, TicketEvent
from tests.test_api import bearer


def _english(staff) -> Client:
    client = Client()
    client.force_login(staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_routing_reasons_are_stored_as_codes_and_said_in_the_readers_language(world):
    # given a ticket created while the agent works in Chinese
    ticket = world.new_ticket()
    routing = ticket.events.get(seq=1).payload["routing"]
    # then the event keeps codes and parameters, no sentence
    assert "reason" not in routing
    assert routing["reasons"][0] == {
        "code": "rule_unit",
        "rule": "网络类→网管",
        "unit": "南京网管中心",
        "unit_code": "NJ-WG",
    }
    # when an English reader and a Chinese reader open it
    english = _english(world.handler_nj).get(f"/tickets/{ticket.number}/").content.decode()
    chinese = Client()
    chinese.force_login(world.handler_nj)
    zh = chinese.get(f"/tickets/{ticket.number}/").content.decode()
    # then each reads the reason in their language
    assert "Rule “网络类→网管” sends it to 南京网管中心" in english
    assert "规则「网络类→网管」派往 南京网管中心" in zh


def test_reasons_stored_as_text_before_the_codes_stay_readable(world):
    ticket = world.new_ticket()
    # a row as an older release wrote it (bulk insert, as the importer does)
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket=ticket,
                seq=ticket.version + 1,
                kind=EventKind.COMMENTED,
                at=ticket.created_at,
                to_status=ticket.status,
                payload={"routing": {"unit": "NJ-WG", "reason": "规则「旧规则」派往 南京网管中心"}},
            )
        ]
    )
    page = _english(world.handler_nj).get(f"/tickets/{ticket.number}/").content.decode()
    assert "规则「旧规则」派往 南京网管中心" in page


def test_ambiguous_labels_are_translated_by_meaning(world):
    # given a supervised ticket and an English reader
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    services.supervise(ticket.number, actor=world.supervisor_nj, comment="请尽快")
    client = _english(world.supervisor_nj)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    # then 督办 reads "Supervised" as the event and the flag, and 挂起 "Suspend" as the
    # handler's action
    assert '<span class="ev-kind">Supervised</span>' in page
    assert '<span class="badge breached">Supervised</span>' in page
    handler = _english(world.handler_nj).get(f"/tickets/{ticket.number}/").content.decode()
    assert 'data-action="suspend"' in handler and ">Suspend<" in handler.replace("\n", "")
    # and 一般 is "Normal" as an urgency
    intake = _english(world.agent_nj).get("/intake/").content.decode()
    assert ">Normal<" in intake


def test_api_errors_follow_the_users_language(world):
    client = Client()
    zh = client.get("/api/v1/tickets", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.get("/api/v1/tickets", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 401
    assert zh.json()["message"] == "需要登录或有效的 API 令牌"
    assert en.json()["message"] == "Sign-in or a valid API token is required"
    bad = client.get(
        "/api/v1/tickets",
        {"limit": "many"},
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(world.agent_nj),
    )
    assert bad.status_code == 422 and bad.json()["message"] == "Invalid request"
