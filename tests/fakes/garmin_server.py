"""A fake Garmin on loopback: the Personal API (key -> JWT, activity search, FIT download) and the
few connectapi paths garminconnect needs (profile, activity list, workouts and schedules).

Shapes follow shared/docs/garmin.md; state is plain dicts the tests read and change.
"""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes.loopback import Loopback

TOKEN_PATH = "/personalapitoken-service/personal-api/personal-api-key/token"
SEARCH_PATH = "/activitylist-service/activities/search/activities"


def make_jwt(exp: float, sub: str = "runner") -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': exp, 'sub': sub})}.sig"


def garmin_summary(
    activity_id: int,
    start_gmt: str,
    *,
    utc_offset_h: int = 1,
    type_key: str = "running",
    parent: int = 1,
    distance: float = 10000.0,
    duration: float = 3000.0,
    **extra: Any,
) -> dict[str, Any]:
    """A list-endpoint summary shaped like the real one in garmin.md."""
    start = datetime.fromisoformat(start_gmt)
    local = start.replace(hour=(start.hour + utc_offset_h) % 24)
    summary: dict[str, Any] = {
        "activityId": activity_id,
        "activityName": "Berlin Running",
        "startTimeLocal": local.strftime("%Y-%m-%d %H:%M:%S"),
        "startTimeGMT": start.strftime("%Y-%m-%d %H:%M:%S"),
        "activityType": {"typeId": 1, "typeKey": type_key, "parentTypeId": parent},
        "eventType": {"typeId": 9, "typeKey": "uncategorized", "sortOrder": 10},
        "distance": distance,
        "duration": duration,
        "elapsedDuration": duration + 12.5,
        "movingDuration": duration - 10,
        "elevationGain": 51.0,
        "averageSpeed": distance / duration if duration else 0.0,
        "avgGradeAdjustedSpeed": distance / duration * 1.02 if duration else 0.0,
        "averageHR": 142.0,
        "maxHR": 162.0,
        "aerobicTrainingEffect": 2.7,
        "anaerobicTrainingEffect": 0.0,
        "trainingEffectLabel": "AEROBIC_BASE",
        "manufacturer": "GARMIN",
        "lapCount": 2,
        "manualActivity": False,
    }
    summary.update(extra)
    return summary


@dataclass
class FakeGarmin(Loopback):
    api_keys: set[str] = field(default_factory=lambda: {"test-key-123"})
    activities: list[dict[str, Any]] = field(default_factory=list)
    fit_files: dict[str, bytes] = field(default_factory=dict)  # activityId -> FIT bytes
    token_lifetime_s: float = 24 * 3600
    # (status, headers) answered to the next requests, then normal service resumes
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    issued: set[str] = field(default_factory=set)
    # garminconnect side
    di_tokens: set[str] = field(default_factory=set)
    workouts: dict[int, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[int, dict[str, Any]] = field(default_factory=dict)
    _next_id: int = 1000

    def start(self) -> FakeGarmin:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PUT(self) -> None:
                fake._handle(self, "PUT")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

        self.serve(Handler)
        return self

    def calls(self, path: str, method: str = "GET") -> int:
        return sum(1 for m, p, _ in self.requests if m == method and p == path)

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # --- dispatch ---------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(h.path)
        query = parse_qs(url.query)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        self.requests.append((method, url.path, query))
        if self.failures:
            status, headers = self.failures.pop(0)
            return self._send(h, status, {"message": "fake failure"}, headers)
        if method == "POST" and url.path == TOKEN_PATH:
            return self._token(h)
        auth = h.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.issued | self.di_tokens:
            return self._send(h, 401, {"message": "Unauthorized"})
        if method == "GET" and url.path == SEARCH_PATH:
            return self._search(h, query)
        if method == "GET" and url.path.startswith("/download-service/files/activity/"):
            return self._download(h, url.path.rsplit("/", 1)[1])
        return self._connect_api(h, method, url.path, body)

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict | None = None
    ) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        ctype = "application/zip" if isinstance(payload, bytes) else "application/json"
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _token(self, h: BaseHTTPRequestHandler) -> None:
        auth = h.headers.get("Authorization", "")
        if not auth.startswith("ApiKey ") or auth[7:] not in self.api_keys:
            return self._send(h, 401, {"message": "API key expired or revoked"})
        token = make_jwt(time.time() + self.token_lifetime_s, sub=str(len(self.issued)))
        self.issued.add(token)
        data = token.encode()
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _search(self, h: BaseHTTPRequestHandler, q: dict[str, list[str]]) -> None:
        start, limit = int(q.get("start", ["0"])[0]), int(q.get("limit", ["20"])[0])
        found = sorted(self.activities, key=lambda a: a["startTimeLocal"], reverse=True)
        if "startDate" in q:
            found = [a for a in found if a["startTimeLocal"][:10] >= q["startDate"][0]]
        if "endDate" in q:
            found = [a for a in found if a["startTimeLocal"][:10] <= q["endDate"][0]]
        if "activityType" in q:
            found = [a for a in found if a["activityType"]["typeKey"] == q["activityType"][0]]
        self._send(h, 200, found[start : start + limit])

    def _download(self, h: BaseHTTPRequestHandler, activity_id: str) -> None:
        if activity_id not in self.fit_files:
            return self._send(h, 404, {"message": "not found"})
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(f"{activity_id}_ACTIVITY.fit", self.fit_files[activity_id])
        self._send(h, 200, buf.getvalue())

    # --- connectapi (garminconnect) -------------------------------------------------------------
    def _connect_api(self, h: BaseHTTPRequestHandler, method: str, path: str, body: bytes) -> None:
        if path == "/userprofile-service/socialProfile":
            return self._send(h, 200, {"displayName": "runner", "fullName": "R", "profileId": 1})
        if path == "/userprofile-service/userprofile/user-settings":
            return self._send(h, 200, {"userData": {"measurementSystem": "metric"}})
        if method == "POST" and path == "/workout-service/workout":
            workout = json.loads(body)
            workout["workoutId"] = self.new_id()
            self.workouts[workout["workoutId"]] = workout
            return self._send(h, 200, workout)
        if path.startswith("/workout-service/workout/") and method == "DELETE":
            self.workouts.pop(int(path.rsplit("/", 1)[1]), None)
            return self._send(h, 204, b"")
        if method == "POST" and path.startswith("/workout-service/schedule/"):
            wid = int(path.rsplit("/", 1)[1])
            if wid not in self.workouts:
                return self._send(h, 404, {"message": "no such workout"})
            sid = self.new_id()
            self.schedules[sid] = {"workoutScheduleId": sid, "workoutId": wid,
                                   "date": json.loads(body)["date"]}  # fmt: skip
            return self._send(h, 200, self.schedules[sid])
        if method == "DELETE" and path.startswith("/workout-service/schedule/"):
            self.schedules.pop(int(path.rsplit("/", 1)[1]), None)
            return self._send(h, 204, b"")
        self._send(h, 404, {"message": f"fake has no {method} {path}"})
