"""Misbehaving HTTP servers on loopback, on raw sockets: what no well-behaved server library lets
a test do (a body trickled a byte a second, a connection reset halfway through an answer).

Each serves every connection with `answer(request_bytes, conn)` in its own thread and records
what it received; stop() closes everything, so no test waits for a trickle to end.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Self

Answer = Callable[[bytes, socket.socket, "RawServer"], None]


class RawServer:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.stopping = threading.Event()
        self.served = threading.Event()  # set once an answer has begun
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._thread.join(5)
        for conn in self._conns:
            conn.close()
        self._sock.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = read_request(conn)
            self.requests.append(request)
            self.served.set()
            self.answer(request, conn, self)
        except OSError:
            pass

    def wait(self, seconds: float) -> bool:
        """Sleep unless stopping; False once stopping."""
        return not self.stopping.wait(seconds)


def read_request(conn: socket.socket) -> bytes:
    """Headers and a Content-Length body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def headers(status: str = "200 OK", **fields: str | int) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def trickle(body: bytes = b"[" + b" " * 10_000 + b"]") -> Answer:
    """Headers at once, then the body one byte a second (for as long as the client listens)."""

    def answer(_request: bytes, conn: socket.socket, server: RawServer) -> None:
        conn.sendall(headers(Content_Type="application/json", Content_Length=len(body)))
        for i in range(len(body)):
            if not server.wait(1.0):
                return
            conn.sendall(body[i : i + 1])

    return answer


def trickle_headers(body: bytes = b"[]") -> Answer:
    """The status line and headers one byte a second (ten minutes of them), then (if the client
    is still there) the body."""

    def answer(_request: bytes, conn: socket.socket, server: RawServer) -> None:
        head = headers(Content_Type="application/json", Content_Length=len(body), X_Pad="x" * 600)
        for i in range(len(head)):
            if not server.wait(1.0):
                return
            conn.sendall(head[i : i + 1])
        conn.sendall(body)

    return answer


def broken(chunked: bool, reset: bool) -> Answer:
    """Half an activity list, then the connection closed (or reset)."""
    part = b'[{"id": 1, "name": "Morning Run", "start_date": "2026-11-20T07:00:00Z"'

    def answer(_request: bytes, conn: socket.socket, _server: RawServer) -> None:
        if chunked:
            conn.sendall(headers(Content_Type="application/json", Transfer_Encoding="chunked"))
            conn.sendall(f"{len(part) * 3:x}\r\n".encode() + part)
        else:
            conn.sendall(headers(Content_Type="application/json", Content_Length=len(part) * 3))
            conn.sendall(part)
        time.sleep(0.05)
        if reset:  # an RST instead of a FIN
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    return answer


def redirect_to(location: str, status: str = "307 Temporary Redirect") -> Answer:
    def answer(_request: bytes, conn: socket.socket, _server: RawServer) -> None:
        conn.sendall(headers(status, Location=location, Content_Length=0))

    return answer
