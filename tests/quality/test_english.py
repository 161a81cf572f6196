"""The quality pages in English: interface strings translated, only data (unit,
category and indicator-source names) left in Chinese."""

import pytest

from complaintloop.quality import rollup
from complaintloop.quality.models import Indicator
from tests.web.test_english import _data_strings, _english, _leftover_chinese

from .conftest import END, START

PAGES = [
    "/quality/?period=month&date=2025-10-09",
    "/quality/?period=week&date=2025-10-09&by=unit",
    "/quality/rows/avg_handling_hours/?period=month&date=2025-10-09",
    "/quality/indicators/timely_handling_rate/?period=month&date=2025-10-09",
    "/quality/ranking/?indicator=timely_handling_rate&period=month&date=2025-10-09",
    "/quality/tickets/?indicator=timely_handling_rate&start=2025-09-29&end=2025-10-15",
    "/quality/registry/",
    "/quality/registry/new/",
    "/quality/registry/timely_handling_rate/edit/",
    "/quality/scorecards/?month=2025-10",
    "/quality/scorecards/?month=2025-10&subject=staff",
]


@pytest.mark.parametrize("path", PAGES)
def test_quality_page_in_english(dataset, world, path):
    rollup.rebuild(START, END)
    page = _english(world.quality).get(path)
    assert page.status_code == 200
    html = page.content.decode()
    # the registry's own texts (names, owners, definitions) are data, like unit names
    data = set()
    for row in Indicator.objects.values_list("name_zh", "owner_label", "description"):
        data.update(v for v in row if v)
    data.update(_data_strings())
    for text in sorted(data, key=len, reverse=True):
        html = html.replace(text, " ")
    assert _leftover_chinese(html) == []


def test_evaluation_panel_in_english(dataset, world):
    page = _english(world.agent_nj).get(f"/quality/evaluations/{dataset.t1.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Internal evaluation" in html
    assert _leftover_chinese(html) == []
