"""Decision tables (issue 13's contract): list, evaluate a sample ticket, save a draft
checked cell by cell (422 naming the DMN ids, nothing stored), publish (later tickets
are routed by it, the trace records table, version and rule), urgency shortens limits."""

from datetime import timedelta

import pytest
from django.test import Client

from complaintloop.routing import dmn, selectors, tables
from complaintloop.routing import services as routing
from complaintloop.routing.models import DecisionTable
from complaintloop.tickets.models import TicketEvent

from ..processes.test_versions_api import admin, post  # noqa: F401
from ..test_api import bearer

pytestmark = pytest.mark.django_db


def routing_xml() -> str:
    return selectors.version_row("routing", selectors.published_version("routing")).dmn_xml


@pytest.mark.parametrize(
    ("cell", "values", "expected"),
    [
        ("-", ("x",), True),
        ("", (), True),
        ('"vip"', ("vip",), True),
        ('"vip"', ("normal",), False),
        ('"gold", "vip"', ("vip",), True),
        ('not("vip")', ("normal",), True),
        ('not("vip", "gold")', ("gold",), False),
        ("[8..17]", (8,), True),
        ("[8..17]", (17.5,), False),
        ("]8..17]", (8,), False),
        ("(8..17)", (9,), True),
        (">= 3", (3,), True),
        ("< 3", (3,), False),
        ("5", (5,), True),
        ('starts with(?, "01")', ("0101",), True),
        ('contains(?, "断网")', ("昨晚开始断网了",), True),
        ('contains(?, "工信部"), contains(?, "曝光")', ("要去媒体曝光",), True),
        ("true", (True,), True),
        ("true", (False,), False),
        ('"a, b"', ("a, b",), True),
        ('"01"', dmn.codes_with_ancestors("/01/0101/"), True),  # a subtree by its parent
    ],
)
def test_unary_tests(cell, values, expected):
    test = dmn.compile_test(cell)
    assert (test is None or test(values)) is expected


@pytest.mark.parametrize(
    "cell", ["__import__('os')", '"open', "[5..1]", "matches(?, x)", "1 + 1", "not(", "?"]
)
def test_cells_that_are_not_unary_tests_are_refused(cell):
    with pytest.raises(ValueError):
        dmn.compile_test(cell)


def test_list_and_evaluate_the_table_in_use(world):
    items = Client().get("/api/v1/decision-tables", **bearer(world.agent_nj)).json()["items"]
    keys = {i["key"]: i for i in items}
    assert keys["routing"]["published_version"] == selectors.published_version("routing")
    assert keys["routing"]["hit_policy"] == "COLLECT" and keys["routing"]["rules"] == 3
    assert keys["time_limits"]["published_version"] == 1
    response = post(world.agent_nj, "/decision-tables/routing/evaluate", {"category": "0101"})
    body = response.json()
    assert response.status_code == 200, body
    assert (body["key"], body["rule"]) == ("routing", "net")
    assert body["version"] == keys["routing"]["published_version"]
    assert body["outputs"] == {"department": "WG"}
    assert [m["rule"] for m in body["matches"]] == ["net", "fallback"]
    # fields may also come under "fields"; an unknown field is a 422 naming it
    nested = post(
        world.agent_nj, "/decision-tables/routing/evaluate", {"fields": {"category": "02"}}
    )
    assert nested.json()["rule"] == "bill"
    bad = post(world.agent_nj, "/decision-tables/routing/evaluate", {"colour": "red"})
    assert bad.status_code == 422 and "colour" in bad.json()["fields"]
    missing = post(world.agent_nj, "/decision-tables/nope/evaluate", {})
    assert missing.status_code == 404


def test_time_limit_table_halves_and_quarters(world):
    body = post(world.agent_nj, "/decision-tables/time_limits/evaluate", {"urgency": "critical"})
    assert body.json()["outputs"] == {"limit_percent": 25}
    assert (
        post(world.agent_nj, "/decision-tables/time_limits/evaluate", {"urgency": "normal"}).json()[
            "rule"
        ]
        is None
    )


def test_a_draft_with_bad_cells_names_them_and_stores_nothing(world, admin):  # noqa: F811
    before = DecisionTable.objects.count()
    xml = routing_xml()
    broken = xml.replace('<text>"WG"</text>', '<text>"NOPE"</text>', 1).replace(
        '<text>"02"</text>', "<text>os.system(1)</text>", 1
    )
    response = post(admin, "/decision-tables/routing/versions", {"dmn_xml": broken})
    body = response.json()
    assert response.status_code == 422, body
    assert body["code"] == "decision.lint_failed"
    assert {"net_out_2", "bill_in_2"} <= set(body["fields"])
    assert "NOPE" in " ".join(body["fields"]["net_out_2"])
    assert DecisionTable.objects.count() == before
    not_xml = post(admin, "/decision-tables/routing/versions", {"dmn_xml": "<nope/>"})
    assert not_xml.status_code == 422 and not_xml.json()["code"] == "decision.invalid_dmn"
    unknown_input = xml.replace("<text>customer_level</text>", "<text>salary</text>")
    response = post(admin, "/decision-tables/routing/versions", {"dmn_xml": unknown_input})
    assert response.status_code == 422 and "input_4" in response.json()["fields"]


def test_only_the_process_admin_saves_and_publishes(world):
    response = post(
        world.supervisor_nj, "/decision-tables/routing/versions", {"dmn_xml": routing_xml()}
    )
    assert response.status_code == 403


def test_published_table_routes_new_tickets_and_the_trace_names_table_version_rule(world, admin):  # noqa: F811
    old = world.new_ticket()
    assert old.owner_unit == world.nj_wg
    # the process admin sends broadband faults to business support instead
    xml = routing_xml().replace(
        '<outputEntry id="net_out_2"><text>"WG"</text>',
        '<outputEntry id="net_out_2"><text>"YZ"</text>',
    )
    draft = post(admin, "/decision-tables/routing/versions", {"dmn_xml": xml}).json()
    assert draft["status"] == "draft"
    assert world.new_ticket().owner_unit == world.nj_wg  # a draft changes nothing
    trial = post(
        world.agent_nj,
        "/decision-tables/routing/evaluate",
        {"category": "0101", "version": draft["version"]},
    )
    assert trial.json()["outputs"] == {"department": "YZ"}
    published = post(admin, f"/decision-tables/routing/versions/{draft['version']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert (
        post(admin, f"/decision-tables/routing/versions/{draft['version']}/publish").status_code
        == 409
    )
    ticket = world.new_ticket()
    assert ticket.owner_unit == world.nj_yz
    created = TicketEvent.objects.filter(ticket=ticket, seq=1).get()
    recorded = created.payload["routing"]
    assert recorded["rule"] == "net"
    assert {
        "key": "routing",
        "version": draft["version"],
        "rules": ["net", "fallback"],
    } in recorded["tables"]
    old.refresh_from_db()
    assert old.owner_unit == world.nj_wg


def test_urgency_shortens_the_deadline(world):
    normal = world.new_ticket()
    critical = world.new_ticket(urgency="critical")
    urgent = world.new_ticket(urgency="urgent")
    assert critical.time_limit_minutes == max(30, round(normal.time_limit_minutes * 0.25))
    assert urgent.time_limit_minutes == round(normal.time_limit_minutes * 0.5)
    assert critical.due_at < urgent.due_at < normal.due_at + timedelta(seconds=1)
    reasons = TicketEvent.objects.get(ticket=critical, seq=1).payload["routing"]["reasons"]
    assert any(r["code"] == "urgency_limit" for r in reasons)


def test_inputs_over_text_channel_and_level_route_and_escalate(world):
    from ..factories import publish_routing_table

    publish_routing_table(
        [
            {"id": "media", "name": "媒体曝光", "text": "曝光", "urgency": "critical"},
            {
                "id": "vip_net",
                "name": "VIP宽带",
                "category": "0101",
                "customer_level": "vip",
                "unit": "NJ-YZ",
            },
            {"id": "net", "category": "01", "department": "WG"},
            {"id": "fallback", "department": "KF"},
        ]
    )
    loud = world.new_ticket(description="再不修好我就找媒体曝光")
    assert loud.urgency == "critical" and loud.owner_unit == world.nj_wg
    vip = world.new_ticket(customer_phone="13900002222")  # 李女士, VIP in Suzhou
    assert vip.owner_unit == world.nj_yz


def test_a_unique_table_with_overlapping_rows_is_409_on_evaluate_and_first_at_intake(world):
    from ..factories import publish_routing_table

    publish_routing_table(
        [{"id": "a", "category": "01", "department": "WG"}, {"id": "b", "department": "KF"}],
        hit_policy="UNIQUE",
    )
    response = post(world.agent_nj, "/decision-tables/routing/evaluate", {"category": "0101"})
    assert response.status_code == 409 and set(response.json()["fields"]) == {"a", "b"}
    ticket = world.new_ticket()
    assert ticket.owner_unit == world.nj_wg
    reasons = TicketEvent.objects.get(ticket=ticket, seq=1).payload["routing"]["reasons"]
    assert any(r["code"] == "table_not_unique" for r in reasons)


def test_render_and_parse_round_trip():
    sheet = tables.default_time_limits()
    table = dmn.parse(dmn.render(sheet), key="time_limits")
    assert table.hit_policy == "FIRST"
    assert [r.id for r in table.rules] == ["critical_all", "urgent_all"]
    assert table.rules[0].outputs == {"time_limit_minutes": None, "limit_percent": 25}
    assert (
        routing.validate("time_limits", dmn.render(sheet)).rules[1].description.startswith("紧急")
    )


def test_the_index_finds_exactly_what_a_full_scan_finds():
    import random

    rng = random.Random(5)
    codes = ["01", "0101", "02", "0201", "03", "04", "05"]
    sheet = dmn.Sheet(
        key="routing",
        name="t",
        hit_policy="COLLECT",
        inputs=[("category", "c"), ("customer_level", "l")],
        outputs=[("department", "d", "string")],
    )
    for i in range(200):
        category = rng.choice([dmn.literal(rng.choice(codes)), "-", f'"{rng.choice(codes)}", "05"',
                               'not("01")', 'starts with(?, "0")'])  # fmt: skip
        sheet.rows.append((f"r{i}", "", [category, rng.choice(['"vip"', "-"])], ['"KF"']))
    table = dmn.parse(dmn.render(sheet), key="routing")
    assert table.index_column is not None
    for path in ("/01/0101/", "/02/", "/05/", "/09/"):
        for level in ("vip", "normal"):
            context = {
                "category": dmn.codes_with_ancestors(path),
                "customer_level": (level,),
            }
            scanned = [
                r.id
                for r in table.rules
                if all(t([context["category"], context["customer_level"]][i]) for i, t in r.tests)
            ]
            assert [r.id for r in table.matches(context)] == scanned
