import pytest

from complaintloop.webhooks import services


@pytest.fixture(autouse=True)
def _fresh_subscriptions():
    services.clear_subscription_cache()
    yield
    services.clear_subscription_cache()
