"""The /reports/ page: request, list, download; scope on each; failures shown, not 500s."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from complaintloop.core import clock
from complaintloop.reports import render, services
from complaintloop.reports.models import Report, ReportStatus, Trigger


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _done(unit, kind="monthly", start=date(2025, 10, 1), end=date(2025, 10, 31)) -> Report:
    report = Report.objects.create(
        kind=kind,
        period_start=start,
        period_end=end,
        scope_unit=unit,
        status=ReportStatus.DONE,
        trigger=Trigger.SCHEDULE,
        created_at=clock.now(),
        pages=3,
    )
    report.pdf.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    report.xlsx.save("r.xlsx", ContentFile(b"PK test"), save=False)
    report.save()
    return report


@pytest.fixture
def three_reports(world):
    return {code: _done(unit) for code, unit in
            (("JS", world.province), ("NJ", world.nanjing), ("SZ", world.suzhou))}  # fmt: skip


def test_a_city_manager_lists_and_downloads_only_their_city(world, quality_sz, three_reports):
    client = _client(quality_sz)
    page = client.get("/reports/")
    assert page.status_code == 200
    listed = {r.pk for r in page.context["page"]}
    assert listed == {three_reports["SZ"].pk}
    assert [u.code for u in page.context["scopes"]] == ["SZ"]
    own = client.get(f"/reports/{three_reports['SZ'].pk}/pdf/")
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF")
    assert own["Content-Disposition"].startswith('attachment; filename="monthly-SZ-2025-10.pdf"')
    for code in ("JS", "NJ"):
        for fmt in ("pdf", "xlsx"):
            assert client.get(f"/reports/{three_reports[code].pk}/{fmt}/").status_code == 404


def test_the_province_sees_every_scope_and_filters(world, three_reports):
    client = _client(world.quality)
    page = client.get("/reports/")
    assert {r.pk for r in page.context["page"]} == {r.pk for r in three_reports.values()}
    filtered = client.get("/reports/", {"scope": "NJ", "kind": "monthly", "period": "2025-10"})
    assert [r.pk for r in filtered.context["page"]] == [three_reports["NJ"].pk]
    assert client.get("/reports/", {"period": "2025-09"}).context["page"].object_list == []
    assert client.get(f"/reports/{three_reports['NJ'].pk}/xlsx/").status_code == 200


def test_a_city_manager_cannot_request_another_scope(world, quality_sz):
    client = _client(quality_sz)
    for scope in ("JS", "NJ"):
        response = client.post(
            "/reports/", {"kind": "monthly", "period": "2025-10", "scope": scope}
        )
        assert response.status_code == 422
        assert "scope" in response.context["errors"]
    assert not Report.objects.exists()


def test_roles_without_quality_access_are_refused(world, three_reports):
    client = _client(world.handler_nj)
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/{three_reports['NJ'].pk}/pdf/").status_code == 403
    assert Client().get("/reports/").status_code == 302  # to the login page


def test_bad_periods_are_form_errors(world):
    client = _client(world.quality)
    for kind, period in (("monthly", "2025-13"), ("weekly", "2025-10"), ("monthly", "abc"),
                         ("yearly", "2025"), ("monthly", "2999-01")):  # fmt: skip
        response = client.post("/reports/", {"kind": kind, "period": period, "scope": "JS"})
        assert response.status_code == 422, (kind, period)
    assert not Report.objects.exists()


def test_requesting_generates_in_the_worker_and_lists_it(
    october, world, eager, django_capture_on_commit_callbacks
):
    client = _client(world.quality)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"kind": "monthly", "period": "2025-10", "scope": "NJ"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.status, report.requested_by, report.scope_unit.code) == (
        "done",
        world.quality,
        "NJ",
    )
    assert report.pages >= 9 and report.pdf_bytes > 10_000 and report.xlsx_bytes > 3_000
    assert report.duration_ms > 0 and report.pdf.name.startswith("reports/2025/monthly-NJ-2025-10")
    download = client.get(f"/reports/{report.pk}/pdf/")
    assert b"".join(download.streaming_content) == report.pdf.open("rb").read()
    page = client.get("/reports/")
    assert (
        "南京分公司" in page.content.decode()
        and f"/reports/{report.pk}/xlsx/" in page.content.decode()
    )


def test_a_failure_is_recorded_and_shown_not_raised(
    world, eager, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr(render, "pdf", broken)
    client = _client(world.quality)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"kind": "weekly", "period": "2025-W41", "scope": "JS"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == ReportStatus.FAILED
    assert report.error == "RuntimeError: font cache unavailable" and not report.pdf
    page = client.get("/reports/").content.decode()
    assert "font cache unavailable" in page and f"/reports/{report.pk}/retry/" in page
    assert client.get(f"/reports/{report.pk}/pdf/").status_code == 404
    # retried once the cause is gone
    monkeypatch.setattr(services.render, "xlsx", lambda content: b"PK")
    monkeypatch.setattr(services.render, "pdf", lambda content, number="": (b"%PDF", 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/reports/{report.pk}/retry/").status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.error == ""
