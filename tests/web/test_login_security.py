"""Login protection (issue 12, item 5): failures count per username and source address,
a picture challenge and a doubling wait come before a lock of that pair only, the
system administrator lifts locks on 登录安全, and a TOTP second factor is optional (or
required by role) for system administrators and supervisors."""

import datetime
import re

import pytest
import time_machine
from django.test import Client, RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaintloop.core.models import AuditLog
from complaintloop.org.models import Role
from complaintloop.web.models import LoginThrottle
from complaintloop.web.security import captcha, throttle
from tests.factories import StaffFactory
from tests.test_api import bearer
from tests.web.test_english import _english, _leftover_chinese

PASSWORD = "pw-12345678"
ANSWER = "KXR7P"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def sysadmin(world):
    return StaffFactory(
        username="sysadmin",
        display_name="系统管理员甲",
        role=Role.SYSTEM_ADMIN,
        unit=world.province,
        scope_unit=world.province,
    )


@pytest.fixture
def clock():
    """Time stands still unless a test moves it (waits, TOTP steps)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def known_picture(monkeypatch):
    """Every picture challenge shows the same text, so tests can answer it."""
    monkeypatch.setattr(captcha, "random_text", lambda: ANSWER)


def attempt(client, username, password, *, address, answer=None, **extra):
    """One POST of the login form; with ``answer`` the picture is fetched first, as the
    page's <img> would."""
    data = {"username": username, "password": password}
    if answer is not None:
        assert client.get("/login/challenge.png", REMOTE_ADDR=address).status_code == 200
        data["captcha"] = answer
    return client.post("/login/", data, REMOTE_ADDR=address, **extra)


def fail_until_locked(client, username, address, clock):
    """Wrong passwords, answering the challenge and sitting out each wait, until the
    pair locks; returns how many failures were counted."""
    for n in range(1, 100):
        gate = throttle.gate(username, address)
        if gate.locked_until:
            return n - 1
        if gate.retry_at:
            clock.move_to(gate.retry_at)
        response = attempt(
            client, username, "wrong", address=address, answer=ANSWER if gate.challenge else None
        )
        assert response.status_code == 400
    raise AssertionError("never locked")


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


# -- per pair, challenge, wait, lock --------------------------------------------------


def test_twenty_failures_from_one_address_leave_the_account_open_elsewhere(sysadmin, clock):
    # given: someone hammers sysadmin's password from 10.0.0.1
    attacker = Client()
    for n in range(20):
        gate = throttle.gate("sysadmin", "10.0.0.1")
        if gate.retry_at:
            clock.move_to(gate.retry_at)
        attempt(
            attacker,
            "sysadmin",
            f"guess-{n}",
            address="10.0.0.1",
            answer=ANSWER if gate.challenge else None,
        )
    # then: that pair is locked, even for the right password ...
    locked = attempt(attacker, "sysadmin", PASSWORD, address="10.0.0.1", answer=ANSWER)
    assert locked.status_code == 400
    assert "锁定" in locked.content.decode()
    assert not signed_in(attacker)
    # ... but the real sysadmin at 10.0.0.2 signs in with just the password
    own = Client()
    response = attempt(own, "sysadmin", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert signed_in(own)
    # and only the counted failures were logged (refused attempts do not count)
    row = LoginThrottle.objects.get(username="sysadmin", address="10.0.0.1")
    assert row.failures == 10


def test_challenge_is_answered_before_the_password_is_checked(world, clock):
    client = Client()
    for _ in range(3):
        assert attempt(client, "agent_nj", "wrong", address="10.1.1.1").status_code == 400
    # the form now carries the picture
    page = client.get("/login/", REMOTE_ADDR="10.1.1.1").content.decode()
    assert "challenge.png" not in page  # no username typed yet: nothing to ask
    retry = client.post(
        "/login/", {"username": "agent_nj", "password": "x"}, REMOTE_ADDR="10.1.1.1"
    )
    assert 'src="/login/challenge.png"' in retry.content.decode()
    clock.shift(60)
    # without an answer, even the right password is not looked at
    missing = attempt(client, "agent_nj", PASSWORD, address="10.1.1.1")
    assert missing.status_code == 400
    assert "请输入图中的字符" in missing.content.decode()
    # a wrong answer neither counts nor lets in
    wrong = attempt(client, "agent_nj", PASSWORD, address="10.1.1.1", answer="AAAAA")
    assert wrong.status_code == 400
    assert "图形验证码错误" in wrong.content.decode()
    assert LoginThrottle.objects.get(username="agent_nj").failures == 3
    # the right answer (any case) and the right password sign in and clear the pair
    ok = attempt(client, "agent_nj", PASSWORD, address="10.1.1.1", answer=ANSWER.lower())
    assert ok.status_code == 302
    assert not LoginThrottle.objects.filter(username="agent_nj").exists()


def test_a_picture_answers_once(world, clock):
    client = Client()
    for _ in range(3):
        attempt(client, "agent_nj", "wrong", address="10.1.1.2")
    clock.shift(60)
    client.get("/login/challenge.png", REMOTE_ADDR="10.1.1.2")
    first = client.post(
        "/login/",
        {"username": "agent_nj", "password": "wrong", "captcha": ANSWER},
        REMOTE_ADDR="10.1.1.2",
    )
    assert "用户名或密码错误" in first.content.decode()
    clock.shift(60)
    # the same answer again, without a new picture: refused before the password
    again = client.post(
        "/login/",
        {"username": "agent_nj", "password": PASSWORD, "captcha": ANSWER},
        REMOTE_ADDR="10.1.1.2",
    )
    assert again.status_code == 400
    assert "图形验证码错误" in again.content.decode()
    assert not signed_in(client)


def test_the_picture_is_a_png_that_changes(world):
    client = Client()
    first = client.get("/login/challenge.png")
    assert first["Content-Type"] == "image/png"
    assert first.content.startswith(b"\x89PNG")
    assert "no-store" in first["Cache-Control"]
    # drawn anew each time, with noise: two pictures of the same text differ
    assert client.get("/login/challenge.png").content != first.content


def test_each_failure_at_the_challenge_step_doubles_the_wait(world, clock, settings):
    settings.LOGIN_RETRY_MAX_SECONDS = 60
    client = Client()
    for _ in range(3):
        attempt(client, "agent_nj", "wrong", address="10.1.1.3")
    waits = []
    for _ in range(4):
        gate = throttle.gate("agent_nj", "10.1.1.3")
        waits.append((gate.retry_at - START).total_seconds() if gate.retry_at else 0)
        # too early: refused without looking at answer or password, and not counted
        if gate.retry_at:
            early = attempt(client, "agent_nj", PASSWORD, address="10.1.1.3", answer=ANSWER)
            assert early.status_code == 400
            assert "秒后再试" in early.content.decode()
            assert not signed_in(client)
            clock.move_to(gate.retry_at)
        attempt(client, "agent_nj", "wrong", address="10.1.1.3", answer=ANSWER)
        clock.move_to(START)
    assert LoginThrottle.objects.get(username="agent_nj").failures == 7
    # 1 s after the third failure, then 2, 4, 8 s (each counted from the failure)
    assert [throttle.retry_delay(n).total_seconds() for n in range(3, 7)] == [1, 2, 4, 8]
    assert throttle.retry_delay(20).total_seconds() == 60
    assert throttle.retry_delay(2).total_seconds() == 0
    assert waits[0] == 1


def test_parallel_attempts_at_the_challenge_step_get_one_slot(world, clock):
    for _ in range(3):
        throttle.record_failure("agent_nj", "10.1.1.4")
    clock.shift(5)
    assert throttle.claim_attempt("agent_nj", "10.1.1.4")
    # a second attempt in the same instant finds the slot taken
    assert not throttle.claim_attempt("agent_nj", "10.1.1.4")
    # another address of the same username is not held up
    assert throttle.claim_attempt("agent_nj", "10.1.1.5")


def test_lock_expires_back_to_the_challenge_step(world, clock, settings):
    client = Client()
    assert fail_until_locked(client, "agent_nj", "10.1.1.6", clock) == settings.LOGIN_MAX_FAILURES
    clock.shift(settings.LOGIN_LOCKOUT_MINUTES * 60 + 1)
    gate = throttle.gate("agent_nj", "10.1.1.6")
    assert gate.locked_until is None and gate.challenge
    ok = attempt(client, "agent_nj", PASSWORD, address="10.1.1.6", answer=ANSWER)
    assert ok.status_code == 302


def test_failures_expire_after_the_window(world, clock, settings):
    client = Client()
    for _ in range(3):
        attempt(client, "agent_nj", "wrong", address="10.1.1.7")
    assert throttle.gate("agent_nj", "10.1.1.7").challenge
    clock.shift(settings.LOGIN_FAILURE_WINDOW_MINUTES * 60 + 1)
    assert not throttle.gate("agent_nj", "10.1.1.7").challenge
    assert attempt(client, "agent_nj", PASSWORD, address="10.1.1.7").status_code == 302


def test_username_case_does_not_dodge_the_counter(world, clock):
    client = Client()
    for name in ("agent_nj", "AGENT_NJ", "Agent_Nj"):
        attempt(client, name, "wrong", address="10.1.1.8")
    assert throttle.gate("agent_nj", "10.1.1.8").challenge


# -- spraying and distributed guessing -------------------------------------------------


def test_spraying_from_one_address_brings_the_challenge_then_a_block(world, clock, settings):
    settings.LOGIN_ADDRESS_CHALLENGE_AFTER = 4
    settings.LOGIN_ADDRESS_MAX_FAILURES = 6
    client = Client()
    for n in range(4):
        attempt(client, f"user{n}", "wrong", address="10.2.0.1")
    # a username never tried from there must answer the picture now
    assert throttle.gate("handler_nj", "10.2.0.1").challenge
    assert not throttle.gate("handler_nj", "10.2.0.2").challenge
    for n in range(4, 6):
        attempt(client, f"user{n}", "wrong", address="10.2.0.1", answer=ANSWER)
    # past the address limit: every username from that address is refused
    blocked = attempt(client, "handler_nj", PASSWORD, address="10.2.0.1", answer=ANSWER)
    assert blocked.status_code == 400
    assert "暂停登录" in blocked.content.decode()
    assert attempt(Client(), "handler_nj", PASSWORD, address="10.2.0.2").status_code == 302


def test_one_username_from_many_addresses_brings_the_challenge_not_a_lock(world, clock, settings):
    settings.LOGIN_ACCOUNT_CHALLENGE_AFTER = 6
    for n in range(6):
        attempt(Client(), "agent_nj", "wrong", address=f"10.3.0.{n}")
    gate = throttle.gate("agent_nj", "10.3.1.1")
    assert gate.challenge and gate.locked_until is None and gate.blocked_until is None
    ok = attempt(Client(), "agent_nj", PASSWORD, address="10.3.1.1", answer=ANSWER)
    assert ok.status_code == 302


# -- the source address ---------------------------------------------------------------


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(settings):
    request = RequestFactory().get(
        "/login/", REMOTE_ADDR="192.168.0.10", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert throttle.source_address(request) == "192.168.0.10"
    settings.LOGIN_TRUSTED_PROXIES = 1
    assert throttle.source_address(request) == "1.2.3.4"
    # a client's own X-Forwarded-For entries stay left of what the proxy appended
    spoofed = RequestFactory().get(
        "/login/", REMOTE_ADDR="192.168.0.10", HTTP_X_FORWARDED_FOR="10.0.0.2, 5.6.7.8"
    )
    assert throttle.source_address(spoofed) == "5.6.7.8"
    garbage = RequestFactory().get("/login/", REMOTE_ADDR="192.168.0.10", HTTP_X_FORWARDED_FOR="x")
    assert throttle.source_address(garbage) == "192.168.0.10"


def test_a_spoofed_forwarded_for_cannot_lock_someone_elses_address(sysadmin, clock, settings):
    settings.LOGIN_TRUSTED_PROXIES = 1
    client = Client()
    # the attacker at 6.6.6.6 claims to be 10.0.0.2, sysadmin's desk
    for _ in range(3):
        attempt(
            client,
            "sysadmin",
            "wrong",
            address="192.168.0.10",
            HTTP_X_FORWARDED_FOR="10.0.0.2, 6.6.6.6",
        )
    assert throttle.gate("sysadmin", "6.6.6.6").challenge
    assert not throttle.gate("sysadmin", "10.0.0.2").challenge


# -- 登录安全: unlock ------------------------------------------------------------------


def test_sysadmin_sees_and_lifts_a_lock(world, sysadmin, clock):
    # given: agent_nj is locked out of 10.4.0.1
    fail_until_locked(Client(), "agent_nj", "10.4.0.1", clock)
    admin = Client()
    admin.force_login(sysadmin)
    home = admin.get("/").content.decode()
    assert 'href="/security/admin/"' in home
    page = admin.get("/security/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    table = html[html.index('id="login-locks"') :]
    row = table[: table.index("</tr>", table.index("agent_nj"))]
    assert "10.4.0.1" in row and "已锁定" in row and ">10<" in row and "解锁" in row
    pair = LoginThrottle.objects.get(username="agent_nj")
    # when
    response = admin.post("/security/admin/unlock/", {"pair": pair.pk})
    # then
    assert response.status_code == 302
    assert not LoginThrottle.objects.filter(pk=pair.pk).exists()
    entry = AuditLog.objects.get(action="login.unlocked")
    assert entry.actor == sysadmin
    assert entry.detail["username"] == "agent_nj" and entry.detail["address"] == "10.4.0.1"
    assert entry.detail["failures"] == 10 and entry.detail["locked"] is True
    assert attempt(Client(), "agent_nj", PASSWORD, address="10.4.0.1").status_code == 302


def test_sysadmin_lifts_a_blocked_address(world, sysadmin, clock, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 3
    settings.LOGIN_ADDRESS_CHALLENGE_AFTER = 100
    for n in range(3):
        attempt(Client(), f"user{n}", "wrong", address="10.4.0.9")
    admin = Client()
    admin.force_login(sysadmin)
    assert 'id="blocked-addresses"' in admin.get("/security/admin/").content.decode()
    admin.post("/security/admin/unlock/", {"address": "10.4.0.9"})
    assert not LoginThrottle.objects.filter(address="10.4.0.9").exists()
    assert AuditLog.objects.filter(action="login.unlocked").count() == 3
    assert attempt(Client(), "agent_nj", PASSWORD, address="10.4.0.9").status_code == 302


@pytest.mark.parametrize("persona", ["supervisor_nj", "auditor", "agent_nj"])
def test_only_sysadmin_may_unlock(world, clock, persona):
    fail_until_locked(Client(), "handler_nj", "10.4.0.2", clock)
    client = Client()
    client.force_login(getattr(world, persona))
    assert 'href="/security/admin/"' not in client.get("/").content.decode()
    assert client.get("/security/admin/").status_code == 403
    pair = LoginThrottle.objects.get(username="handler_nj")
    assert client.post("/security/admin/unlock/", {"pair": pair.pk}).status_code == 403
    assert LoginThrottle.objects.filter(pk=pair.pk).exists()
    assert not AuditLog.objects.filter(action="login.unlocked").exists()


# -- the TOTP second factor ------------------------------------------------------------


def enrol(client, user, clock) -> TOTPDevice:
    page = client.get("/security/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="/security/qr.svg"' in html
    secret = re.search(r'<span class="secret">([A-Z2-7 ]+)</span>', html).group(1)
    qr = client.get("/security/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert secret.replace(" ", "") == device.config_url.split("secret=")[1].split("&")[0]
    response = client.post("/security/", {"action": "confirm", "code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    clock.shift(30)  # the next code comes from the next time step
    return device


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def test_enrolled_supervisor_signs_in_with_password_then_code(world, clock):
    supervisor = world.supervisor_nj
    own = Client()
    own.force_login(supervisor)
    assert 'href="/security/"' in own.get("/").content.decode()
    device = enrol(own, supervisor, clock)
    assert AuditLog.objects.filter(action="otp.enrolled", actor=supervisor).exists()
    # the password alone does not sign in: it leads to the code step
    client = Client()
    step = attempt(client, "supervisor_nj", PASSWORD, address="10.5.0.1")
    assert step.status_code == 302 and step["Location"] == "/login/code/"
    assert not signed_in(client)
    assert "动态验证码" in client.get("/login/code/").content.decode()
    # without a code, or with a wrong one: still out
    assert client.post("/login/code/", {"code": ""}).status_code == 400
    wrong = client.post("/login/code/", {"code": f"{(int(code_for(device)) + 1) % 10**6:06d}"})
    assert wrong.status_code == 400
    assert not signed_in(client)
    clock.shift(30)  # django-otp waits after a wrong code; a fresh step too
    code = code_for(device)
    ok = client.post("/login/code/", {"code": code})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert signed_in(client)
    assert not LoginThrottle.objects.filter(username="supervisor_nj").exists()
    # the same code again, in another sign-in within its time step: refused
    replay = Client()
    attempt(replay, "supervisor_nj", PASSWORD, address="10.5.0.2")
    again = replay.post("/login/code/", {"code": code})
    assert again.status_code == 400
    assert "动态验证码错误" in again.content.decode()
    assert not signed_in(replay)


def test_wrong_codes_count_toward_the_pairs_lock(world, clock, settings):
    settings.LOGIN_MAX_FAILURES = 3
    own = Client()
    own.force_login(world.supervisor_nj)
    device = enrol(own, world.supervisor_nj, clock)
    client = Client()
    for n in range(3):
        attempt(client, "supervisor_nj", PASSWORD, address="10.5.0.3")
        client.post("/login/code/", {"code": f"{(int(code_for(device)) + 1) % 10**6:06d}"})
        clock.shift(60 * (n + 1))  # past django-otp's own doubling wait
    assert throttle.gate("supervisor_nj", "10.5.0.3").locked_until is not None
    locked = attempt(client, "supervisor_nj", PASSWORD, address="10.5.0.3", answer=ANSWER)
    assert "锁定" in locked.content.decode()


def test_the_code_step_expires(world, clock, settings):
    own = Client()
    own.force_login(world.supervisor_nj)
    device = enrol(own, world.supervisor_nj, clock)
    client = Client()
    attempt(client, "supervisor_nj", PASSWORD, address="10.5.0.4")
    clock.shift(settings.LOGIN_OTP_STEP_SECONDS + 1)
    late = client.post("/login/code/", {"code": code_for(device)})
    assert late.status_code == 302 and late["Location"] == "/login/"
    assert not signed_in(client)


def test_disable_needs_a_current_code(world, clock):
    own = Client()
    own.force_login(world.supervisor_nj)
    device = enrol(own, world.supervisor_nj, clock)
    assert own.post("/security/", {"action": "disable", "code": "000000"}).status_code == 400
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    clock.shift(60)
    own.post("/security/", {"action": "disable", "code": code_for(device)})
    assert not TOTPDevice.objects.filter(user=world.supervisor_nj).exists()
    assert AuditLog.objects.filter(action="otp.disabled").exists()
    assert attempt(Client(), "supervisor_nj", PASSWORD, address="10.5.0.5").status_code == 302


def test_agents_have_no_second_factor(world):
    client = Client()
    client.force_login(world.agent_nj)
    assert 'href="/security/"' not in client.get("/").content.decode()
    page = client.get("/security/").content.decode()
    assert "只需密码" in page and "qr.svg" not in page
    assert client.post("/security/", {"action": "confirm", "code": "123456"}).status_code == 400
    assert not TOTPDevice.objects.filter(user=world.agent_nj).exists()


def test_required_role_enrols_at_sign_in(world, clock, settings):
    settings.LOGIN_REQUIRE_OTP_ROLES = ["supervisor"]
    client = Client()
    step = attempt(client, "supervisor_nj", PASSWORD, address="10.6.0.1")
    assert step["Location"] == "/login/code/"
    page = client.get("/login/code/").content.decode()
    assert 'src="/security/qr.svg"' in page and "请先完成启用" in page
    assert client.get("/security/qr.svg")["Content-Type"] == "image/svg+xml"
    device = TOTPDevice.objects.get(user=world.supervisor_nj, confirmed=False)
    assert client.post("/login/code/", {"code": code_for(device)}).status_code == 302
    assert signed_in(client)
    device.refresh_from_db()
    assert device.confirmed
    # may not be turned off while the role requires it
    assert "不能停用" not in client.get("/security/").content.decode()
    clock.shift(30)
    refused = client.post("/security/", {"action": "disable", "code": code_for(device)})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_required_role_session_without_a_code_is_ended(world, settings):
    settings.LOGIN_REQUIRE_OTP_ROLES = ["supervisor"]
    client = Client()
    client.force_login(world.supervisor_nj)  # a session from before the rule
    response = client.get("/queues/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/").status_code == 302
    # roles the rule does not name are untouched
    agent = Client()
    agent.force_login(world.agent_nj)
    assert agent.get("/").status_code == 200


def test_api_tokens_need_no_code(world, clock, settings):
    settings.LOGIN_REQUIRE_OTP_ROLES = ["supervisor"]
    own = Client()
    own.force_login(world.supervisor_nj)
    TOTPDevice.objects.create(user=world.supervisor_nj, name="phone", confirmed=True)
    response = Client().get("/api/v1/tickets", **bearer(world.supervisor_nj))
    assert response.status_code == 200


def test_sysadmin_resets_a_lost_phone(world, sysadmin, clock):
    own = Client()
    own.force_login(world.supervisor_nj)
    enrol(own, world.supervisor_nj, clock)
    admin = Client()
    admin.force_login(sysadmin)
    html = admin.get("/security/admin/").content.decode()
    devices = html[html.index('id="otp-devices"') :]
    assert "supervisor_nj" in devices and "重置两步验证" in devices
    response = admin.post("/security/admin/reset/", {"staff": world.supervisor_nj.pk})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.supervisor_nj).exists()
    entry = AuditLog.objects.get(action="otp.reset")
    assert entry.actor == sysadmin and entry.detail["username"] == "supervisor_nj"
    # the next sign-in is by password again
    assert attempt(Client(), "supervisor_nj", PASSWORD, address="10.7.0.1")["Location"] == "/"


def test_only_sysadmin_resets_a_second_factor(world, clock):
    own = Client()
    own.force_login(world.supervisor_nj)
    enrol(own, world.supervisor_nj, clock)
    other = Client()
    other.force_login(world.quality)
    assert (
        other.post("/security/admin/reset/", {"staff": world.supervisor_nj.pk}).status_code == 403
    )
    assert TOTPDevice.objects.filter(user=world.supervisor_nj, confirmed=True).exists()


# -- one way in, pages that a strict CSP allows, English -------------------------------


def test_admin_login_goes_through_the_throttled_login(world):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"
    assert Client().get("/admin/")["Location"].startswith("/admin/login/")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_security_pages_have_no_inline_script(world, sysadmin, clock):
    client = Client()
    for _ in range(3):
        attempt(client, "agent_nj", "wrong", address="10.8.0.1")
    pages = [attempt(client, "agent_nj", "wrong", address="10.8.0.1").content.decode()]
    admin = Client()
    admin.force_login(sysadmin)
    pages += [admin.get(url).content.decode() for url in ("/security/", "/security/admin/")]
    for html in pages:
        assert not INLINE_SCRIPT.search(html)
        assert not INLINE_HANDLER.search(html)


def test_challenge_and_security_pages_in_english(world, sysadmin, clock):
    client = _english()
    for _ in range(3):
        attempt(client, "agent_nj", "wrong", address="10.9.0.1")
    clock.shift(60)  # past the wait, at the picture step
    challenge = attempt(client, "agent_nj", PASSWORD, address="10.9.0.1").content.decode()
    assert "Please type the characters shown in the picture" in challenge
    assert _leftover_chinese(challenge) == []
    fail_until_locked(client, "agent_nj", "10.9.0.1", clock)
    admin = _english(sysadmin)
    for url in ("/security/", "/security/admin/"):
        html = admin.get(url).content.decode()
        assert _leftover_chinese(html) == [], url
