"""A fake Strava on loopback: OAuth, activities, rate limits and faults as strava-api.md §8 says.

`runstrength demo`, the tests and the benchmark point the real Strava adapter at it:

    with FakeStrava.from_history(generate_history()) as fake:
        code = fake.issue_code()   # or GET /oauth/authorize, which redirects with a code
        ...                        # STRAVA_BASE_URL=fake.base_url

Run it alone with `python -m runstrength.sample.fake_strava --port 0`; it prints its base URL.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, cast
from urllib.parse import parse_qsl, urlencode, urlsplit

from runstrength.sample.history import SampleActivity, generate_bulk, generate_history
from runstrength.sample.payloads import splits_metric

TOKEN_LIFETIME_S = 21_600  # "Access tokens expire six hours after they are created"
REISSUE_WITHIN_S = 3_600  # a refresh returns the same access token while more than 1 h is left
QUARTER_S, DAY_S = 900, 86_400  # rate windows: UTC quarter hours and UTC days
KNOWN_SCOPES = frozenset(
    {"read", "read_all", "profile:read_all", "profile:write", "activity:read"}
    | {"activity:read_all", "activity:write"}
)
DEFAULT_ATHLETE: dict[str, Any] = {
    "id": 424242,
    "username": "ana_runs",
    "resource_state": 2,
    "firstname": "Ana",
    "lastname": "R",
    "city": "Berlin",
    "state": "Berlin",
    "country": "Germany",
    "sex": "F",
    "premium": True,
    "summit": True,
    "created_at": "2019-03-01T10:11:12Z",
    "updated_at": "2026-11-20T08:00:00Z",
    "badge_type_id": 1,
    "profile_medium": "https://dgalywyr863hv.cloudfront.net/pictures/athletes/424242/medium.jpg",
    "profile": "https://dgalywyr863hv.cloudfront.net/pictures/athletes/424242/large.jpg",
    "friend": None,
    "follower": None,
}
OUTAGE_PAGE = (
    "<html><head><title>{status} Service Unavailable</title></head><body><center>"
    "<h1>{status} Service Unavailable</h1></center><hr><center>nginx</center></body></html>"
)


@dataclass(frozen=True)
class Call:
    """One request the fake received, as the test would want to assert on it."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    status: int
    bearer: str | None  # the access token from the Authorization header, if any


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] | None = None


@dataclass
class _AccessToken:
    scope: frozenset[str]
    expires_at: int


def _json(status: int, body: Any) -> _Response:
    return _Response(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def _fault(status: int, message: str, resource: str, field: str, code: str) -> _Response:
    """Strava's error body: a message and one {resource, field, code} triple (§4)."""
    errors = [{"resource": resource, "field": field, "code": code}]
    return _json(status, {"message": message, "errors": errors})


def _scopes(text: str | None) -> list[str]:
    return [s for s in (text or "").replace(" ", "").split(",") if s]


class Hold:
    """API calls whose path ends with `suffix` (or matches the regular expression `pattern`) wait
    here, once received, until release(): a test sees how many a client has in flight at once
    without timing anything."""

    def __init__(self, suffix: str, pattern: str | None = None) -> None:
        self.suffix = suffix
        self.pattern = pattern
        self.waiting = 0
        self.most_at_once = 0
        self._open = False
        self._changed = threading.Condition()

    def until_waiting(self, n: int, timeout_s: float = 10.0) -> bool:
        """True as soon as `n` calls wait at once; False if that never happens within the time."""
        with self._changed:
            return self._changed.wait_for(lambda: self.waiting >= n, timeout_s)

    def matches(self, path: str) -> bool:
        if self.pattern is not None:
            return re.fullmatch(self.pattern, path) is not None
        return path.endswith(self.suffix)

    def release(self) -> None:
        with self._changed:
            self._open = True
            self._changed.notify_all()

    def _wait(self, timeout_s: float = 30.0) -> None:
        with self._changed:
            self.waiting += 1
            self.most_at_once = max(self.most_at_once, self.waiting)
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._open, timeout_s)
            self.waiting -= 1


class FakeStrava:
    """A threaded HTTP server that answers like Strava; every control is safe to call mid-test."""

    def __init__(
        self,
        activities: list[dict[str, Any]] | None = None,
        client_id: int = 12345,
        client_secret: str = "fake-secret",
        athlete: dict[str, Any] | None = None,
        latency_s: float = 0.0,
        read_limits: tuple[int, int] = (100, 1000),
        overall_limits: tuple[int, int] = (200, 2000),
        rotate_refresh_tokens: bool = True,
        refresh_expires_in: bool = True,
        laps: dict[int, list[dict[str, Any]]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.athlete = dict(athlete or DEFAULT_ATHLETE)
        self.latency_s = latency_s
        self.limits = {"read": read_limits, "overall": overall_limits}
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.refresh_expires_in = refresh_expires_in  # False: refreshes answer without expires_in
        self.approve = True  # False: the user clicks "Cancel" on the consent screen
        self.grant_scope: str | None = None  # e.g. "read,activity:read": the user unticked boxes
        self.callback_domain = "localhost"  # the app's "Authorization Callback Domain"
        self._address = (host, port)
        self._lock = threading.RLock()
        self._activities: dict[int, dict[str, Any]] = {}
        self._starts: dict[int, int] = {}  # id -> start epoch, so listing 5,000 stays cheap
        self._laps: dict[int, list[dict[str, Any]]] = dict(laps or {})
        self._descriptions: dict[int, str | None] = {}
        self._devices: dict[int, str | None] = {}  # device_name: in details only
        self._exertion: dict[int, int] = {}  # the owner's perceived exertion (detail only)
        self._codes: dict[str, frozenset[str]] = {}
        self._access: dict[str, _AccessToken] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> the access token it last gave out
        self._usage = {"read": [0, 0], "overall": [0, 0]}  # [15 min, daily]
        self._windows = (0, 0)
        self._faults: list[tuple[int, bool]] = []
        self._empty_lists = 0  # list calls answered [] (a glitch: the activities still exist)
        self._trickles = 0  # API answers sent a byte a second after their headers
        self._stopping = threading.Event()
        self._inactive = False
        self._clock_offset_s = 0.0
        self._calls: list[Call] = []
        self._holds: list[Hold] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        for payload in activities or []:
            self.add_activity(payload)

    @classmethod
    def from_history(cls, samples: list[SampleActivity], **kwargs: Any) -> Self:
        """A fake holding generated samples, with their laps, descriptions and devices."""
        fake = cls(laps={s.payload["id"]: s.laps for s in samples}, **kwargs)
        for sample in samples:
            fake.add_activity(sample.payload, description=sample.description, device=sample.device)
        return fake

    # --- lifecycle ---

    def start(self) -> str:
        self._stopping.clear()
        server = _Server(self._address, _Handler)
        server.fake = self
        self._server = server
        # A short poll interval keeps stop() quick: shutdown() waits for the next poll.
        serve = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread = serve
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self._stopping.set()  # a trickling answer ends
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeStrava is not running: call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- controls for tests ---

    def issue_code(self, scope: str = "read,activity:read_all") -> str:
        """An authorization code, as if the user had approved `scope` in the browser."""
        with self._lock:
            code = secrets.token_hex(20)
            self._codes[code] = frozenset(_scopes(scope))
            return code

    def expire_access_tokens(self) -> None:
        """Make every access token expired: the API answers 401 and a refresh issues a new one."""
        with self._lock:
            for token in self._access.values():
                token.expires_at = min(token.expires_at, int(self._now()) - 1)

    def revoke_all(self) -> None:
        """Forget every code and token, as deauthorization does."""
        with self._lock:
            self._codes.clear()
            self._access.clear()
            self._refresh.clear()

    def advance_clock(self, seconds: float) -> None:
        """Move the fake's clock (token expiry and rate windows) forward."""
        with self._lock:
            self._clock_offset_s += seconds

    def set_usage(
        self,
        read_short: int | None = None,
        read_long: int | None = None,
        overall_short: int | None = None,
        overall_long: int | None = None,
    ) -> None:
        """Preset rate-limit usage in the current windows (the next call adds one)."""
        with self._lock:
            self._roll_windows()
            for kind, index, value in (
                ("read", 0, read_short),
                ("read", 1, read_long),
                ("overall", 0, overall_short),
                ("overall", 1, overall_long),
            ):
                if value is not None:
                    self._usage[kind][index] = value

    def usage(self) -> dict[str, tuple[int, int]]:
        with self._lock:
            self._roll_windows()
            return {kind: (short, long) for kind, (short, long) in self._usage.items()}

    def fail_next(self, n: int, status: int = 503, html: bool = True) -> None:
        """Answer the next `n` API calls (not OAuth) with `status`, an HTML page or a JSON error."""
        with self._lock:
            self._faults.extend([(status, html)] * n)

    def trickle_next(self, n: int) -> None:
        """Send the next n API answers' headers at once, then their body one byte a second."""
        with self._lock:
            self._trickles = n

    def _trickle(self, target: str) -> bool:
        with self._lock:
            if self._trickles and _is_api(urlsplit(target).path):
                self._trickles -= 1
                return True
            return False

    def list_empty_next(self, n: int) -> None:
        """Answer the next n activity lists with [] though the activities still exist."""
        with self._lock:
            self._empty_lists = n

    def hold(self, suffix: str = "", pattern: str | None = None) -> Hold:
        """Keep API calls to paths ending with `suffix` (or matching `pattern`, a regular
        expression over the whole path) waiting until the Hold is released."""
        held = Hold(suffix, pattern)
        with self._lock:
            self._holds.append(held)
        return held

    def _held(self, target: str) -> Hold | None:
        path = urlsplit(target).path.rstrip("/")
        with self._lock:
            return next((h for h in self._holds if _is_api(path) and h.matches(path)), None)

    def set_inactive(self, inactive: bool = True) -> None:
        """Every API call gets 403 Application/Status/Inactive; token refreshes still work."""
        with self._lock:
            self._inactive = inactive

    def add_activity(
        self,
        payload: dict[str, Any],
        laps: list[dict[str, Any]] | None = None,
        description: str | None = None,
        device: str | None = None,
        perceived_exertion: int | None = None,
    ) -> None:
        """`perceived_exertion` (1-10) shows in the detail only, as Strava's does."""
        with self._lock:
            ident = int(payload["id"])
            if perceived_exertion is not None:
                self._exertion[ident] = perceived_exertion
            self._activities[ident] = dict(payload)
            self._starts[ident] = _start_epoch(payload)
            self._descriptions[ident] = description
            self._devices[ident] = device
            if laps is not None:
                self._laps[ident] = laps

    def update_activity(self, activity_id: int, **fields: Any) -> dict[str, Any]:
        with self._lock:
            self._activities[activity_id].update(fields)
            self._starts[activity_id] = _start_epoch(self._activities[activity_id])
            return dict(self._activities[activity_id])

    def delete_activity(self, activity_id: int) -> None:
        with self._lock:
            self._activities.pop(activity_id)
            self._starts.pop(activity_id)
            self._laps.pop(activity_id, None)

    @property
    def activities(self) -> list[dict[str, Any]]:
        """Every stored activity, oldest first."""
        with self._lock:
            return sorted((dict(a) for a in self._activities.values()), key=_start_epoch)

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    @property
    def api_calls(self) -> int:
        """How many /api/v3 calls (OAuth excluded) were made: what the rate limit counts."""
        with self._lock:
            return sum(1 for c in self._calls if _is_api(c.path))

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    # --- request handling ---

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> _Response:
        """Answer one request; `headers` has lower-case names."""
        url = urlsplit(target)
        path = url.path.rstrip("/") or "/"
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        form = _parse_body(headers.get("content-type", ""), body)
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        with self._lock:
            response = self._route(method, path, query, form, bearer)
            self._calls.append(Call(method, path, query, form, response.status, bearer))
        return response

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        form: dict[str, str],
        bearer: str | None,
    ) -> _Response:
        params = {**query, **form}  # stravalib <= 2.5 sent token fields in the query string
        if path == "/oauth/authorize" and method == "GET":
            return self._authorize(query)
        if path in ("/oauth/token", "/api/v3/oauth/token") and method == "POST":
            return self._token(params)
        if path in ("/oauth/deauthorize", "/api/v3/oauth/deauthorize") and method == "POST":
            return self._deauthorize(bearer or params.get("access_token"))
        if _is_api(path):
            return self._api(method, path, query, bearer or query.get("access_token"))
        return _fault(404, "Record Not Found", "resource", "path", "invalid")

    def _now(self) -> float:
        return time.time() + self._clock_offset_s

    # --- OAuth ---

    def _authorize(self, query: dict[str, str]) -> _Response:
        redirect = query.get("redirect_uri", "")
        host = urlsplit(redirect).hostname or ""
        requested = _scopes(query.get("scope"))
        if query.get("client_id") != str(self.client_id):
            return _fault(400, "Bad Request", "Application", "client_id", "invalid")
        if host not in ("localhost", "127.0.0.1") and not (
            host == self.callback_domain or host.endswith("." + self.callback_domain)
        ):
            return _fault(400, "Bad Request", "Application", "redirect_uri", "invalid")
        if query.get("response_type") != "code":
            return _fault(400, "Bad Request", "Application", "response_type", "invalid")
        if not requested or not set(requested) <= KNOWN_SCOPES:
            return _fault(400, "Bad Request", "Application", "scope", "invalid")
        answer = {"state": query.get("state", "")}
        if not self.approve:
            answer["error"] = "access_denied"
        else:
            allowed = requested if self.grant_scope is None else _scopes(self.grant_scope)
            granted = [s for s in requested if s in allowed]
            answer["code"] = self.issue_code(",".join(granted))
            answer["scope"] = ",".join(granted)
        location = redirect + ("&" if "?" in redirect else "?") + urlencode(answer)
        return _Response(302, b"", {"Location": location})

    def _token(self, params: dict[str, str]) -> _Response:
        if params.get("client_id") != str(self.client_id) or (
            params.get("client_secret") != self.client_secret
        ):
            return _fault(400, "Bad Request", "Application", "client_id", "invalid")
        grant_type = params.get("grant_type") or ("authorization_code" if "code" in params else "")
        if grant_type == "authorization_code":
            scope = self._codes.pop(params.get("code", ""), None)  # a code works once
            if scope is None:
                return _fault(400, "Bad Request", "RequestToken", "code", "invalid")
            refresh = secrets.token_hex(20)
            self._refresh[refresh] = self._new_access_token(scope)
            return _json(200, {**self._token_body(refresh), "athlete": self.athlete})
        if grant_type == "refresh_token":
            return self._refresh_grant(params.get("refresh_token", ""))
        return _fault(400, "Bad Request", "RequestToken", "grant_type", "invalid")

    def _refresh_grant(self, old_refresh: str) -> _Response:
        access = self._refresh.get(old_refresh)
        if access is None:
            return _fault(400, "Bad Request", "RefreshToken", "refresh_token", "invalid")
        current = self._access[access]
        if current.expires_at - self._now() <= REISSUE_WITHIN_S:
            access = self._new_access_token(current.scope)  # the old one lives until it expires
        refresh = old_refresh
        if self.rotate_refresh_tokens:
            del self._refresh[old_refresh]  # "the older refresh token is invalidated immediately"
            refresh = secrets.token_hex(20)
        self._refresh[refresh] = access
        body = self._token_body(refresh)
        if not self.refresh_expires_in:
            del body["expires_in"]  # seen in recorded refresh answers: only expires_at
        return _json(200, body)

    def _new_access_token(self, scope: frozenset[str]) -> str:
        token = secrets.token_hex(20)
        self._access[token] = _AccessToken(scope, int(self._now()) + TOKEN_LIFETIME_S)
        return token

    def _token_body(self, refresh: str) -> dict[str, Any]:
        access = self._refresh[refresh]
        expires_at = self._access[access].expires_at
        return {
            "token_type": "Bearer",
            "expires_at": expires_at,
            "expires_in": max(expires_at - int(self._now()), 0),
            "refresh_token": refresh,
            "access_token": access,
        }

    def _deauthorize(self, token: str | None) -> _Response:
        if self._valid_token(token) is None:
            return _fault(401, "Authorization Error", "Athlete", "access_token", "invalid")
        self.revoke_all()
        return _json(200, {"access_token": token})

    def _valid_token(self, token: str | None) -> _AccessToken | None:
        found = self._access.get(token or "")
        return found if found is not None and found.expires_at > self._now() else None

    # --- API ---

    def _api(self, method: str, path: str, query: dict[str, str], token: str | None) -> _Response:
        if self._faults:
            status, html = self._faults.pop(0)
            if html:
                page = OUTAGE_PAGE.format(status=status).encode()
                return _Response(status, page, {"Content-Type": "text/html"})
            return _json(status, {"message": "error"})
        over = self._count(method)
        if over:
            # Recorded 2025 answers name no limit ("rate limit"); the headers say which it was.
            response = _fault(429, "Rate Limit Exceeded", "Application", "rate limit", "exceeded")
        else:
            response = self._api_answer(method, path, query, token)
        response.headers = {**(response.headers or {}), **self._rate_headers()}
        return response

    def _api_answer(
        self, method: str, path: str, query: dict[str, str], token: str | None
    ) -> _Response:
        if self._inactive:
            return _fault(403, "Forbidden", "Application", "Status", "Inactive")
        grant = self._valid_token(token)
        if grant is None:
            return _fault(401, "Authorization Error", "Athlete", "access_token", "invalid")
        if method == "GET" and path == "/api/v3/athlete":
            return _json(200, self._detailed_athlete())
        if not grant.scope & {"activity:read", "activity:read_all"}:
            return _fault(
                401, "Authorization Error", "AccessToken", "activity:read_permission", "missing"
            )
        read_all = "activity:read_all" in grant.scope
        if method == "GET" and path == "/api/v3/athlete/activities":
            if self._empty_lists:
                self._empty_lists -= 1
                return _json(200, [])
            return self._list(query, read_all)
        match = re.fullmatch(r"/api/v3/activities/(\d+)(/laps)?", path)
        activity = self._activities.get(int(match[1])) if match else None
        if method != "GET" or activity is None or (not read_all and _only_me(activity)):
            return _Response(404)  # recorded: an activity that is not there, an empty body
        if match and match[2]:
            return _json(200, self._laps_of(activity))
        return _json(200, self._detail(activity))

    def _list(self, query: dict[str, str], read_all: bool) -> _Response:
        try:
            before, after = _int_param(query, "before"), _int_param(query, "after")
            page = max(_int_param(query, "page") or 1, 1)
            per_page = min(max(_int_param(query, "per_page") or 30, 1), 200)
        except ValueError as error:
            return _fault(400, "Bad Request", "Application", str(error), "invalid")
        starts = self._starts
        chosen = [
            a
            for ident, a in self._activities.items()
            if (read_all or not _only_me(a))
            and (before is None or starts[ident] < before)
            and (after is None or starts[ident] > after)
        ]
        # Newest first, but oldest first when `after` is given (§2.1).
        chosen.sort(key=lambda a: (starts[a["id"]], a["id"]), reverse=after is None)
        return _json(200, chosen[(page - 1) * per_page : page * per_page])

    def _laps_of(self, activity: dict[str, Any]) -> list[dict[str, Any]]:
        """Stored laps, or the one whole-activity lap Strava makes when the device saved none."""
        laps = self._laps.get(activity["id"])
        if laps is not None or activity.get("manual"):
            return laps or []
        speed = activity["average_speed"]
        keys = ("elapsed_time", "moving_time", "start_date", "start_date_local", "distance")
        return [
            {
                "id": activity["id"] * 10,
                "resource_state": 2,
                "name": "Lap 1",
                "activity": {"id": activity["id"], "resource_state": 1},
                "athlete": activity["athlete"],
                **{key: activity[key] for key in keys},
                "start_index": 0,
                "end_index": activity["elapsed_time"],
                "total_elevation_gain": activity["total_elevation_gain"],
                "average_speed": speed,
                "max_speed": activity["max_speed"],
                "lap_index": 1,
                "split": 1,
            }
        ]

    def _detail(self, activity: dict[str, Any]) -> dict[str, Any]:
        """DetailedActivity: the summary plus what only the detail carries (§2.3). A manual
        entry has no laps, splits, best efforts or gear keys at all."""
        ident = activity["id"]
        kg = self.athlete.get("weight") or 70.0
        km, minutes = activity["distance"] / 1000, activity["moving_time"] / 60
        is_run = activity["sport_type"] in ("Run", "TrailRun", "VirtualRun")
        detail = {
            **activity,
            "resource_state": 3,
            "description": self._descriptions.get(ident),
            "calories": round(km * kg * 1.0 if is_run and km else minutes * 6.0, 1),
            "embed_token": f"{ident:x}",
            "segment_efforts": [],
            "photos": {"primary": None, "count": 0},
            "hide_from_home": False,
            "perceived_exertion": None,
            "prefer_perceived_exertion": False,
        }
        if self._devices.get(ident):
            detail["device_name"] = self._devices[ident]
        if activity.get("manual"):
            return detail
        laps = self._laps_of(activity)
        gear_id = activity.get("gear_id")
        detail |= {
            "gear": {"id": gear_id, "primary": True, "name": "Shoes", "resource_state": 2}
            if gear_id
            else None,
            "laps": laps,
            "splits_metric": splits_metric(laps) if is_run else [],
            "splits_standard": [],
            "best_efforts": [],
            "segment_efforts": [],
            "photos": {"primary": None, "count": 0},
            "hide_from_home": False,
            "perceived_exertion": self._exertion.get(activity["id"]),
            "prefer_perceived_exertion": False,
        }
        return detail

    def _detailed_athlete(self) -> dict[str, Any]:
        return {
            **self.athlete,
            "resource_state": 3,
            "follower_count": 42,
            "friend_count": 37,
            "measurement_preference": "meters",
            "ftp": None,
            "clubs": [],
            "bikes": [],
            "shoes": [],
        }

    # --- rate limits ---

    def _roll_windows(self) -> None:
        now = self._now()
        windows = (int(now // QUARTER_S), int(now // DAY_S))
        for index in (0, 1):
            if windows[index] != self._windows[index]:
                for counts in self._usage.values():
                    counts[index] = 0
        self._windows = windows

    def _count(self, method: str) -> str | None:
        """Count one call (over-limit calls count too); name the limit it broke, if any."""
        self._roll_windows()
        kinds = ("read", "overall") if method == "GET" else ("overall",)
        for kind in kinds:
            self._usage[kind][0] += 1
            self._usage[kind][1] += 1
        for kind in kinds:
            short, long = self._usage[kind]
            if short > self.limits[kind][0] or long > self.limits[kind][1]:
                return f"{kind} rate limit"
        return None

    def _rate_headers(self) -> dict[str, str]:
        def pair(values: tuple[int, int] | list[int]) -> str:
            return f"{values[0]},{values[1]}"

        return {
            "X-RateLimit-Limit": pair(self.limits["overall"]),
            "X-RateLimit-Usage": pair(self._usage["overall"]),
            "X-ReadRateLimit-Limit": pair(self.limits["read"]),
            "X-ReadRateLimit-Usage": pair(self._usage["read"]),
        }


def _is_api(path: str) -> bool:
    return path.startswith("/api/v3/") and "/oauth/" not in path


def _only_me(activity: dict[str, Any]) -> bool:
    return activity.get("visibility") == "only_me" or bool(activity.get("private"))


def _start_epoch(activity: dict[str, Any]) -> int:
    return int(datetime.fromisoformat(activity["start_date"]).timestamp())


def _int_param(query: dict[str, str], name: str) -> int | None:
    if query.get(name) in (None, ""):
        return None
    try:
        return int(float(query[name]))
    except ValueError:
        raise ValueError(name) from None


def _parse_body(content_type: str, body: bytes) -> dict[str, str]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        data = json.loads(body)
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a client's idle keep-alive connection must not block stop()
    fake: FakeStrava


class _Handler(BaseHTTPRequestHandler):
    """HTTP plumbing only: hands each request to FakeStrava.handle."""

    protocol_version = "HTTP/1.1"  # keep-alive, as requests and httpx expect
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms ACK stall
    timeout = 30

    def _serve(self) -> None:
        fake = cast(_Server, self.server).fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if fake.latency_s:
            time.sleep(fake.latency_s)
        held = fake._held(self.path)
        if held is not None:
            held._wait()
        headers = {name.lower(): value for name, value in self.headers.items()}
        trickle = fake._trickle(self.path)
        response = fake.handle(self.command, self.path, headers, body)
        self.send_response(response.status)
        for name, value in (response.headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if trickle:  # the body a byte a second, until the client hangs up or the fake stops
            self.wfile.flush()
            for i in range(len(response.body)):
                if fake._stopping.wait(1.0):
                    return
                self.wfile.write(response.body[i : i + 1])
                self.wfile.flush()
            return
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: request lines would clutter test and demo output."""


def main(argv: list[str] | None = None) -> int:
    """Serve sample data until SIGTERM or SIGINT, after printing the base URL on one line."""
    parser = argparse.ArgumentParser(prog="python -m runstrength.sample.fake_strava")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--easy-pace", type=float, default=305, help="seconds per km")
    parser.add_argument("--bulk", type=int, default=None, help="serve N cheap activities instead")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--client-id", type=int, default=12345)
    parser.add_argument("--client-secret", default="fake-secret")
    args = parser.parse_args(argv)
    end = datetime.now(UTC)
    options: dict[str, Any] = {
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "latency_s": args.latency_ms / 1000,
        "host": args.host,
        "port": args.port,
    }
    if args.bulk:
        fake = FakeStrava(generate_bulk(args.bulk, args.seed, end), **options)
    else:
        samples = generate_history(args.weeks, args.seed, args.easy_pace, end)
        fake = FakeStrava.from_history(samples, **options)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    with fake:
        print(fake.base_url, flush=True)
        while not stopping.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
