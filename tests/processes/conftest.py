import pytest

from complaintloop.processes import engine, services


@pytest.fixture(autouse=True)
def _fresh_spec_cache():
    # Rolled-back test transactions can hand out the same definition id again.
    engine.clear_cache()
    yield
    engine.clear_cache()


@pytest.fixture
def builtin():
    services.load_builtin()
