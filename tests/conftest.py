import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _embedded_settings(settings):
    # Outbox rows are drained explicitly in tests instead of going through a broker.
    settings.OUTBOX_DISPATCH_ON_COMMIT = False
    from complaintloop.core import calendar

    calendar.clear_cache()
    yield
    calendar.clear_cache()
