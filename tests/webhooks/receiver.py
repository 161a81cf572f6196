"""A real HTTP receiver in a thread: records every request, fails the first N, and
(like a well-behaved consumer) processes each event id only once."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, fail_first: int = 0, status: int = 503, delay: float = 0.0) -> None:
        self.fail_first, self.status, self.delay = fail_first, status, delay
        self.requests: list[dict] = []
        self.processed: dict[str, dict] = {}  # event id -> body, first copy only
        self.duplicates = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    failing = len(receiver.requests) <= receiver.fail_first
                    if not failing:
                        key = self.headers.get("X-ComplaintLoop-Event-Id", "")
                        if self.path.startswith("/sms"):
                            key = json.loads(body)["id"]
                        if key in receiver.processed:
                            receiver.duplicates += 1
                        else:
                            receiver.processed[key] = json.loads(body)
                self.send_response(receiver.status if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
