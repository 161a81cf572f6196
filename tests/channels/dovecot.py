"""A private dovecot for tests and benchmarks: IMAPS on a free port, passwd-file auth,
maildir, a self-signed certificate for 127.0.0.1 made by ``openssl req``, its own
config (``-c``) and log file, no syslog. Plain code (no pytest) so bench/ can use it."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
QUIET = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def missing() -> str:
    """Why dovecot cannot run here ('' if it can)."""
    if not os.path.exists(DOVECOT):
        return "dovecot is not installed (/usr/sbin/dovecot; apt-get install dovecot-imapd)"
    if not shutil.which("openssl"):
        return "openssl is needed to make the test certificate"
    return ""


@dataclass
class Dovecot:
    root: Path
    port: int
    cafile: str
    username: str = "box"
    password: str = "box-secret"

    @property
    def log(self) -> Path:
        return self.root / "dovecot.log"

    def connect(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=self.cafile)
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context)
        conn.login(self.username, self.password)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX", conn: imaplib.IMAP4_SSL | None = None):
        own = conn is None
        conn = conn or self.connect()
        try:
            if folder != "INBOX":
                conn.create(f'"{folder}"')  # NO when it exists: fine
            status, data = conn.append(f'"{folder}"', None, None, raw)
            assert status == "OK", data
        finally:
            if own:
                conn.logout()

    def unseen(self, folder: str = "INBOX") -> int:
        conn = self.connect()
        try:
            conn.select(f'"{folder}"')
            _status, data = conn.uid("SEARCH", None, "UNSEEN")
            return len(data[0].split()) if data and data[0] else 0
        finally:
            conn.logout()

    def pids(self) -> list[int]:
        """The master and its children (for CPU accounting)."""
        try:
            master = int((self.root / "run" / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return []
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True
        ).stdout
        return [master, *(int(p) for p in out.split())]

    def stop(self) -> None:
        subprocess.run([DOVECOT, "-c", str(self.root / "dovecot.conf"), "stop"], **QUIET)
        shutil.rmtree(self.root, ignore_errors=True)


def _config(root: Path, port: int, mail_uid: int, mail_gid: int, login_user: str) -> str:
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
mail_location = maildir:{root}/mail/%u
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  user = {login_user}
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def start() -> Dovecot:
    """Start dovecot as the current user. As root, the login and mail processes run as
    ``nobody`` because dovecot refuses to run them as root."""
    # Not pytest's tmp_path: as root that is 0700, and the mail processes run as nobody.
    root = Path(tempfile.mkdtemp(prefix="cl-dovecot-"))
    os.chmod(root, 0o755)
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
            "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = Dovecot(root=root, port=free_port(), cafile=str(root / "cert.pem"))
    (root / "passwd").write_text(f"{server.username}:{{PLAIN}}{server.password}::::::\n")
    if os.getuid() == 0:
        nobody = pwd.getpwnam("nobody")
        mail_uid, mail_gid, login_user = nobody.pw_uid, nobody.pw_gid, "nobody"
        for sub in ("mail", "home"):
            os.chown(root / sub, mail_uid, mail_gid)
    else:
        mail_uid, mail_gid = os.getuid(), os.getgid()
        login_user = pwd.getpwuid(os.getuid()).pw_name
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, server.port, mail_uid, mail_gid, login_user))
    # The master daemonizes and keeps its descriptors: never capture them (a pipe would
    # wait for it to exit); its own log file says what went wrong.
    subprocess.run([DOVECOT, "-c", str(conf)], check=True, **QUIET)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    log = server.log.read_text() if server.log.exists() else ""
    server.stop()
    raise RuntimeError(f"dovecot did not start: {log}")
