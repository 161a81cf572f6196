"""受理: the category picker's search endpoint."""

import pytest
from django.test import Client

from tests.factories import CategoryFactory

URL = "/intake/categories/"


@pytest.fixture
def agent(world):
    client = Client()
    client.force_login(world.agent_nj)
    return client


def _codes(response):
    return [c.code for c in response.context["found"]]


def test_finds_the_leaf_by_name(world, agent):
    response = agent.get(URL, {"q": "宽带"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert _codes(response) == ["0101"]
    html = response.content.decode()
    assert 'role="option"' in html and 'data-code="0101"' in html
    assert "网络质量/宽带故障" in html


def test_finds_by_code_prefix_leaves_first(world, agent):
    # given a deeper tree under 0101
    parent = CategoryFactory(code="010101", name="宽带掉线", parent=_cat("0101"))
    CategoryFactory(code="01010101", name="晚间掉线", parent=parent)
    response = agent.get(URL, {"q": "0101"})
    assert _codes(response) == ["01010101", "010101", "0101"]
    assert "非末级" in response.content.decode()


def test_every_word_must_match_the_full_name(world, agent):
    assert _codes(agent.get(URL, {"q": "网络 宽带"})) == ["0101"]
    assert _codes(agent.get(URL, {"q": "计费 宽带"})) == []


def test_inactive_categories_are_not_offered(world, agent):
    from complaintloop.taxonomy.models import Category

    Category.objects.filter(code="0101").update(is_active=False)
    assert _codes(agent.get(URL, {"q": "宽带"})) == []


def test_at_most_twenty_results(world, agent):
    parent = _cat("01")
    for i in range(25):
        CategoryFactory(code=f"01{i + 10:02d}", name=f"网络问题{i}", parent=parent)
    assert len(_codes(agent.get(URL, {"q": "网络"}))) == 20


def test_no_match_says_so(world, agent):
    html = agent.get(URL, {"q": "不存在的分类"}).content.decode()
    assert "没有匹配" in html


def test_search_uses_one_query(world, agent, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # session, user, search
        agent.get(URL, {"q": "宽带"})


def _cat(code):
    from complaintloop.taxonomy.models import Category

    return Category.objects.get(code=code)
