from complaintloop.core import outbox
from complaintloop.core.models import Outbox
from complaintloop.insights import keywords
from complaintloop.insights.models import DomainTerm, StopWord, TicketKeyword


def _words(ticket):
    return list(
        TicketKeyword.objects.filter(ticket=ticket)
        .order_by("-weight")
        .values_list("word", flat=True)
    )


def test_dictionaries_are_seeded_by_migration(db):
    assert DomainTerm.objects.filter(word="光猫").exists()
    assert DomainTerm.objects.filter(word="停电").exists()
    assert StopWord.objects.filter(word="客户").exists()


def test_new_ticket_gets_keywords_after_the_outbox_is_drained(world):
    # given a new ticket
    ticket = world.new_ticket(description="客户反映家中光猫频繁掉线,宽带无法上网,要求尽快处理")
    assert not TicketKeyword.objects.filter(ticket=ticket).exists()
    # when the outbox is delivered
    outbox.drain()
    # then its top keywords are stored: domain words kept whole, stop words left out
    words = _words(ticket)
    assert 1 <= len(words) <= keywords.TOP_N
    assert {"光猫", "掉线"} <= set(words)
    assert "客户" not in words and "要求" not in words


def test_redelivery_is_idempotent(world):
    ticket = world.new_ticket(description="本月电费异常,抄表数据不对")
    outbox.drain()
    first = sorted(TicketKeyword.objects.filter(ticket=ticket).values_list("word", "weight"))
    row = Outbox.objects.filter(topic="ticket.event", payload__kind="created").first()
    keywords.keywords_at_intake([row])
    keywords.keywords_at_intake([row])
    again = sorted(TicketKeyword.objects.filter(ticket=ticket).values_list("word", "weight"))
    assert first == again
    assert "电费异常" in dict(again) or "电费" in dict(again)


def test_edited_dictionary_rows_apply_without_restart(world):
    text = "小区变压器噪音很大,居民夜里睡不着"
    assert "噪音" in dict(keywords.extract(text))
    # when an admin adds a stop word
    StopWord.objects.create(word="噪音")
    # then it is no longer a keyword
    assert "噪音" not in dict(keywords.extract(text))


def test_extract_all_fills_bulk_loaded_tickets(world):
    a = world.new_ticket(description="手机无信号,基站是不是坏了")
    b = world.new_ticket(category="0201", description="套餐外乱扣费五十元")
    TicketKeyword.objects.all().delete()
    assert keywords.extract_all(batch=1) == 2
    assert "无信号" in _words(a)
    assert "乱扣费" in _words(b)
    assert keywords.extract_all() == 0  # nothing missing any more


def test_a_polls_new_tickets_get_their_keywords_in_the_queries_of_one(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    texts = ["手机无信号,基站是不是坏了", "套餐外乱扣费五十元", "光猫频繁掉线", "电费异常偏高"]
    tickets = [world.new_ticket(description=text) for text in texts]
    rows = list(Outbox.objects.filter(topic="ticket.event", payload__kind="created").order_by("id"))
    keywords.extract("预热")  # the dictionary loaded, as in a running worker
    with CaptureQueriesContext(connection) as one:
        keywords.keywords_at_intake(rows[:1])
    with CaptureQueriesContext(connection) as three:
        keywords.keywords_at_intake(rows[1:])
    assert len(three) == len(one)
    assert all(_words(ticket) for ticket in tickets)
    assert "乱扣费" in _words(tickets[1]) and "无信号" in _words(tickets[0])
