"""The SMS gateway's callback: HMAC-signed JSON; the grammar decides between a
classified ticket, an unclassified one, a survey answer and a format help answer."""

import json

import pytest

from complaintloop.channels.models import InboundMessage, Outcome, SmsAction, SmsGrammar
from complaintloop.channels.services import sms
from complaintloop.core import outbox
from complaintloop.notify.models import SmsMessage
from complaintloop.tickets import services
from complaintloop.tickets.models import Channel, EventKind, Status, Ticket
from tests.factories import OrderTypeFactory

SECRET = "gateway-shared-secret"
URL = "/api/v1/channels/sms"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.CHANNELS_SMS_SECRET = SECRET


def post(client, payload, *, signature=None, raw=None):
    body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
    headers = {"HTTP_X_SIGNATURE": signature if signature is not None else sms.sign(body, SECRET)}
    return client.post(URL, data=body, content_type="application/json", **headers)


def answers_to(phone):
    outbox.drain()
    return list(SmsMessage.objects.filter(phone=phone).values_list("text", flat=True))


def test_unsigned_or_badly_signed_callbacks_are_refused(client, world):
    payload = {"from": "13800001111", "text": "TS#0101#宽带断了", "id": "gw-1"}
    assert post(client, payload, signature="").status_code == 401
    response = post(client, payload, signature=sms.sign(b"other body", SECRET))
    assert response.status_code == 401 and response.json()["code"] == "sms.bad_signature"
    wrong_key = sms.sign(json.dumps(payload).encode(), "not-the-secret")
    assert post(client, payload, signature=wrong_key).status_code == 401
    assert not Ticket.objects.exists() and not InboundMessage.objects.exists()


def test_no_secret_configured_refuses_everything(client, world, settings):
    settings.CHANNELS_SMS_SECRET = ""
    body = b'{"from": "13800001111", "text": "x", "id": "1"}'
    assert post(client, None, raw=body, signature=sms.sign(body, "")).status_code == 401


def test_formatted_sms_creates_a_classified_dispatched_ticket(client, world):
    response = post(
        client, {"from": "+86 138 0000 1111", "text": "TS#0101#宽带从早上开始断网", "id": "gw-2"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["ticket"])
    assert body["outcome"] == Outcome.CREATED
    assert ticket.channel == Channel.SMS and ticket.category.code == "0101"
    assert ticket.description == "宽带从早上开始断网"
    assert ticket.customer.phone == "13800001111"  # the known customer, +86 stripped
    assert ticket.status == Status.PENDING and ticket.owner_unit == world.nj_wg
    source = ticket.events.get(kind=EventKind.CREATED).payload["source"]
    assert source["channel"] == "sms" and source["message_id"] == "gw-2"


def test_free_text_creates_an_unclassified_ticket_at_intake(client, world):
    response = post(
        client, {"from": "13911112222", "text": "你们的话费怎么又多扣了,请查一下", "id": "gw-3"}
    )
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.category is None and ticket.status == Status.NEW
    assert ticket.customer.phone == "13911112222"


def test_unknown_category_code_gets_a_format_answer(client, world):
    response = post(client, {"from": "13800001111", "text": "TS#9999#什么分类", "id": "gw-4"})
    assert response.json()["outcome"] == Outcome.ANSWERED
    assert not Ticket.objects.exists()
    (answer,) = answers_to("13800001111")
    assert "9999" in answer and "TS#分类编码#问题描述" in answer


def test_incomplete_ts_format_gets_a_format_answer(client, world):
    post(client, {"from": "13800001111", "text": "TS#0101", "id": "gw-5"})
    assert not Ticket.objects.exists()
    assert "TS#分类编码#问题描述" in answers_to("13800001111")[0]


def test_survey_reply_closes_the_phones_replied_ticket(client, world):
    # given a ticket of this phone, handled and waiting for the customer's verdict
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    services.reply(ticket.number, actor=world.handler_nj, comment="已修复")
    # when the customer answers 1 (满意)
    response = post(client, {"from": "13800001111", "text": " 1 ", "id": "gw-6"})
    # then the callback is recorded and the ticket archived
    ticket.refresh_from_db()
    assert response.json()["outcome"] == Outcome.SURVEYED
    assert ticket.status == Status.CLOSED and ticket.satisfaction == "satisfied"
    event = ticket.events.get(kind=EventKind.CALLED_BACK)
    assert event.payload["result"] == "satisfied"


def test_dissatisfied_survey_reply_sends_it_back(client, world):
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    services.reply(ticket.number, actor=world.handler_nj, comment="已修复")
    post(client, {"from": "13800001111", "text": "3", "id": "gw-7"})
    ticket.refresh_from_db()
    assert ticket.satisfaction == "dissatisfied" and ticket.second_handling
    assert ticket.status == Status.PENDING


def test_survey_reply_without_a_pending_survey_is_answered(client, world):
    post(client, {"from": "13800001111", "text": "2", "id": "gw-8"})
    assert not Ticket.objects.exists()
    assert "没有待评价的工单" in answers_to("13800001111")[0]


def test_same_gateway_id_twice_is_one_ticket(client, world):
    payload = {"from": "13800001111", "text": "TS#0101#宽带断网", "id": "gw-9"}
    first = post(client, payload).json()
    second = post(client, payload).json()
    assert Ticket.objects.count() == 1
    assert second["outcome"] == Outcome.DUPLICATE and first["outcome"] == Outcome.CREATED


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"from": "abc", "text": "hello there", "id": "x"}, "from"),
        ({"from": "13800001111", "text": "", "id": "x"}, "text"),
        ({"from": "13800001111", "text": "hello there"}, "id"),
    ],
)
def test_bad_fields_are_422(client, world, payload, field):
    response = post(client, payload)
    assert response.status_code == 422 and field in response.json()["fields"]


def test_bad_json_is_422(client, world):
    response = post(client, None, raw=b"{not json")
    assert response.status_code == 422 and response.json()["code"] == "sms.bad_json"


def test_grammar_is_data(client, world):
    # an operator adds a rule: "JY#<text>" is a suggestion (建议), unclassified
    suggestion = OrderTypeFactory(code="suggestion", name="建议")
    SmsGrammar.objects.create(
        name="建议",
        pattern=r"JY#(?P<text>.+)",
        action=SmsAction.FREE_TEXT,
        order_type=suggestion,
        priority=5,
    )
    response = post(
        client, {"from": "13800001111", "text": "JY#希望营业厅周末延长营业", "id": "gw-10"}
    )
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.order_type.code == "suggestion" and ticket.description == "希望营业厅周末延长营业"
