"""Threaded HTTP server that serves a ``DrsBackend`` over the DRS REST-JSON protocol."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from drs_emulator.models import DrsBackend
from drs_emulator.responses import DrsResponse


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive, which boto3's pool relies on; Nagle off so small responses
    # are not held back waiting for a delayed ACK (that alone adds ~40 ms per call).
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        response = self.server.responder.handle(self.command, self.path, headers, body)
        if response is None:  # a hung call, released: the client never gets an answer
            self.close_connection = True
            return
        status, out_headers, payload = response
        try:
            self.send_response(status)
            for key, value in out_headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            # The client gave up first (a late answer past its read timeout): nothing to tell it.
            self.close_connection = True

    do_GET = do_POST = do_DELETE = do_PUT = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: per-request logging would flood test output and cost time."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # benchmarks open many connections at once
    responder: DrsResponse

    def server_activate(self) -> None:
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().server_activate()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End idle keep-alive connections so their handler threads exit with the server."""
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class EmulatorServer:
    """A DRS emulator on ``host:port`` (port 0 picks a free one), run in a daemon thread."""

    def __init__(self, backend: DrsBackend | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.backend = backend if backend is not None else DrsBackend()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.responder = DrsResponse(self.backend)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> EmulatorServer:
        if self._thread is None:
            # shutdown() waits up to one poll interval; 10 ms keeps per-test fixtures cheap.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI uses this)."""
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving; calls hung by ``faults.hang`` are let go, their connections closed unanswered."""
        self.backend.faults.release()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.close_connections()
        self._httpd.server_close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
