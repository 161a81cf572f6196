import pytest

from complaintloop.webhooks import services


@pytest.fixture(autouse=True)
def _fresh_subscriptions():
    services.clear_subscription_cache()
    yield
    services.clear_subscription_cache()


@pytest.fixture(autouse=True)
def _receivers_on_loopback(settings):
    # The test receivers listen on 127.0.0.1; test_targets.py turns the guard back on.
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
