"""Shared data for the insights page tests: a Nanjing spike with its alert, and a
Suzhou supervisor who may read quality pages but only inside Suzhou."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from complaintloop.insights import detection
from complaintloop.org.models import Role
from tests.factories import StaffFactory

from .helpers import at, clone, move


def nanjing_spike(world):
    """Nanjing/0101: 2 a day for 8 weeks, then 14 on a day eight days ago; its alert."""
    today = timezone.localdate()
    spike_day = today - timedelta(days=8)
    template = world.new_ticket()
    move(template, at(today - timedelta(days=400)))
    for i in range(1, 57):
        clone(template, at(spike_day - timedelta(days=i)), 2)
    clone(template, at(spike_day), 14)
    (alert,) = detection.run(spike_day)
    return alert, template


def suzhou_supervisor(world):
    return StaffFactory(
        username="supervisor_sz", role=Role.SUPERVISOR, unit=world.sz_kf, scope_unit=world.suzhou
    )


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client
