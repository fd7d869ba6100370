"""Dependencies that fail by never answering: a listener that accepts and says nothing, and an HTTP
proxy in front of moto that forwards the first N requests and then holds every later one."""

from __future__ import annotations

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class Silent:
    """Accepts TCP connections on loopback and never answers (until closed)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._accepted: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._accepted.append(connection)  # held open, never read from or written to

    def close(self) -> None:
        self._closed.set()
        for connection in self._accepted:
            connection.close()
        self._socket.close()


class HangingProxy:
    """Forwards the first `answered` requests to `target`, then holds every later one unanswered."""

    def __init__(self, target: str, answered: int) -> None:
        proxy = self
        self.target = urlsplit(target)
        self.answered = answered
        self.seen = 0
        self._lock = threading.Lock()
        self._release = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                proxy.handle(self)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                """Silent."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        with self._lock:
            self.seen += 1
            forward = self.seen <= self.answered
        if not forward:
            self._release.wait()  # hold the request: the client's own timeout must end it
            return
        upstream = http.client.HTTPConnection(
            self.target.hostname or "127.0.0.1", self.target.port, timeout=30
        )
        upstream.request(request.command, request.path, body, dict(request.headers))
        answer = upstream.getresponse()
        payload = answer.read()
        request.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
