"""A city user only measures its own city."""

import pytest

from complaintloop.core.errors import Forbidden, NotFound
from complaintloop.quality import selectors

from .conftest import END, START


def test_nanjing_user_does_not_see_suzhou(dataset, world):
    # when 南京 and 苏州 agents and the province quality manager read the complaint count
    nj = selectors.values(world.agent_nj, "complaint_count", start=START, end=END)
    sz = selectors.values(world.agent_sz, "complaint_count", start=START, end=END)
    province = selectors.values(world.quality, "complaint_count", start=START, end=END)
    # then
    assert (nj["total"].value, sz["total"].value, province["total"].value) == (5, 1, 6)
    grouped = selectors.values(
        world.agent_nj, "complaint_count", start=START, end=END, group_by="region"
    )
    assert set(grouped["groups"]) == {"NJ"}
    # 南京 timely rate: T1 T3 T4 on time, T2 late
    timely = selectors.values(world.agent_nj, "timely_handling_rate", start=START, end=END)
    assert timely["total"].value == 75.0


def test_region_narrows_within_scope_only(dataset, world):
    narrowed = selectors.values(world.quality, "complaint_count", start=START, end=END, region="SZ")
    assert narrowed["total"].value == 1
    with pytest.raises(NotFound):
        selectors.values(world.agent_nj, "complaint_count", start=START, end=END, region="SZ")
    with pytest.raises(Forbidden):
        selectors.values(world.outsider, "complaint_count", start=START, end=END)
