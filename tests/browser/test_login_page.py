import pytest

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_sign_in_with_the_keyboard(page, world):
    page.goto(f"{page.base_url}/login/")
    screenshot(page, "login")
    sign_in(page, "agent_nj")
    assert "工作台" in page.inner_text("main")
    assert "坐席" in page.inner_text("header")
