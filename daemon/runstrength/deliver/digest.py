"""The weekly digest: what was run and lifted, what comes next; as text, HTML and a message.

The digest is sent at the end of the week (Sunday evening by default), so "last week" is the 7
days ending on `today` (today included) and "the coming week" is the plan's days after `today`
(at most 7), led by today's session if one is planned.
The 8-week chart uses the same 7-day windows, so a digest sent on another weekday stays consistent.
Pure: no clock, no I/O; the caller passes `today` and the message's date.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from pathlib import Path

import jinja2

from runstrength.core.records import (
    ClassifiedActivity,
    DayPlan,
    ExpectedRun,
    Plan,
    RunKind,
    Sport,
    StrengthSession,
)
from runstrength.render import exercise_text

CHART_WEEKS = 8
CHART_WIDTH_PX = 240  # the widest bar: beside its labels it fits a phone-width mail column
TEXT_CHART_WIDTH = 30  # characters for the widest bar in the plain-text part
KIND_ORDER = (RunKind.EASY, RunKind.HARD, RunKind.LONG)
KIND_COLOURS = {RunKind.EASY: "#7cb342", RunKind.HARD: "#e53935", RunKind.LONG: "#1e88e5"}
KIND_TEXT_FILL = {RunKind.EASY: "=", RunKind.HARD: "#", RunKind.LONG: "~"}


@dataclass(frozen=True)
class RunLine:
    day: str  # "Tue 25 Nov"
    name: str
    kind: str  # "easy", "hard", "long" or "run" when unclassified
    distance: str
    duration: str
    reason: str


@dataclass(frozen=True)
class ClassLine:
    kind: str
    colour: str
    runs: int
    distance: str
    duration: str


@dataclass(frozen=True)
class Segment:
    kind: str
    colour: str
    km: float
    width_px: int
    text_fill: str


@dataclass(frozen=True)
class WeekBar:
    label: str  # first day of the 7-day window, "17 Nov"
    total: str  # "42 km"
    segments: tuple[Segment, ...]
    strength: int
    text_bar: str


@dataclass(frozen=True)
class SessionLine:
    title: str
    minutes: int
    light: bool
    after_run: bool
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class DayLine:
    day: str
    runs: str  # "long run", "easy run (done)", "rest"
    strength: SessionLine | None
    reason: str


@dataclass(frozen=True)
class DigestModel:
    iso_week: str  # "2025-W48": the outbox key of this digest
    period: str  # "24–30 Nov 2025"
    subject: str
    runs: tuple[RunLine, ...]
    classes: tuple[ClassLine, ...]
    total: ClassLine
    strength_done: int
    strength_planned: int
    notes: tuple[str, ...]
    coming: tuple[DayLine, ...]
    strength_coming: int
    chart: tuple[WeekBar, ...]
    colours: dict[str, str]


def build_digest(
    history: Sequence[ClassifiedActivity],
    plan: Plan,
    today: date,
    notes: Sequence[str] = (),
    strength_target: int | None = None,
) -> DigestModel:
    """Summarise the 7 days ending `today` and lay out the plan's coming days.

    :param strength_target: sessions the runner aims for each week; defaults to the plan's target.
    """
    start = today - timedelta(days=6)
    week = [a for a in history if start <= a.record.local_date <= today]
    runs = [a for a in week if a.record.sport is Sport.RUN]
    days = sorted(plan.days, key=lambda d: d.date)
    # Today's session is still ahead of the runner (the digest goes out in the evening at the
    # earliest), and the attached calendar has it: show it too.
    tonight = [d for d in days if d.date == today and d.strength is not None]
    coming = tonight + [d for d in days if d.date > today][:7]
    strength_coming = sum(1 for d in coming if d.strength is not None)
    year, week_no, _ = today.isocalendar()
    return DigestModel(
        iso_week=f"{year}-W{week_no:02d}",
        period=period_label(start, today),
        subject=_subject(len(runs), strength_coming),
        runs=tuple(_run_line(a) for a in sorted(runs, key=lambda a: a.record.start_time)),
        classes=tuple(_class_line(k, [a for a in runs if a.kind is k]) for k in KIND_ORDER),
        total=_class_line(None, runs),
        strength_done=_strength_days(week),
        strength_planned=(
            strength_target if strength_target is not None else plan.strength_target_this_week
        ),
        notes=tuple(plan.notes) + tuple(notes) + _light_notes(coming),
        coming=tuple(_day_line(d) for d in coming),
        strength_coming=strength_coming,
        chart=_chart(history, today),
        colours={k.value: c for k, c in KIND_COLOURS.items()},
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _subject(runs: int, strength: int) -> str:
    return f"Your week: {_plural(runs, 'run')}, {_plural(strength, 'strength session')} planned"


def period_label(start: date, end: date) -> str:
    if start.month == end.month:
        return f"{start.day}–{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def _km(metres: float) -> str:
    km = metres / 1000
    return f"{km:.1f} km" if km < 100 else f"{km:.0f} km"


def _duration(seconds: int) -> str:
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes} min"


def _run_line(a: ClassifiedActivity) -> RunLine:
    r = a.record
    return RunLine(
        day=_day(r.local_date),
        name=r.name,
        kind=a.kind.value if a.kind else "run",
        distance=_km(r.distance_m),
        duration=_duration(r.moving_time_s),
        reason=a.classification.reason,
    )


def _class_line(kind: RunKind | None, runs: Sequence[ClassifiedActivity]) -> ClassLine:
    return ClassLine(
        kind=kind.value if kind else "total",
        colour=KIND_COLOURS.get(kind, "#555555") if kind else "#555555",
        runs=len(runs),
        distance=_km(sum(a.record.distance_m for a in runs)),
        duration=_duration(sum(a.record.moving_time_s for a in runs)),
    )


def _strength_days(activities: Sequence[ClassifiedActivity]) -> int:
    # One session per day at most (coaching.md §6: logged strength counts, once a day).
    return len({a.record.local_date for a in activities if a.record.sport is Sport.STRENGTH})


def _light_notes(days: Sequence[DayPlan]) -> tuple[str, ...]:
    return tuple(
        f"{_day(d.date)}: the session is lighter ({d.reason})."
        for d in days
        if d.strength is not None and d.strength.light
    )


def _session_line(s: StrengthSession) -> SessionLine:
    return SessionLine(
        title=s.title,
        minutes=s.minutes,
        light=s.light,
        after_run=s.after_run,
        exercises=tuple(exercise_text(e) for e in s.exercises),
    )


def _run_text(run: ExpectedRun) -> str:
    kind = f"{run.kind.value} run" if run.kind else "run"
    return f"{kind} (done)" if run.done else kind


def _day_line(d: DayPlan) -> DayLine:
    return DayLine(
        day=_day(d.date),
        runs=", ".join(_run_text(r) for r in d.runs) or "no run",
        strength=_session_line(d.strength) if d.strength else None,
        reason=d.reason,
    )


def _chart(history: Sequence[ClassifiedActivity], today: date) -> tuple[WeekBar, ...]:
    windows = []
    for back in range(CHART_WEEKS - 1, -1, -1):
        end = today - timedelta(days=7 * back)
        start = end - timedelta(days=6)
        inside = [a for a in history if start <= a.record.local_date <= end]
        km = {
            k: sum(
                a.record.distance_m for a in inside if a.kind is k and a.record.sport is Sport.RUN
            )
            / 1000
            for k in KIND_ORDER
        }
        windows.append((start, km, _strength_days(inside)))
    widest = max((sum(km.values()) for _, km, _ in windows), default=0.0) or 1.0
    return tuple(_bar(start, km, strength, widest) for start, km, strength in windows)


def _bar(start: date, km: dict[RunKind, float], strength: int, widest: float) -> WeekBar:
    segments = tuple(
        Segment(
            kind=k.value,
            colour=KIND_COLOURS[k],
            km=km[k],
            width_px=max(1, round(km[k] / widest * CHART_WIDTH_PX)),
            text_fill=KIND_TEXT_FILL[k] * round(km[k] / widest * TEXT_CHART_WIDTH),
        )
        for k in KIND_ORDER
        if km[k] > 0
    )
    return WeekBar(
        label=f"{start.day} {start:%b}",
        total=f"{sum(km.values()):.0f} km",
        segments=segments,
        strength=strength,
        text_bar="".join(s.text_fill for s in segments),
    )


@cache
def _templates() -> jinja2.Environment:
    folder = Path(__file__).parent / "templates"
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_text(model: DigestModel) -> str:
    """Render the plain-text part."""
    return _templates().get_template("digest.txt").render(d=model, width=TEXT_CHART_WIDTH)


def render_html(model: DigestModel) -> str:
    """Render the HTML part: tables and inline styles only, no external assets."""
    return _templates().get_template("digest.html").render(d=model, chart_width=CHART_WIDTH_PX)


def build_message(
    model: DigestModel,
    sender: str,
    recipients: Sequence[str],
    ics: bytes | None,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """Assemble text + HTML alternatives and the week's .ics into one message.

    :param sent_at: the Date header (aware); omitted when None, and the server adds one.
    """
    msg = EmailMessage()
    msg["Subject"] = model.subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    if sent_at is not None:
        msg["Date"] = format_datetime(sent_at)
    domain = sender.rpartition("@")[2].strip("> ") or "runstrength.invalid"
    # Random, not from the clock or this host's FQDN (make_msgid's lookup); short enough that the
    # header is never folded. A retry resends the stored bytes, so the ID stays the same.
    msg["Message-ID"] = f"<digest.{model.iso_week}.{uuid.uuid4().hex[:20]}@{domain}>"
    # Quoted-printable keeps the message 7-bit clean for servers without 8BITMIME.
    msg.set_content(render_text(model), cte="quoted-printable")
    msg.add_alternative(render_html(model), subtype="html", cte="quoted-printable")
    if ics is not None:
        msg.make_mixed()
        msg.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename=f"runstrength-{model.iso_week}.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},  # RFC 6047: as the calendar's METHOD
        )
    return msg
