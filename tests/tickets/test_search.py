from django.test import Client

from complaintloop.org.models import ApiToken
from complaintloop.tickets import search, selectors, services


def _numbers(actor, q):
    return {t.number for t in selectors.search(actor, selectors.TicketFilter(q=q))}


def test_chinese_words_find_tickets_by_description_and_comments(world):
    broadband = world.new_ticket(description="家中宽带频繁掉线,晚上八点后无法上网")
    billing = world.new_ticket(category="0201", description="本月话费多扣了五十元,要求退还")
    # when the handler's reply mentions a new word
    services.accept(broadband.number, actor=world.handler_nj)
    services.comment(broadband.number, actor=world.handler_nj, comment="已派装维人员更换光猫")
    # then words from the description and from the trace both find it, and only it
    assert _numbers(world.agent_nj, "掉线") == {broadband.number}
    assert _numbers(world.agent_nj, "光猫") == {broadband.number}
    assert _numbers(world.agent_nj, "话费 退还") == {billing.number}
    assert _numbers(world.agent_nj, "宽带 话费") == set()
    assert _numbers(world.agent_nj, broadband.number) == {broadband.number}


def test_search_respects_scope_and_works_over_the_api(world):
    nanjing = world.new_ticket(description="小区宽带掉线")
    world.new_ticket(actor=world.agent_sz, customer_phone="13900002222", description="苏州宽带掉线")
    assert _numbers(world.handler_nj, "掉线") == {nanjing.number}
    _, key = ApiToken.issue(world.handler_nj)
    page = Client().get("/api/v1/tickets", {"q": "宽带"}, HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [t["number"] for t in page["items"]] == [nanjing.number]


def test_rebuild_indexes_bulk_loaded_tickets(world):
    ticket = world.new_ticket(description="营业厅排队两个小时")
    from complaintloop.tickets.models import TicketSearchDoc

    TicketSearchDoc.objects.all().delete()
    assert search.rebuild() >= 1
    assert _numbers(world.agent_nj, "排队") == {ticket.number}
