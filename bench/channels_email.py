"""Inbound email throughput: messages ingested per second and CPU per message, on the
pipe path and on the IMAP path. In-process (no HTTP), against DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h1 \\
      .venv/bin/python bench/channels_email.py --prepare --n 500 [--pipe-n 20]

Variants (one JSON line each):
- ``service``: ``channels.services.email.ingest(raw)`` in a loop: what one long-lived
  process does per message (parse, decode, sanitize, customer, ticket, attachments).
- ``pipe``: ``manage.py ingest_email`` as a new process per message, as Postfix's pipe
  transport runs it: adds interpreter + Django start-up (--pipe-n messages).
- ``imap``: N messages APPENDed to a private dovecot (IMAPS), then one
  ``imap.poll(mailbox)``: fetch + ingest + flag \\Seen over one TLS connection.
  Dovecot's own CPU is reported apart.

The mix is a quarter each: UTF-8 plain text, GBK (labelled gb2312) plain text,
multipart with a PDF and a PNG attachment, HTML only. Every message is new (unique
Message-ID), so each creates a ticket; senders are new to each run (200 addresses per
kind, so most messages also create their customer). CPU: this process (user+sys), subprocesses
(pipe), this process's PostgreSQL backend (``db_cpu_ms``) where the database is local.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

from _common import (  # noqa: E402
    APP_DIR,
    PYTHON,
    app_version,
    db_label,
    django_setup,
    emit,
    prepare,
    proc_cpu_seconds,
    server_env,
)


def _messages(n: int, run: str) -> list[bytes]:
    from tests.channels import mails

    out = []
    for i in range(n):
        mid = f"<bench-{run}-{i}@example.com>"
        kind = i % 4
        if kind == 0:
            raw = mails.plain(
                message_id=mid,
                sender=f"User {i} <user{i % 200}-{run}@example.com>",
                body=f"家里宽带第 {i} 次掉线,晚上八点后无法上网,请尽快派人处理。" * 3,
            )
        elif kind == 1:
            raw = mails.gbk(message_id=mid).replace(
                b"lisi@mail.example.cn", f"lisi{i % 200}-{run}@mail.example.cn".encode()
            )
        elif kind == 2:
            raw = mails.with_attachments(message_id=mid).replace(
                b"zhao@example.com", f"zhao{i % 200}-{run}@example.com".encode()
            )
        else:
            raw = mails.html_only(message_id=mid).replace(
                b"qian@example.com", f"qian{i % 200}-{run}@example.com".encode()
            )
        out.append(raw)
    return out


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu(pid: int) -> float:
    """CPU of a process and of its children it has reaped (dovecot's imap processes
    exit at logout, so only the master's cumulative child time still counts them)."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _db_cpu(url: str) -> float:
    """CPU of this process's own PostgreSQL backend (other clients of a shared
    database must not count)."""
    if not url.startswith("postgres"):
        return 0.0
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return proc_cpu_seconds([pid])


def _mailbox():
    from complaintloop.channels.models import Mailbox
    from complaintloop.org.models import Unit
    from complaintloop.taxonomy.models import OrderType

    unit = Unit.objects.filter(code__endswith="-KF", is_active=True).order_by("path").first()
    box, _created = Mailbox.objects.get_or_create(
        name="bench",
        defaults={"order_type": OrderType.objects.get(code="complaint"), "unit": unit},
    )
    return box


def _line(variant: str, n: int, wall: float, cpu: float, db_cpu: float, url: str, **extra):
    emit(
        {
            "bench": "channels_email",
            "variant": variant,
            "messages": n,
            "seconds": round(wall, 3),
            "per_second": round(n / wall, 1) if wall else None,
            "ms_per_message": round(wall * 1000 / n, 2) if n else None,
            "cpu_ms_per_message": round(cpu * 1000 / n, 2) if n else None,
            "db_cpu_ms_per_message": round(db_cpu * 1000 / n, 2) if db_cpu else None,
            "mix": "plain/gbk/attachments/html",
            "db": db_label(url),
            "app": app_version(),
            **extra,
        }
    )


def bench_service(n: int, url: str) -> None:
    from complaintloop.channels.models import Outcome
    from complaintloop.channels.services import email

    box = _mailbox()
    raws = _messages(n, uuid.uuid4().hex[:8])
    for raw in _messages(10, "warm-" + uuid.uuid4().hex[:8]):
        email.ingest(raw, mailbox=box)
    cpu0, db0, t0 = _cpu_self(), _db_cpu(url), time.perf_counter()
    outcomes = [email.ingest(raw, mailbox=box).outcome for raw in raws]
    wall, cpu, db = time.perf_counter() - t0, _cpu_self() - cpu0, _db_cpu(url) - db0
    _line("service", n, wall, cpu, db, url, created=outcomes.count(Outcome.CREATED))


def bench_pipe(n: int, url: str) -> None:
    env = server_env(url, dispatch=False)
    raws = _messages(n, uuid.uuid4().hex[:8])
    manage_py = str(APP_DIR / "manage.py")
    cpu0, t0 = _cpu_children(), time.perf_counter()
    created = 0
    for raw in raws:
        done = subprocess.run(
            [PYTHON, manage_py, "ingest_email", "--mailbox", "bench"],
            input=raw,
            env=env,
            cwd=APP_DIR,
            capture_output=True,
            check=True,
        )
        created += done.stdout.startswith(b"created")
    wall, cpu = time.perf_counter() - t0, _cpu_children() - cpu0
    # Backends of short-lived processes are gone when measured: no db_cpu here.
    _line("pipe", n, wall, cpu, 0.0, url, created=created, note="one process per message")


def bench_imap(n: int, url: str) -> None:
    from django.conf import settings

    from complaintloop.channels import imap
    from complaintloop.channels.models import Mailbox
    from tests.channels import dovecot

    reason = dovecot.missing()
    if reason:
        emit({"bench": "channels_email", "variant": "imap", "skipped": reason})
        return
    server = dovecot.start()
    try:
        box = _mailbox()
        Mailbox.objects.filter(pk=box.pk).update(
            host="127.0.0.1",
            port=server.port,
            use_ssl=True,
            username=server.username,
            password=server.password,
            folder="INBOX",
        )
        box.refresh_from_db()
        settings.CHANNELS_IMAP_CA_FILE = server.cafile
        conn = server.connect()
        t_append = time.perf_counter()
        for raw in _messages(n, uuid.uuid4().hex[:8]):
            server.append(raw, conn=conn)
        conn.logout()
        append_s = time.perf_counter() - t_append
        master = (server.pids() or [0])[0]
        dv0 = _tree_cpu(master)
        cpu0, db0, t0 = _cpu_self(), _db_cpu(url), time.perf_counter()
        result = imap.poll(box, limit=n)
        wall, cpu, db = time.perf_counter() - t0, _cpu_self() - cpu0, _db_cpu(url) - db0
        time.sleep(1.0)  # let the master reap the session's imap process
        dovecot_cpu = _tree_cpu(master) - dv0
        _line(
            "imap",
            result.fetched,
            wall,
            cpu,
            db,
            url,
            created=(result.outcomes or {}).get("created", 0),
            error=result.error,
            dovecot_cpu_ms_per_message=round(dovecot_cpu * 1000 / max(result.fetched, 1), 2),
            append_seconds=round(append_s, 2),
        )
    finally:
        Mailbox.objects.filter(name="bench").update(host="")
        server.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument("--n", type=int, default=500, help="messages for service and imap")
    p.add_argument("--pipe-n", type=int, default=20, help="messages for pipe (a process each)")
    p.add_argument("--prepare", action="store_true", help="migrate + seed_demo --orders 2000")
    p.add_argument("--only", choices=["service", "pipe", "imap"], action="append")
    args = p.parse_args()
    url = args.database_url
    if not url:
        sys.exit("DATABASE_URL or --database-url is required")
    if args.prepare:
        prepare(server_env(url, dispatch=False), 2000)
    os.environ["OUTBOX_DISPATCH_ON_COMMIT"] = "false"  # outbox rows written, not enqueued
    django_setup(url)
    sys.path.insert(0, str(APP_DIR))
    only = args.only or ["service", "pipe", "imap"]
    _mailbox()
    if "service" in only:
        bench_service(args.n, url)
    if "pipe" in only:
        bench_pipe(args.pipe_n, url)
    if "imap" in only:
        bench_imap(args.n, url)


if __name__ == "__main__":
    main()
