"""In CI a skipped guarantee fails the run (tests/conftest.py): a missing browser or
IMAP server must not turn green; only a PostgreSQL-only test on SQLite may skip."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import pytest

from tests.markers import postgres_only


def test_needs_a_browser():
    pytest.skip("chromium is not installed")


@postgres_only("probe")
def test_needs_postgres():
    pass
"""


def _run(tmp_path: Path, ci: str) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_runtest_makereport\n")
    (tmp_path / "test_probe.py").write_text(PROBE)
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # SQLite: the PostgreSQL-only probe skips
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), "-rA", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip


def test_a_skip_fails_in_ci_except_postgres_only_on_sqlite(tmp_path):
    result = _run(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert "FAILED" in result.stdout and "test_needs_a_browser" in result.stdout
    assert "skipped in CI" in result.stdout
    assert "SKIPPED" in result.stdout and "needs PostgreSQL" in result.stdout


def test_outside_ci_a_skip_is_a_skip(tmp_path):
    result = _run(tmp_path, "")
    assert result.returncode == 0, result.stdout
    assert "2 skipped" in result.stdout
