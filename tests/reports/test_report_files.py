"""A report's PDF and XLSX open and carry the engine's figures for the fixed data set."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from complaintloop.quality import engine
from complaintloop.quality.selectors import indicator
from complaintloop.reports import content, render
from complaintloop.reports.periods import month_of, week_of
from complaintloop.reports.templatetags.report_format import value_text

OCTOBER = month_of(date(2025, 10, 1))


def _engine(code: str, scope, period=OCTOBER):
    return engine.compute(indicator(code), start=period.start, end=period.end, scope_unit=scope)


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.fixture
def province_report(october, world):
    return content.build("monthly", OCTOBER, world.province)


def test_headline_figures_are_the_engines(province_report, world):
    figures = province_report.headline_by_code
    # the data set has five complaints created in October (T1 is 30 Sep, T7 an inquiry)
    assert figures["complaint_count"].value == 5
    for code in ("complaint_count", "timely_handling_rate", "satisfaction_rate",
                 "repeat_complaint_rate", "overdue_count", "complaints_per_10k"):  # fmt: skip
        assert figures[code].value == _engine(code, world.province).value, code
    september = month_of(date(2025, 9, 1))
    assert figures["complaint_count"].previous == _engine("complaint_count", world.province,
                                                          september).value == 1  # fmt: skip
    assert figures["complaint_count"].last_year == 0
    # 升级率 (not a built-in): T5 escalated among five complaints
    assert figures["escalation_rate"].value == 20.0


def test_sections_cover_ranking_hotspots_warnings_and_problems(province_report, october):
    r = province_report
    ranked = {row["code"]: row for row in r.ranking["rows"]}
    assert set(ranked) == {"NJ", "SZ"}
    assert ranked["NJ"]["cells"]["complaint_count"]["value"] == 4
    assert ranked["SZ"]["cells"]["complaint_count"]["value"] == 1
    assert sorted(row["rank"] for row in r.ranking["rows"]) == [1, 2]
    top = r.categories[0]
    assert (top["code"], top["count"], top["previous"]) == ("0101", 4, 1)
    assert r.alerts["total"] == 1 and r.alerts["items"][0]["observed"] == 5
    assert (r.notices["issued"], r.notices["closed"], r.notices["open_at_end"]) == (1, 1, 0)
    assert r.notices["items"][0]["number"] == october["notice"].number
    assert [p["title"] for p in r.problems] == ["光猫固件缺陷导致掉线"]
    assert r.problems[0]["tickets"] == 2
    assert r.trend["labels"][-1] == "2025-10" and len(r.trend["labels"]) == 12
    assert r.trend["series"]["complaint_count"][-2:] == [1.0, 5.0]
    assert sum(r.daily["current"]) == 5 and len(r.daily["current"]) == 31
    # October 2025: 23 weekdays, 1–3 and 6–8 off for National Day, Saturday the 11th worked
    assert r.methods["workdays"] == 18


def test_a_city_report_counts_only_that_city(october, world):
    nanjing = content.build("monthly", OCTOBER, world.nanjing)
    assert nanjing.headline_by_code["complaint_count"].value == 4
    assert nanjing.alerts["total"] == 1 and nanjing.notices["issued"] == 1
    suzhou = content.build("monthly", OCTOBER, world.suzhou)
    assert suzhou.headline_by_code["complaint_count"].value == 1
    assert suzhou.alerts["total"] == 0 and suzhou.notices["issued"] == 0
    assert suzhou.problems == []  # the problem belongs to the province's quality department
    # a city is ranked by its handling departments
    assert suzhou.ranking["group"] == "owner_unit"


def test_pdf_has_cover_contents_page_numbers_and_the_figures(province_report, october, world):
    data, pages = render.pdf(province_report, number="JS-YB202510-0001")
    text, count = _pdf_text(data)
    assert data.startswith(b"%PDF") and pages == count >= 9
    assert "月度服务质量监测报告" in text and "2025年10月" in text and "目 录" in text
    assert f"第 3 页 / 共 {count} 页" in text
    for code in ("timely_handling_rate", "satisfaction_rate", "repeat_complaint_rate"):
        f = province_report.headline_by_code[code]
        assert value_text(_engine(code, world.province).value, f.unit) in text, code
    assert "南京分公司" in text and "苏州分公司" in text
    assert october["notice"].number in text and "光猫固件缺陷导致掉线" in text
    assert "工作时间 09:00–18:00" in text


def test_xlsx_has_a_sheet_per_section_with_numbers(province_report, world):
    wb = load_workbook(io.BytesIO(render.xlsx(province_report)))
    assert wb.sheetnames == ["概况", "指标", "趋势", "每日", "排名", "热点分类", "热词", "预警",
                             "预警单", "问题", "说明"]  # fmt: skip
    ws = wb["概况"]
    assert ws.freeze_panes == "B2"
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2) if row[0].value}
    assert rows["投诉量"][2].value == 5 and isinstance(rows["投诉量"][2].value, int | float)
    timely = _engine("timely_handling_rate", world.province).value
    assert rows["投诉处理及时率"][2].value == pytest.approx(timely / 100)
    assert rows["投诉处理及时率"][2].number_format == "0.00%"
    ranking = {row[1].value: row for row in wb["排名"].iter_rows(min_row=2)}
    assert ranking["南京分公司"][2].value == 4
    indicators = [row[1].value for row in wb["指标"].iter_rows(min_row=2)]
    assert "timely_handling_rate" in indicators and "escalation_rate" in indicators


def test_weekly_bulletin_covers_the_iso_week(october, world):
    week = week_of(date(2025, 10, 9))  # Mon 6 Oct – Sun 12 Oct
    bulletin = content.build("weekly", week, world.province)
    assert bulletin.headline_by_code["complaint_count"].value == _engine(
        "complaint_count", world.province, week
    ).value == 5  # fmt: skip
    assert len(bulletin.trend["labels"]) == 8 and bulletin.trend["labels"][-1] == "2025-W41"
    assert bulletin.notices["issued"] == 1
