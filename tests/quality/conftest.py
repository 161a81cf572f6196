"""A small fixed data set around the 2025 National Day holiday (Oct 1–8 off; Sun Sep 28
and Sat Oct 11 are make-up working days; working hours 09:00–18:00), built through the
ticket services under time-machine so every expected value can be worked out by hand.

=====  ======  ========  =====  =====================================================
no.    region  channel   cat    story
=====  ======  ========  =====  =====================================================
T1     南京    phone     0101   Tue 09-30 15:00; accepted 16:00; replied Thu 10-09 10:00
                                (240 working min, on time); callback neutral → closed
T2     南京    phone     0201   Thu 10-09 09:00 → 业务支撑; accepted 09:30; suspended Fri
                                09:00–11:00 (due moves to Sat 10-11 11:00); replied Sat
                                12:00 (1260 working min, overdue); callback satisfied
T3     南京    sms       0101   Thu 10-09 14:00; accepted 14:30, transferred to 业务支撑,
                                replied Fri 11:00; callback dissatisfied → second handling,
                                replied Fri 15:00 (600 min); callback satisfied
T4     南京    phone     0101   Fri 10-10 10:00 solved at first contact (FCR), same customer
                                as T1 (a repeat complaint)
T5     南京    phone     0101   Fri 10-10 11:00 pre-handled, not dispatched; urged,
                                supervised, escalated; open
T6     苏州    phone     0101   VIP, Thu 10-09 10:00, due Fri 10:00; accepted 11:00; replied
                                Fri 09:30 (510 min, on time); callback satisfied
T7     南京    phone     0101   an inquiry (not a complaint), Fri 10-10 09:00, returned
=====  ======  ========  =====  =====================================================
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintloop.quality import builtin
from complaintloop.tickets import services
from complaintloop.tickets.models import Ticket
from tests.factories import CustomerFactory

SH = ZoneInfo("Asia/Shanghai")
START, END = date(2025, 9, 29), date(2025, 10, 15)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


@dataclass
class Dataset:
    t1: Ticket
    t2: Ticket
    t3: Ticket
    t4: Ticket
    t5: Ticket
    t6: Ticket
    t7: Ticket


@pytest.fixture
def indicators(db):
    # A transactional test elsewhere in the worker may have flushed the migrated rows
    # (indicators, working calendar, processes): put them back.
    from complaintloop.core import calendar

    from ..conftest import _ensure_migrated_reference_data

    _ensure_migrated_reference_data()
    calendar.clear_cache()
    builtin.load()


@pytest.fixture
def dataset(indicators, world) -> Dataset:
    for phone in ("13700003333", "13700004444", "13700005555"):
        CustomerFactory(phone=phone, region=world.nanjing)
    w = world
    with travel(at(2025, 9, 30, 15, 0)):
        t1 = w.new_ticket()
    with travel(at(2025, 9, 30, 16, 0)):
        services.accept(t1.number, actor=w.handler_nj)
    with travel(at(2025, 10, 9, 10, 0)):
        services.reply(t1.number, actor=w.handler_nj, comment="更换光猫")
    with travel(at(2025, 10, 9, 11, 0)):
        services.callback(t1.number, actor=w.agent_nj, result="neutral")

    with travel(at(2025, 10, 9, 9, 0)):
        t2 = w.new_ticket(customer_phone="13700003333", category="0201", description="话费异常")
    with travel(at(2025, 10, 9, 9, 30)):
        services.accept(t2.number, actor=w.handler_nj_yz)
    with travel(at(2025, 10, 10, 9, 0)):
        services.suspend(t2.number, actor=w.handler_nj_yz, comment="等待客户提供账单")
    with travel(at(2025, 10, 10, 11, 0)):
        services.resume(t2.number, actor=w.handler_nj_yz)
    with travel(at(2025, 10, 11, 12, 0)):
        services.reply(t2.number, actor=w.handler_nj_yz, comment="已退费")
    with travel(at(2025, 10, 11, 13, 0)):
        services.callback(t2.number, actor=w.agent_nj, result="satisfied")

    with travel(at(2025, 10, 9, 14, 0)):
        t3 = w.new_ticket(customer_phone="13700004444", channel="sms")
    with travel(at(2025, 10, 9, 14, 30)):
        services.accept(t3.number, actor=w.handler_nj)
    with travel(at(2025, 10, 9, 15, 0)):
        services.transfer(t3.number, actor=w.handler_nj, to_unit="NJ-YZ", comment="套餐问题")
    with travel(at(2025, 10, 9, 15, 30)):
        services.accept(t3.number, actor=w.handler_nj_yz)
    with travel(at(2025, 10, 10, 11, 0)):
        services.reply(t3.number, actor=w.handler_nj_yz, comment="已调整套餐")
    with travel(at(2025, 10, 10, 12, 0)):
        services.callback(t3.number, actor=w.agent_nj, result="dissatisfied")
    with travel(at(2025, 10, 10, 13, 0)):
        services.accept(t3.number, actor=w.handler_nj_yz)
    with travel(at(2025, 10, 10, 15, 0)):
        services.reply(t3.number, actor=w.handler_nj_yz, comment="已补偿流量")
    with travel(at(2025, 10, 10, 16, 0)):
        services.callback(t3.number, actor=w.agent_nj, result="satisfied")

    with travel(at(2025, 10, 10, 10, 0)):
        t4 = w.new_ticket(resolve_now=True, resolution="已远程修复")

    with travel(at(2025, 10, 10, 11, 0)):
        t5 = w.new_ticket(
            customer_phone="13700005555", dispatch=False, pre_handling="已远程重启端口"
        )
    with travel(at(2025, 10, 10, 12, 0)):
        services.urge(t5.number, actor=w.supervisor_nj)
        services.supervise(t5.number, actor=w.supervisor_nj)
        services.escalate(t5.number, actor=w.supervisor_nj)

    with travel(at(2025, 10, 9, 10, 0)):
        t6 = w.new_ticket(actor=w.agent_sz, customer_phone="13900002222")
    with travel(at(2025, 10, 9, 11, 0)):
        services.accept(t6.number, actor=w.handler_sz)
    with travel(at(2025, 10, 10, 9, 30)):
        services.reply(t6.number, actor=w.handler_sz, comment="基站恢复")
    with travel(at(2025, 10, 10, 10, 0)):
        services.callback(t6.number, actor=w.agent_sz, result="satisfied")

    with travel(at(2025, 10, 10, 9, 0)):
        t7 = w.new_ticket(customer_phone="13700003333", order_type="inquiry")
    with travel(at(2025, 10, 10, 9, 30)):
        services.return_(t7.number, actor=w.handler_nj, comment="非网络问题")

    tickets = {n: Ticket.objects.get(pk=t.pk) for n, t in enumerate((t1, t2, t3, t4, t5, t6, t7))}
    return Dataset(*tickets.values())
