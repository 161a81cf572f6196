"""Every main page runs under the Content-Security-Policy (scripts from our static files
only, no inline script, no eval) without a single violation, and what used inline
handlers or Alpine expressions still works."""

import pytest

from complaintloop.org.models import Role
from complaintloop.tickets import services
from tests.factories import StaffFactory

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Alpine reports an expression its CSP build cannot parse on the console. dmn-js's
    # bundle prints Inferno's notice about minified development code: not ours to fix.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type in ("error", "warning")
            and "404" not in m.text
            and "development build of Inferno" not in m.text
            else None
        ),
    )
    page.errors = errors
    return page


def visit(page, path):
    response = page.goto(f"{page.base_url}{path}")
    assert response.status < 400, path
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy, path
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__violations")
    assert violations == [], (path, violations)
    assert page.errors == [], (path, page.errors)


def test_pages_of_every_role_pass_the_policy(watched, world):
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    StaffFactory(username="sysadmin_c", role=Role.SYSTEM_ADMIN, unit=world.province)
    visit(watched, "/login/")
    sign_in(watched, "sysadmin_c")
    for path in (
        "/",
        "/intake/",
        "/queues/",
        f"/tickets/{ticket.number}/",
        "/console/",
        "/quality/",
        "/quality/registry/new/",
        "/quality/scorecards/",
        "/insights/hotspots/",
        "/insights/pivot/",
        "/insights/tickets/",
        "/insights/warnings/",
        "/reports/",
        "/audit/",
        "/retention/",
        "/processes/",
        "/processes/general_complaint/",
        "/processes/decisions/",
        "/processes/decisions/routing/",
        "/processes/calendar/?year=2027",
        "/processes/categories/",
        "/processes/general_complaint/diff/",
        "/console/team/",
        "/incidents/",
        "/security/admin/",
        "/notifications/",
        "/admin/",
        "/portal/",
    ):
        visit(watched, path)


def test_ticket_actions_open_and_focus_without_inline_code(watched, world):
    ticket = world.new_ticket()
    sign_in(watched, "handler_nj")
    visit(watched, f"/tickets/{ticket.number}/")
    button = watched.locator("#ticket-actions button[data-action]").first
    name = button.get_attribute("data-action")
    form = watched.locator(f"#form-{name}")
    assert not form.is_visible()
    button.click()
    form.wait_for(state="visible")
    assert "pressed" in button.get_attribute("class")
    button.click()
    form.wait_for(state="hidden")
    assert watched.evaluate("window.__violations") == []


def test_a_radio_submits_its_filter_form(watched, world):
    sign_in(watched, "quality")
    visit(watched, "/quality/scorecards/")
    radio = watched.locator("input[name=subject][data-autosubmit]:not(:checked)").first
    value = radio.get_attribute("value")
    radio.check()
    watched.wait_for_url(f"**subject={value}**")
    assert watched.evaluate("window.__violations") == []


def test_alpine_forms_still_react_under_the_csp_build(watched, world):
    sign_in(watched, "quality")
    visit(watched, "/quality/registry/new/")
    durations = watched.locator("fieldset:has(input[name=duration_mode])")
    denominator = watched.locator("fieldset:has(legend:text('分母条件'))")
    assert denominator.is_visible() and not durations.is_visible()
    watched.select_option("select[name=kind]", "average_duration")
    durations.wait_for(state="visible")
    denominator.wait_for(state="hidden")
    assert watched.evaluate("window.__violations") == [] and watched.errors == []
