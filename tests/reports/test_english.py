"""The /reports/ page in English shows no Chinese interface text (data stays as entered)."""

from datetime import date

from django.core.files.base import ContentFile

from complaintloop.core import clock
from complaintloop.reports.models import Recipient, Report, ReportStatus, Trigger
from tests.web.test_english import _english, _leftover_chinese


def test_reports_page_in_english(world):
    done = Report.objects.create(
        kind="monthly", period_start=date(2025, 10, 1), period_end=date(2025, 10, 31),
        scope_unit=world.province, status=ReportStatus.DONE, trigger=Trigger.SCHEDULE,
        created_at=clock.now(), finished_at=clock.now(), pages=12, duration_ms=5400,
        pdf_bytes=400_000, xlsx_bytes=20_000, emailed_at=clock.now(), emailed_to=2,
    )  # fmt: skip
    done.pdf.save("a.pdf", ContentFile(b"%PDF"))
    Report.objects.create(
        kind="weekly", period_start=date(2025, 10, 6), period_end=date(2025, 10, 12),
        scope_unit=world.nanjing, status=ReportStatus.FAILED, requested_by=world.quality,
        created_at=clock.now(), error="RuntimeError: disk full",
    )  # fmt: skip
    Report.objects.create(
        kind="weekly", period_start=date(2025, 10, 13), period_end=date(2025, 10, 19),
        scope_unit=world.suzhou, status=ReportStatus.QUEUED, requested_by=world.quality,
        created_at=clock.now(),
    )  # fmt: skip
    Recipient.objects.create(scope_unit=world.nanjing, kind="weekly", email="nj@js.example.com")
    client = _english(world.quality)
    response = client.get("/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Generate a report" in html and "Schedule and email delivery" in html
    assert "Mailed to 2 people" in html and "Weekly service bulletin" in html
    assert _leftover_chinese(html) == []
    # a form error in English too
    bad = client.post("/reports/", {"kind": "monthly", "period": "2025-13", "scope": "JS"})
    assert bad.status_code == 422 and "Use the form 2026-10" in bad.content.decode()
    assert _leftover_chinese(bad.content.decode()) == []
