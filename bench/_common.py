"""Shared helpers for the benchmarks: a gunicorn server process, Django access for
reference data, percentiles, CPU accounting. No timing asserts: figures only."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
# The code under test: the checkout by default, or a snapshot (e.g. `git archive HEAD`
# unpacked elsewhere) so that edits in a shared working tree do not move the figures.
APP_DIR = Path(os.environ.get("BENCH_APP_DIR", ROOT)).resolve()


def app_version() -> str:
    stamp = APP_DIR / ".bench-commit"
    if stamp.exists():
        return stamp.read_text().strip()
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=APP_DIR,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "complaintloop"],
            cwd=APP_DIR,
            text=True,
            capture_output=True,
        ).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable


def emit(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def db_label(url: str) -> str:
    if url.startswith("sqlite:"):
        return "sqlite:/" + url.split("sqlite://", 1)[1].lstrip("/")
    if url.startswith(("postgres", "postgresql")):
        return "postgresql:" + url.rsplit("/", 1)[-1].split("?", 1)[0]
    return url


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def server_env(database_url: str, *, dispatch: bool, var_dir: str | None = None) -> dict:
    """Environment for manage.py and gunicorn. The broker/var folder is a private temp
    folder so benchmark messages never reach the checkout's own worker."""
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["OUTBOX_DISPATCH_ON_COMMIT"] = "true" if dispatch else "false"
    env.setdefault("LOG_LEVEL", "ERROR")
    env["COMPLAINTLOOP_VAR"] = var_dir or tempfile.mkdtemp(prefix="complaintloop-bench-var-")
    env.pop("DEBUG", None)
    return env


def manage(env: dict, *args: str, capture: bool = False) -> str:
    proc = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=APP_DIR,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else sys.stderr,  # stdout keeps JSON lines only
    )
    return (proc.stdout or "").strip()


def prepare(env: dict, orders: int) -> None:
    """Migrate and seed (only when the database holds no tickets yet)."""
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--orders", str(orders), "--if-empty")


def token(env: dict, username: str) -> str:
    return manage(env, "create_api_token", username, "--name", "bench", capture=True).splitlines()[
        -1
    ]


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaintloop.settings")
    os.environ.setdefault("COMPLAINTLOOP_VAR", tempfile.mkdtemp(prefix="complaintloop-bench-var-"))
    sys.path.insert(0, str(APP_DIR))
    import django

    django.setup()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn complaintloop.wsgi on 127.0.0.1:port, stopped on exit."""

    def __init__(self, env: dict, *, port: int, workers: int, threads: int, extra: list[str]):
        port = port or free_port()  # 0: any free port (others may serve on fixed ones)
        self.env, self.port, self.workers, self.threads = env, port, workers, threads
        self.extra = extra
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> Server:
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "complaintloop.wsgi",
            "-b",
            f"127.0.0.1:{self.port}",
            "-w",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--log-level",
            "warning",
            "--timeout",
            "120",
            *self.extra,
        ]
        self.proc = subprocess.Popen(cmd, cwd=APP_DIR, env=self.env, start_new_session=True)
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    time.sleep(0.5)
                    if self.proc.poll() is not None:  # port taken by someone else's server
                        raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def pids(self) -> list[int]:
        if self.proc is None:
            return []
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            pids += [int(p) for p in children.split()]
        except OSError:
            pass
        return pids

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def proc_cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except OSError:
            pass
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def pg_backend_pids(database_url: str) -> list[int]:
    """Server processes connected to the benchmark database (PostgreSQL only, local)."""
    if not database_url.startswith(("postgres", "postgresql")):
        return []
    import psycopg

    dsn = (
        database_url.split("?", 1)[0]
        .replace("postgresql://", "postgres://", 1)
        .replace("postgres://", "postgresql://", 1)
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [r[0] for r in rows]
