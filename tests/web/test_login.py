from django.test import Client

from complaintloop.web.models import LoginFailure


def test_login_then_home(world):
    client = Client()
    response = client.post("/login/", {"username": "agent_nj", "password": "pw-12345678"})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "agent_nj" in home.content.decode()


def test_lockout_after_repeated_failures(world, settings):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        bad = client.post("/login/", {"username": "agent_nj", "password": "wrong"})
        assert bad.status_code == 400
    # then even the right password is refused while locked
    locked = client.post("/login/", {"username": "agent_nj", "password": "pw-12345678"})
    assert locked.status_code == 400
    assert "锁定" in locked.content.decode()
    assert LoginFailure.objects.filter(username="agent_nj").count() == 3
    assert client.get("/").status_code == 302


def test_english_switch(world):
    client = Client()
    client.force_login(world.agent_nj)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page
