"""Notification templates: validated on save, rendered from a restricted context."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from complaintloop.core import outbox
from complaintloop.notify import defaults
from complaintloop.notify.models import NotificationTemplate, SmsMessage
from complaintloop.notify.rendering import validate_template


def test_every_event_ships_a_valid_default_in_both_languages(db):
    # the data migration loaded one row per shipped default
    assert NotificationTemplate.objects.count() == len(defaults.rows())
    for event, by_language in defaults.ALL.items():
        assert set(by_language) == {"zh-hans", "en"}, event
        assert by_language["zh-hans"].keys() == by_language["en"].keys(), event
    for row in defaults.rows():
        validate_template(row["event"], row["channel"], row["subject"], row["body"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("您的工单 {{ ticket.numbr }} 已受理", "ticket.numbr"),
        ("{{ customer.phone }}", "customer.phone"),
        ("{% if secret.key %}x{% endif %}", "secret.key"),
        ("{{ ticket.number|default:settings.SECRET_KEY }}", "settings.SECRET_KEY"),
        ("{% debug %}", "不允许的模板标签"),
        ("{% include 'base.html' %}", "不允许的模板标签"),
        ("{% load static %}", "模板语法错误"),
        ("{{ ticket.number ", "模板语法错误"),
    ],
)
def test_bad_templates_are_refused_with_a_clear_error(db, body, message):
    with pytest.raises(ValidationError) as err:
        validate_template("customer.accepted", "sms", "", body)
    assert message in str(err.value.message_dict["body"])


def test_email_needs_a_subject_and_events_are_known(db):
    with pytest.raises(ValidationError) as err:
        validate_template("customer.nonsense", "email", "", "{{ ticket.number }}")
    assert set(err.value.message_dict) == {"event", "subject"}


def test_admin_shows_the_unknown_variable_and_keeps_the_old_text(db, admin_client: Client):
    row = NotificationTemplate.objects.get(
        event="customer.accepted", channel="sms", language="zh-hans"
    )
    url = f"/admin/notify/notificationtemplate/{row.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200 and "ticket.number" in page.content.decode()
    response = admin_client.post(
        url,
        {
            "event": row.event,
            "channel": row.channel,
            "language": row.language,
            "subject": "",
            "body": "工单 {{ ticket.numbr }} 已签收",
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "未知变量:ticket.numbr" in response.content.decode()
    row.refresh_from_db()
    assert "numbr" not in row.body


def test_edited_template_is_used_for_the_next_sms(world, admin_client: Client):
    row = NotificationTemplate.objects.get(
        event="customer.created", channel="sms", language="zh-hans"
    )
    response = admin_client.post(
        f"/admin/notify/notificationtemplate/{row.pk}/change/",
        {
            "event": row.event,
            "channel": row.channel,
            "language": row.language,
            "subject": "",
            "body": "【南京移动】{{ customer.name }},工单 {{ ticket.number }} 已受理({{ ticket.category }})",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    ticket = world.new_ticket()
    outbox.drain()
    sms = SmsMessage.objects.get(phone="13800001111", event="customer.created")
    assert sms.text == f"【南京移动】王先生,工单 {ticket.number} 已受理(网络质量/宽带故障)"


def test_switched_off_template_sends_nothing_and_deleted_one_falls_back(world):
    NotificationTemplate.objects.filter(event="customer.created", channel="sms").update(
        is_active=False
    )
    world.new_ticket()
    outbox.drain()
    assert not SmsMessage.objects.filter(event="customer.created").exists()
    # a deleted row puts the shipped default back in force
    NotificationTemplate.objects.filter(event="customer.created", channel="sms").delete()
    from complaintloop.notify.services import clear_template_cache

    clear_template_cache()
    ticket = world.new_ticket(customer_phone="13900002222")
    outbox.drain()
    sms = SmsMessage.objects.get(event="customer.created")
    assert sms.text == f"【客服】您反映的问题已受理,工单号 {ticket.number},我们将尽快处理。"
