"""The insights pages in English: no Chinese interface text left once the data
(names, titles, dictionary words) is stripped."""

from complaintloop.insights import services
from complaintloop.insights.models import DomainTerm, Problem, StopWord, WarningNotice
from tests.web.test_english import ALLOWED, HAN, _data_strings, _english, _visible_text

from .pages import nanjing_spike


def _leftover(html: str) -> list[str]:
    data = [*DomainTerm.objects.values_list("word", flat=True),
            *StopWord.objects.values_list("word", flat=True),
            *Problem.objects.values_list("title", flat=True)]  # fmt: skip
    for notice in WarningNotice.objects.all():
        data += [notice.title, notice.body, notice.response]
    text = _visible_text(html)
    # longest first, so a category's full path goes before a dictionary word inside it
    for value in sorted({d for d in [*data, *_data_strings()] if d}, key=len, reverse=True):
        text = text.replace(value, " ")
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    return [line.strip() for line in text.splitlines() if HAN.search(line)]


def test_insights_pages_in_english(world):
    alert, template = nanjing_spike(world)
    notice = services.issue_notice(
        services.NoticeIn(alert_id=alert.pk, responsible_unit="NJ-WG"), actor=world.quality
    )
    services.respond(notice.pk, actor=world.handler_nj, response="已扩容")
    problem = services.open_problem(
        actor=world.quality, title="光猫批次", category="0101", tickets=[template.number]
    )
    client = _english(world.quality)
    urls = [
        "/insights/hotspots/?days=30",
        "/insights/pivot/?days=30",
        "/insights/tickets/?d1=region&k1=NJ&days=30",
        "/insights/warnings/",
        f"/insights/warnings/{alert.pk}/",
        "/insights/notices/",
        "/insights/notices/new/",
        f"/insights/notices/{notice.pk}/",
        "/insights/problems/",
        f"/insights/problems/{problem.pk}/",
        "/insights/dictionary/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _leftover(response.content.decode()) == [], url
    # the responsible unit's handler reads the notice in English too
    handler = _english(world.handler_nj)
    response = handler.get(f"/insights/notices/{notice.pk}/")
    assert _leftover(response.content.decode()) == []
