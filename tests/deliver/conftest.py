"""Loopback servers for delivery tests: a real SMTP server (aiosmtpd, with AUTH, TLS, stop/start)
and an HTTP receiver that records each request and can answer 500 a given number of times."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from runstrength.config import Settings, load_settings
from runstrength.core.records import (
    ActivityRecord,
    Classification,
    ClassifiedActivity,
    DayPlan,
    Exercise,
    ExpectedRun,
    Plan,
    RunKind,
    Sport,
    StrengthSession,
)
from runstrength.store import Store

SMTP_USER = "runner@example.com"
SMTP_PASSWORD = "correct horse battery staple"
# aiosmtpd warns about AUTH without TLS; the plain-text server is the point of those tests.
SMTP_WARNING = "ignore:Requiring AUTH while not requiring TLS:UserWarning"
TODAY = date(2026, 11, 29)  # a Sunday (ISO week 2026-W48): its digest is for the week after, W49
NOW = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)


# --- SMTP -------------------------------------------------------------------------------------
@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, _class=EmailMessage, policy=policy.default)


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 Message accepted for delivery"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (
        data.login.decode() == SMTP_USER and data.password.decode() == SMTP_PASSWORD
    )
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with AUTH required; stop() and start() keep the same port."""

    def __init__(self, **smtp_kwargs: Any) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.handler = _Handler()
        self._kwargs = smtp_kwargs
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        self._controller = Controller(
            self.handler,
            hostname=self.host,
            port=self.port,
            authenticator=_authenticator,
            auth_required=True,
            auth_require_tls=False,
            **self._kwargs,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    """A self-signed certificate for 127.0.0.1, made with the openssl tool."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return Cert(cert, key)


# --- HTTP -------------------------------------------------------------------------------------
@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """A loopback HTTP server that records every POST; fail(n) answers the next n with 500."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._failures = 0
        self._slow = 0
        self._release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    failing = receiver._failures > 0
                    receiver._failures -= failing
                    slow = receiver._slow > 0
                    receiver._slow -= slow
                    status, text = (500, b"upstream broke") if failing else (200, b"ok")
                    receiver.requests.append(Request(self.path, dict(self.headers), body, status))
                if slow:  # processed, but the answer comes after the client has given up
                    receiver._release.wait(30)
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/s3cret-token"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def fail(self, times: int) -> None:
        with self._lock:
            self._failures = times

    def answer_late(self, times: int) -> None:
        """Take the next `times` posts but hold each answer until `release()` (or 30 s)."""
        with self._lock:
            self._slow = times
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    @property
    def delivered(self) -> list[Request]:
        """The requests answered 200."""
        return [r for r in self.requests if r.status == 200]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


# --- data -------------------------------------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'runstrength.db'}")


def deliver_settings(tmp_path: Path, **env: str) -> Settings:
    return load_settings(
        {
            "RUNSTRENGTH_DATA_DIR": str(tmp_path),
            "RUNSTRENGTH_TIMEZONE": "Europe/Berlin",
            "EMAIL_FROM": "runstrength <digest@example.com>",
            "EMAIL_TO": "ana@example.com, coach@example.org",
        }
        | env
    )


def make_run(
    day: date, km: float, minutes: int, kind: RunKind, name: str = ""
) -> ClassifiedActivity:
    start = datetime(day.year, day.month, day.day, 6, 30, tzinfo=UTC)
    record = ActivityRecord(
        source="strava",
        source_id=f"{day.isoformat()}-{kind.value}",
        sport=Sport.RUN,
        sport_detail="Run",
        name=name or f"{kind.value.title()} run",
        start_time=start,
        start_local=start.replace(tzinfo=None) + timedelta(hours=1),
        distance_m=km * 1000,
        moving_time_s=minutes * 60,
        elapsed_time_s=minutes * 60 + 120,
    )
    return ClassifiedActivity(record, Classification(kind, f"{kind.value}: as usual"), load=minutes)


def make_strength(day: date, minutes: int = 25) -> ClassifiedActivity:
    start = datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC)
    record = ActivityRecord(
        source="garmin",
        source_id=f"{day.isoformat()}-strength-{minutes}",
        sport=Sport.STRENGTH,
        sport_detail="strength_training",
        name="Strength",
        start_time=start,
        start_local=start.replace(tzinfo=None),
        distance_m=0,
        moving_time_s=minutes * 60,
        elapsed_time_s=minutes * 60,
    )
    return ClassifiedActivity(record, Classification(None, "not a run"))


def make_history(today: date = TODAY, weeks: int = 9) -> list[ClassifiedActivity]:
    """Easy Tuesday and Friday, intervals Thursday, long run Sunday; strength twice a week."""
    history = []
    for back in range(weeks):
        sunday = today - timedelta(days=7 * back)
        history += [
            make_run(sunday - timedelta(days=5), 8 + back % 3, 48, RunKind.EASY),
            make_run(sunday - timedelta(days=3), 11, 55, RunKind.HARD, "6 × 800 m"),
            make_run(sunday - timedelta(days=2), 6, 36, RunKind.EASY),
            make_run(sunday, 16 + back % 4, 100, RunKind.LONG, "Sunday long run"),
        ]
        history += [make_strength(sunday - timedelta(days=5))] if back % 2 else []
        history += [make_strength(sunday - timedelta(days=2))]
    return history


ROUTINE_A = StrengthSession(
    routine="A",
    title="A: legs and hips",
    minutes=25,
    exercises=(
        Exercise("Split squat", 3, reps=10, per_side=True),
        Exercise("Single-leg calf raise", 3, reps=15, per_side=True),
        Exercise("Side plank", 2, seconds=30, per_side=True, note="hips high"),
    ),
    after_run=True,
)
ROUTINE_B = StrengthSession(
    routine="B",
    title="B: posterior chain & core",
    minutes=20,
    exercises=(Exercise("Glute bridge", 3, reps=12), Exercise("Dead bug", 3, reps=8)),
    light=True,
)


def make_plan(
    start: date = TODAY + timedelta(days=1), notes: tuple[str, ...] = (), days: int = 7
) -> Plan:
    """Mon–Sun after TODAY: strength A Monday, a lighter B Wednesday (`days` > 7 repeats the week
    from `start`, so 8 days hold three sessions)."""
    kinds = [RunKind.EASY, RunKind.EASY, None, RunKind.HARD, RunKind.EASY, None, RunKind.LONG]
    reasons = [
        "strength A after your easy run (3 days before Thursday's intervals)",
        "easy run only: strength yesterday",
        "strength B, lighter: load is 38 % above your usual",
        "no strength: intervals day",
        "no strength: 2 days before your long run",
        "rest day",
        "no strength: long run day",
    ]
    plan_days = []
    for i in range(days):
        kind, reason = kinds[i % 7], reasons[i % 7]
        runs = (ExpectedRun(kind, done=False),) if kind else ()
        strength = ROUTINE_A if i % 7 == 0 else ROUTINE_B if i % 7 == 2 else None
        plan_days.append(DayPlan(start + timedelta(days=i), runs, strength, reason))
    return Plan(
        days=tuple(plan_days),
        notes=notes,
        strength_done_this_week=0,
        strength_target_this_week=2,
    )
