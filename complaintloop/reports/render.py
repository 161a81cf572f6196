"""A report's content as a PDF (WeasyPrint from an HTML template with print CSS) and as
an XLSX workbook (openpyxl: one sheet per section, numbers stored as numbers)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from complaintloop.quality.models import Phase, UnitLabel

from . import charts
from .content import Content, Figure
from .models import ReportKind
from .periods import Period
from .templatetags.report_format import STATUS_LABELS

SECTIONS = (
    ("summary", "一、总体情况"),
    ("indicators", "二、质量指标监测"),
    ("trend", "三、趋势分析"),
    ("ranking", "四、排名"),
    ("hotspots", "五、热点投诉"),
    ("warnings", "六、预警与协同处置"),
    ("problems", "七、问题溯源与改进成效"),
    ("methods", "八、说明"),
)
TREND_NAMES = {
    "complaint_count": ("投诉量", UnitLabel.PIECES),
    "timely_handling_rate": ("投诉处理及时率", UnitLabel.PERCENT),
    "satisfaction_rate": ("投诉客户满意度", UnitLabel.PERCENT),
}


def kind_label(kind: str) -> str:
    return "月度服务质量监测报告" if kind == ReportKind.MONTHLY else "服务质量周简报"


def period_label(kind: str, p: Period) -> str:
    if kind == ReportKind.WEEKLY:
        year, week, _day = p.start.isocalendar()
        return f"{year}年第{week}周({p.start:%m.%d}–{p.end:%m.%d})"
    return f"{p.start.year}年{p.start.month}月"


def title(content: Content) -> str:
    return f"{content.scope.name} {period_label(content.kind, content.period)} {kind_label(content.kind)}"


# ------------------------------------------------------------------------------ PDF


def html(content: Content, *, number: str = "") -> str:
    counts = Counter(f.status for f in content.indicators)
    phases = [
        {"label": label, "figures": [f for f in content.indicators if f.phase == value]}
        for value, label in Phase.choices
    ]
    series = content.trend.get("series", {})
    codes = [code for code in TREND_NAMES if code in series]
    trend_table = {
        "columns": [TREND_NAMES[code] for code in codes],
        "rows": [
            {
                "label": label,
                "cells": [(series[code][n], TREND_NAMES[code][1]) for code in codes],
            }
            for n, label in enumerate(content.trend.get("labels", []))
        ],
    }
    sections = [
        {"id": key, "title": "四、地市排名" if key == "ranking" and content.is_province
         else "四、部门排名" if key == "ranking" else name}
        for key, name in SECTIONS
    ]  # fmt: skip
    context = {
        "title": title(content),
        "kind": content.kind,
        "kind_label": kind_label(content.kind),
        "period_label": period_label(content.kind, content.period),
        "scope": content.scope,
        "is_province": content.is_province,
        "period": content.period,
        "previous": content.previous,
        "last_year": content.last_year,
        "generated_at": content.generated_at,
        "number": number,
        "sections": sections,
        "findings": content.findings,
        "headline": content.headline,
        "indicators": content.indicators,
        "counts": {s: counts.get(s, 0) for s in STATUS_LABELS},
        "phases": [p for p in phases if p["figures"]],
        "trend": content.trend,
        "trend_table": trend_table,
        "ranking": content.ranking,
        "categories": content.categories,
        "keywords": content.keywords,
        "alerts": content.alerts,
        "notices": content.notices,
        "problems": content.problems,
        "methods": content.methods,
        "charts": charts.render(content),
    }
    return render_to_string("reports/pdf/report.html", context)


def pdf(content: Content, *, number: str = "") -> tuple[bytes, int]:
    """The PDF bytes and its page count."""
    from weasyprint import HTML  # imported late: loading it takes a moment

    document = HTML(string=html(content, number=number)).render()
    return document.write_pdf(), len(document.pages)


# ----------------------------------------------------------------------------- XLSX

HEAD_FILL = PatternFill("solid", fgColor="E8EEFC")
HEAD_FONT = Font(bold=True, color="0F2E6E")
THIN = Side(style="thin", color="CBD5E1")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
STATUS_FILL = {
    "ok": PatternFill("solid", fgColor="DCFCE7"),
    "off_target": PatternFill("solid", fgColor="FEF3C7"),
    "alarm": PatternFill("solid", fgColor="FEE2E2"),
}
PERCENT_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
CHANGE_FORMAT = "+0.0%;-0.0%;0.0%"
POINTS_FORMAT = '+0.00" pp";-0.00" pp";0.00" pp"'


def _number(value: float | None, unit: str) -> tuple[float | None, str]:
    """A value as Excel stores it: rates as fractions with a percent format."""
    if value is None:
        return None, "General"
    if unit == UnitLabel.PERCENT:
        return value / 100, PERCENT_FORMAT
    if unit == UnitLabel.PIECES:
        return value, COUNT_FORMAT
    return value, DECIMAL_FORMAT


def _sheet(wb: Workbook, name: str, headers: list[str], widths: list[int]) -> Worksheet:
    ws = wb.create_sheet(name)
    ws.append(headers)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
        cell = ws.cell(row=1, column=col)
        cell.fill, cell.font, cell.border = HEAD_FILL, HEAD_FONT, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "B2"
    return ws


def _put(ws: Worksheet, row: int, col: int, value, number_format: str = "General", fill=None):
    cell = ws.cell(row=row, column=col, value=value)
    cell.number_format = number_format
    cell.border = BORDER
    if fill is not None:
        cell.fill = fill
    return cell


def _figure_row(ws: Worksheet, row: int, start_col: int, f: Figure, *, last_year: bool) -> None:
    col = start_col
    for value in (f.value, f.target, f.warning, f.previous, *([f.last_year] if last_year else [])):
        number, fmt = _number(value, f.unit)
        fill = STATUS_FILL.get(f.status) if col == start_col else None
        _put(ws, row, col, number, fmt, fill)
        col += 1
    for before in (f.previous, *([f.last_year] if last_year else [])):
        if f.value is None or before is None:
            _put(ws, row, col, None)
        elif f.unit == UnitLabel.PERCENT:
            _put(ws, row, col, round(f.value - before, 4), POINTS_FORMAT)
        else:
            _put(ws, row, col, (f.value - before) / before if before else None, CHANGE_FORMAT)
        col += 1
    _put(ws, row, col, STATUS_LABELS.get(f.status, f.status), fill=STATUS_FILL.get(f.status))


def xlsx(content: Content) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = title(content)
    wb.properties.creator = "ComplaintLoop"

    ws = _sheet(
        wb,
        "概况",
        ["指标", "单位", "本期", "目标", "预警线", "上期", "去年同期", "环比", "同比", "状态"],
        [22, 9, 12, 10, 10, 12, 12, 11, 11, 9],
    )
    for row, f in enumerate(content.headline, 2):
        _put(ws, row, 1, f.name)
        _put(ws, row, 2, f.unit)
        _figure_row(ws, row, 3, f, last_year=True)
    row = len(content.headline) + 3
    ws.cell(row=row, column=1, value=title(content)).font = Font(bold=True)
    ws.cell(row=row + 1, column=1, value=f"统计周期 {content.period.start} — {content.period.end}")
    for n, line in enumerate(content.findings, row + 2):
        ws.cell(row=n, column=1, value=line)

    ws = _sheet(
        wb,
        "指标",
        [
            "指标",
            "编码",
            "阶段",
            "责任部门",
            "单位",
            "本期",
            "目标",
            "预警线",
            "上期",
            "环比",
            "状态",
        ],
        [22, 24, 7, 14, 9, 12, 10, 10, 12, 11, 9],
    )
    for row, f in enumerate(content.indicators, 2):
        for col, value in enumerate((f.name, f.code, f.phase_label, f.owner, f.unit), 1):
            _put(ws, row, col, value)
        _figure_row(ws, row, 6, f, last_year=False)
    ws.auto_filter.ref = f"A1:K{len(content.indicators) + 1}"

    labels = content.trend.get("labels", [])
    ws = _sheet(
        wb, "趋势", ["期间", "投诉量", "投诉处理及时率", "投诉客户满意度"], [12, 12, 16, 16]
    )
    series = content.trend.get("series", {})
    for row, label in enumerate(labels, 2):
        _put(ws, row, 1, label)
        for col, code in enumerate(
            ("complaint_count", "timely_handling_rate", "satisfaction_rate"), 2
        ):
            values = series.get(code) or []
            value = values[row - 2] if row - 2 < len(values) else None
            _put(ws, row, col, *_number(value, TREND_NAMES[code][1]))
    ws = _sheet(wb, "每日", ["日期", "本期投诉量", "上期同序日"], [12, 12, 12])
    current, previous = content.daily.get("current", []), content.daily.get("previous", [])
    for n in range(content.period.days):
        _put(ws, n + 2, 1, content.period.start + timedelta(days=n), "yyyy-mm-dd")
        _put(ws, n + 2, 2, current[n] if n < len(current) else None, COUNT_FORMAT)
        _put(ws, n + 2, 3, previous[n] if n < len(previous) else None, COUNT_FORMAT)

    columns = content.ranking.get("columns", [])
    ws = _sheet(
        wb,
        "排名",
        [
            "名次",
            "地市" if content.is_province else "部门",
            *[f"{c['name']}({c['unit']})" for c in columns],
        ],
        [7, 18, *[14] * len(columns)],
    )
    ws.freeze_panes = "C2"
    for row, item in enumerate(content.ranking.get("rows", []), 2):
        _put(ws, row, 1, item["rank"])
        _put(ws, row, 2, item["name"])
        for col, column in enumerate(columns, 3):
            cell = item["cells"].get(column["code"], {})
            _put(ws, row, col, *_number(cell.get("value"), column["unit"]),
                 fill=STATUS_FILL.get(cell.get("status")) if cell.get("status") != "ok" else None)  # fmt: skip

    ws = _sheet(
        wb,
        "热点分类",
        ["分类", "编码", "本期", "占比", "上期", "环比", "去年同期", "同比"],
        [30, 10, 10, 9, 10, 10, 10, 10],
    )
    for row, c in enumerate(content.categories, 2):
        for col, (value, fmt) in enumerate(
            (
                (c["name"], "General"),
                (c["code"], "@"),
                (c["count"], COUNT_FORMAT),
                (c["share"], PERCENT_FORMAT),
                (c["previous"], COUNT_FORMAT),
                (c["pop_change"], CHANGE_FORMAT),
                (c["last_year"], COUNT_FORMAT),
                (c["yoy_change"], CHANGE_FORMAT),
            ),
            1,
        ):
            _put(ws, row, col, value, fmt)

    ws = _sheet(wb, "热词", ["热词", "本期投诉数", "上期", "环比", "新出现"], [16, 12, 10, 10, 8])
    for row, k in enumerate(content.keywords, 2):
        _put(ws, row, 1, k["word"])
        _put(ws, row, 2, k["count"], COUNT_FORMAT)
        _put(ws, row, 3, k["previous"], COUNT_FORMAT)
        _put(ws, row, 4, k["pop_change"], CHANGE_FORMAT)
        _put(ws, row, 5, "是" if k["is_new"] else "")

    a, n = content.alerts, content.notices
    ws = _sheet(
        wb,
        "预警",
        ["日期", "地区", "分类", "实际量", "基线", "控制上限", "偏离度", "状态"],
        [12, 14, 30, 9, 9, 10, 9, 9],
    )
    for row, item in enumerate(a.get("items", []), 2):
        values = (item["day"], item["region"], item["category"], item["observed"],
                  item["expected"], item["upper_limit"], item["score"], item["status"])  # fmt: skip
        formats = (
            "yyyy-mm-dd",
            "General",
            "General",
            COUNT_FORMAT,
            "0.0",
            "0.0",
            "0.00",
            "General",
        )
        for col, (value, fmt) in enumerate(zip(values, formats, strict=True), 1):
            _put(ws, row, col, value, fmt)
    summary = len(a.get("items", [])) + 3
    for offset, (label, value) in enumerate(
        (
            ("触发预警", a.get("total", 0)),
            ("上期触发预警", a.get("previous_total", 0)),
            ("下发预警单", n.get("issued", 0)),
            ("关闭预警单", n.get("closed", 0)),
            ("期末在途预警单", n.get("open_at_end", 0)),
            ("超时未反馈", n.get("late", 0)),
        )
    ):
        ws.cell(row=summary + offset, column=1, value=label)
        ws.cell(row=summary + offset, column=2, value=value)

    ws = _sheet(
        wb,
        "预警单",
        [
            "编号",
            "标题",
            "责任单位",
            "下发时间",
            "反馈时限",
            "反馈时间",
            "关闭时间",
            "状态",
            "超时",
            "复监测",
        ],
        [20, 30, 16, 16, 16, 16, 16, 9, 6, 14],
    )
    for row, item in enumerate(n.get("items", []), 2):
        for col, key in enumerate(("number", "title", "unit"), 1):
            _put(ws, row, col, item[key])
        for col, key in enumerate(("issued_at", "due_at", "responded_at", "closed_at"), 4):
            moment = item[key]
            _put(ws, row, col, moment.replace(tzinfo=None) if moment else None, "yyyy-mm-dd hh:mm")
        _put(ws, row, 8, item["status"])
        _put(ws, row, 9, "是" if item["late"] else "")
        _put(ws, row, 10, item["remonitor"])

    ws = _sheet(
        wb,
        "问题",
        [
            "问题",
            "责任单位",
            "阶段",
            "根因",
            "关联工单",
            "措施数",
            "已完成",
            "措施前日均",
            "措施后日均",
            "变化",
        ],
        [30, 16, 8, 30, 9, 8, 8, 11, 11, 9],
    )
    for row, p in enumerate(content.problems, 2):
        values = (
            (p["title"], "General"),
            (p["unit"], "General"),
            (p["status"], "General"),
            (p["root_cause"], "General"),
            (p["tickets"], COUNT_FORMAT),
            (p["actions"], COUNT_FORMAT),
            (p["actions_done"], COUNT_FORMAT),
            (p["before_per_day"], "0.000"),
            (p["after_per_day"], "0.000"),
            (p["effect_change"], CHANGE_FORMAT),
        )
        for col, (value, fmt) in enumerate(values, 1):
            _put(ws, row, col, value, fmt)

    m = content.methods
    ws = _sheet(wb, "说明", ["项目", "说明"], [18, 100])
    notes = [
        ("范围", content.scope.name),
        ("统计周期", f"{content.period.start} — {content.period.end}(整日,{m.get('timezone')})"),
        ("环比周期", f"{content.previous.start} — {content.previous.end}"),
        ("同比周期", f"{content.last_year.start} — {content.last_year.end}"),
        (
            "工作时间",
            f"{m.get('workday_start')}–{m.get('workday_end')},每工作日 {m.get('workday_minutes')} 分钟",
        ),
        (
            "工作日",
            f"本期 {m.get('days')} 天中工作日 {m.get('workdays')} 天(节假日与调休以系统日历为准)",
        ),
        ("重复投诉", f"同一客户 {m.get('repeat_window_days')} 天内再次投诉"),
        ("比率", "以小数存储并按百分比显示;环比列:比率为百分点差,其余为相对变化"),
        *[(f.name, f.description or "") for f in content.indicators],
    ]
    for row, (label, text) in enumerate(notes, 2):
        ws.cell(row=row, column=1, value=label)
        ws.cell(row=row, column=2, value=text).alignment = Alignment(wrap_text=True)

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
