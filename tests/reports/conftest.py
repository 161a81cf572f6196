"""Reports are built on the quality tests' fixed data set (see tests/quality/conftest.py)
plus a warning notice, an alert and a problem in October 2025."""

from datetime import date

import pytest

from complaintloop.insights import services as insights
from complaintloop.insights.models import Alert
from complaintloop.org.models import Role
from complaintloop.taxonomy.models import Category
from tests.factories import StaffFactory
from tests.quality.conftest import at, dataset, indicators, travel  # noqa: F401


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager():
    """Celery runs the generation task in-process, as soon as the request commits."""
    from complaintloop.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def quality_sz(world):
    return StaffFactory(
        username="quality_sz", role=Role.QUALITY_MANAGER, unit=world.sz_kf, scope_unit=world.suzhou
    )


@pytest.fixture
def october(dataset, world):  # noqa: F811 (the imported fixture)
    """The data set plus what the warning section reports on."""
    with travel(at(2025, 10, 12, 10, 0)):
        notice = insights.issue_notice(
            insights.NoticeIn(
                responsible_unit="NJ-WG", title="南京宽带掉线投诉上升", body="请排查光猫批次"
            ),
            actor=world.quality,
        )
    with travel(at(2025, 10, 14, 10, 0)):
        insights.respond(notice.pk, actor=world.handler_nj, response="已更换故障批次光猫")
    with travel(at(2025, 10, 20, 10, 0)):
        insights.close_notice(notice.pk, actor=world.quality, comment="复监测正常")
    Alert.objects.create(
        region=world.nanjing,
        category=Category.objects.get(code="0101"),
        day=date(2025, 10, 10),
        observed=5,
        expected=1.2,
        upper_limit=3.1,
        score=2.5,
        method="test",
        created_at=at(2025, 10, 11, 1, 45),
    )
    with travel(at(2025, 10, 15, 9, 0)):
        problem = insights.open_problem(
            actor=world.quality,
            title="光猫固件缺陷导致掉线",
            category="01",
            tickets=[dataset.t1.number, dataset.t4.number],
        )
    return {"dataset": dataset, "notice": notice, "problem": problem}
