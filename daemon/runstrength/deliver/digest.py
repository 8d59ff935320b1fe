"""The weekly digest: the coming week's sessions first, then what was run and lifted; as text,
HTML and a message.

Weeks are the athlete's weeks, Monday to Sunday, as the planner counts them. "Last week" is the
last whole week by the end of `today` (the digest day: with the default Sunday digest, the week
ending today). The coming days are the week after it from `today` on: all of next week for a
Sunday digest, the rest of this week for a digest on another day, never more than one week, so
the sessions shown are one week's dose. The 8-week chart uses the same Monday weeks. Every day is
written one way (`render.day_label`), and reasons have no brackets inside brackets.

The digest's week (`iso_week`: the subject's, the attachment's, the once-a-week key's) is the ISO
week of the coming days, the week whose sessions the message and its .ics hold.
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

from runstrength.core.consistency import run_text
from runstrength.core.records import (
    ClassifiedActivity,
    DayPlan,
    ExpectedRun,
    OtherTraining,
    Plan,
    RunKind,
    Sport,
    StrengthSession,
)
from runstrength.render import clean, day_label, exercise_text, reason_text, training_word

CHART_WEEKS = 8
CHART_WIDTH_PX = 240  # the widest bar: beside its labels it fits a phone-width mail column
TEXT_CHART_WIDTH = 30  # characters for the widest bar in the plain-text part
KIND_ORDER = (RunKind.EASY, RunKind.HARD, RunKind.LONG)
KIND_COLOURS = {RunKind.EASY: "#7cb342", RunKind.HARD: "#e53935", RunKind.LONG: "#1e88e5"}
KIND_TEXT_FILL = {RunKind.EASY: "=", RunKind.HARD: "#", RunKind.LONG: "~"}
SUNDAY = 6


@dataclass(frozen=True)
class RunLine:
    day: str  # "Tue 25 Nov" (render.day_label)
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
    distance_km: float
    moving_time_s: int


@dataclass(frozen=True)
class Segment:
    kind: str
    colour: str
    km: float
    width_px: int
    text_fill: str


@dataclass(frozen=True)
class WeekBar:
    label: str  # the week's Monday, "Mon 17 Nov"
    total: str  # "42 km"
    segments: tuple[Segment, ...]
    strength: int  # sessions done (logged or recorded)
    text_bar: str
    target: int = 0  # the weekly target (STRENGTH_SESSIONS_PER_WEEK)
    planned: int | None = None  # the coming week's row: sessions planned (drawn hollow)

    @property
    def missed(self) -> int:
        """Sessions of the target not done (a past week's, drawn hollow and grey)."""
        return max(0, self.target - self.strength) if self.planned is None else 0

    @property
    def strength_text(self) -> str:
        """The text chart's strength column: 'S: 1 of 2', 'S: 2 planned', 'S: 1 done, 1 planned'."""
        if self.planned is not None:
            done = f"{self.strength} done, " if self.strength else ""
            return f"S: {done}{self.planned} planned"
        if not self.target:  # STRENGTH_SESSIONS_PER_WEEK=0: done ones still count, no "of 0"
            return f"S: {self.strength} done"
        return f"S: {self.strength} of {self.target}"


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
    iso_week: str  # "2025-W49": the coming days' ISO week, whose sessions the digest holds
    digest_day: date  # the day it was made for (`today`)
    week_start: date  # last week's Monday
    week_end: date  # and Sunday
    period: str  # "Mon 24 Nov – Sun 30 Nov"
    subject: str
    runs: tuple[RunLine, ...]
    classes: tuple[ClassLine, ...]
    total: ClassLine
    strength_done: int
    strength_target: int  # sessions a week (STRENGTH_SESSIONS_PER_WEEK)
    strength_today: int  # planned for later on a digest day that closes the week (0 or 1)
    notes: tuple[str, ...]
    coming_title: str  # "The coming week" or "The rest of this week"
    coming_period: str  # "Mon 1 Dec – Sun 7 Dec"
    coming_dates: tuple[date, ...]  # the plan's days shown, for the webhook's summary
    coming: tuple[DayLine, ...]
    # A "no strength: ..." reason on several coming days, said once: "No strength Mon to Thu:
    # load is 38 % above your usual" (those days' own reason is then left out).
    coming_reasons: tuple[str, ...]
    strength_coming: int  # planned in the coming days
    strength_done_coming: int  # already done in the coming week before `today`
    so_far: str  # a mid-week digest: "So far this week (Mon 30 Nov – Wed 2 Dec): 1 run, 10.1 km"
    chart: tuple[WeekBar, ...]
    colours: dict[str, str]
    coming_bar: WeekBar | None = None  # the chart's last row: the coming week, planned only
    consistency: str = ""  # "Consistency: 3 weeks in a row with 2 sessions."
    today_session: SessionLine | None = None  # the one of `strength_today`, named in the summary

    @property
    def coming_summary(self) -> str:
        """'2 of 2 strength sessions planned', '1 done, 1 planned, of 2 strength sessions', or
        'no strength sessions planned' with a target of 0."""
        sessions = "strength session" if self.strength_target == 1 else "strength sessions"
        if not self.strength_target:  # STRENGTH_SESSIONS_PER_WEEK=0, as `plan` says it
            return "no strength sessions planned"
        if self.strength_done_coming:
            return (
                f"{self.strength_done_coming} done, {self.strength_coming} planned,"
                f" of {self.strength_target} {sessions}"
            )
        return f"{self.strength_coming} of {self.strength_target} {sessions} planned"

    @property
    def strength_summary(self) -> str:
        """'1 of 2 sessions done' (', 1 more planned for today (strength A: ..., 25 min)');
        '1 session done (none planned)'
        with a target of 0."""
        if not self.strength_target:
            return f"{_plural(self.strength_done, 'session')} done (none planned)"
        sessions = "session" if self.strength_target == 1 else "sessions"
        text = f"{self.strength_done} of {self.strength_target} {sessions} done"
        if not self.strength_today:
            return text
        s = self.today_session  # said here only: the coming days begin tomorrow
        what = f" (strength {s.title}, {s.minutes} min{', lighter' * s.light})" if s else ""
        return f"{text}, 1 more planned for today{what}"


def last_week(today: date) -> tuple[date, date]:
    """Monday and Sunday of the last whole athlete's week by the end of `today`."""
    sunday = today if today.weekday() == SUNDAY else today - timedelta(days=today.weekday() + 1)
    return sunday - timedelta(days=6), sunday


def build_digest(
    history: Sequence[ClassifiedActivity],
    plan: Plan,
    today: date,
    notes: Sequence[str] = (),
    strength_target: int | None = None,
) -> DigestModel:
    """Summarise last week (Monday to Sunday) and lay out the plan's days of the week after it.

    :param strength_target: sessions the runner aims for each week; defaults to the plan's target.
    """
    start, end = last_week(today)
    target = strength_target if strength_target is not None else plan.strength_target_this_week
    week = [a for a in history if start <= a.record.local_date <= end]
    runs = [a for a in week if a.record.sport is Sport.RUN]
    next_monday, next_sunday = end + timedelta(days=1), end + timedelta(days=7)
    first = max(today, next_monday)
    days = sorted(plan.days, key=lambda d: d.date)
    coming = [d for d in days if first <= d.date <= next_sunday]
    # A Sunday digest goes out before an evening session: it belongs to last week's count.
    later_today = [d for d in days if d.date == today <= end and d.strength is not None]
    # Done in the coming days' week up to now, today included: the planner counts a session
    # logged this morning as done too, and today's run is shown "(done)" below.
    done_coming = [a for a in history if next_monday <= a.record.local_date <= today]
    so_far = _so_far(done_coming, next_monday, today)
    strength_coming = sum(1 for d in coming if d.strength is not None)
    coming_title = "The coming week" if first == next_monday else "The rest of this week"
    # The planner's note on a short week (plan_reasons.shortfall_note) for the week that has just
    # ended: last week's strength count already says it.
    ended = f"Week of {day_label(start)}:"
    shared = _shared_reasons(coming)
    return DigestModel(
        iso_week=iso_week(first),
        digest_day=today,
        week_start=start,
        week_end=end,
        period=period_label(start, end),
        subject=_subject(runs, coming, first == next_monday),
        runs=tuple(_run_line(a) for a in sorted(runs, key=lambda a: a.record.start_time)),
        classes=tuple(_class_line(k, [a for a in runs if a.kind is k]) for k in KIND_ORDER),
        total=_class_line(None, runs),
        strength_done=_strength_days(week),
        strength_target=target,
        strength_today=len(later_today),
        notes=tuple(reason_text(n) for n in (*plan.notes, *notes) if not n.startswith(ended)),
        coming_title=coming_title,
        coming_period=period_label(first, next_sunday),
        coming_dates=tuple(d.date for d in coming),
        coming=tuple(_day_line(d, hide_reason=d.reason in shared) for d in coming),
        coming_reasons=tuple(_shared_text(reason, days) for reason, days in shared.items()),
        strength_coming=strength_coming,
        strength_done_coming=_strength_days(done_coming),
        so_far=so_far,
        chart=_chart(history, end, target),
        coming_bar=_coming_bar(next_monday, _strength_days(done_coming), strength_coming),
        colours={k.value: c for k, c in KIND_COLOURS.items()},
        consistency=_consistency_line(plan, target, end),
        today_session=_session_line(later_today[0].strength) if later_today else None,
    )


def iso_week(day: date) -> str:
    """'2026-W50': the ISO week `day` falls in."""
    year, week_no, _ = day.isocalendar()
    return f"{year}-W{week_no:02d}"


def summary_lines(model: DigestModel) -> list[str]:
    """The coming days, then last week, in sentences: the webhook's weekly summary."""
    by_kind = ", ".join(f"{c.runs} {c.kind}" for c in model.classes if c.runs)
    total = model.total
    runs = f"{_plural(total.runs, 'run')}, {total.distance}, {total.duration}" if total.runs else ""
    return [
        f"{model.coming_title} ({model.coming_period}): {model.coming_summary}.",
        *(f"{reason}." for reason in model.coming_reasons),
        f"Last week ({model.period}): {f'{runs} ({by_kind})' if runs else 'no runs'}.",
        f"Strength last week: {model.strength_summary}.",
    ]


def last_week_object(model: DigestModel) -> dict[str, object]:
    """Last week's numbers for the json webhook (`last_week` of runstrength.digest/1)."""
    return {
        "start": model.week_start.isoformat(),
        "end": model.week_end.isoformat(),
        "runs": {c.kind: c.runs for c in (*model.classes, model.total)},
        "distance_km": model.total.distance_km,
        "moving_time_s": model.total.moving_time_s,
        "strength_done": model.strength_done,
        "strength_target": model.strength_target,
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _subject(
    runs: Sequence[ClassifiedActivity], coming: Sequence[DayPlan], whole_week: bool
) -> str:
    """'Strength Wed and Fri · last week 4 runs, 45 km': the sessions' days first (a phone's
    inbox shows the subject's start), then last week in two numbers."""
    days = [d.date for d in coming if d.strength is not None]
    if days:
        sessions = f"Strength {_and([f'{d:%a}' for d in days])}"
    else:
        sessions = "No strength this week" if whole_week else "No strength the rest of this week"
    km = sum(a.record.distance_m for a in runs) / 1000
    last = f"last week {_plural(len(runs), 'run')}, {km:.0f} km" if runs else "no runs last week"
    return f"{sessions} · {last}"


def _and(words: Sequence[str]) -> str:
    """'Wed', 'Wed and Fri', 'Mon, Wed and Fri'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _shared_reasons(coming: Sequence[DayPlan]) -> dict[str, list[date]]:
    """The 'no strength: ...' reasons that more than one coming day gives, with their days."""
    days: dict[str, list[date]] = {}
    for d in coming:
        if d.strength is None and d.reason.startswith("no strength: "):
            days.setdefault(d.reason, []).append(d.date)
    return {reason: dates for reason, dates in days.items() if len(dates) > 1}


def _shared_text(reason: str, days: Sequence[date]) -> str:
    """'No strength Mon to Thu: load is 38 % above your usual' ('Tue and Fri' when apart)."""
    consecutive = all((b - a).days == 1 for a, b in zip(days, days[1:], strict=False))
    names = [f"{d:%a}" for d in days]
    when = f"{names[0]} to {names[-1]}" if consecutive and len(days) > 2 else _and(names)
    return f"No strength {when}: {reason_text(reason.removeprefix('no strength: '))}"


def _so_far(done: Sequence[ClassifiedActivity], monday: date, today: date) -> str:
    """'So far this week (Mon 30 Nov – Wed 2 Dec): 1 run, 10.1 km', for a digest after Monday
    or one that already has a run to count; '' otherwise."""
    runs = _class_line(None, [a for a in done if a.record.sport is Sport.RUN])
    if today < monday or (today == monday and not runs.runs):
        return ""  # a Sunday digest: the coming week has not begun
    days = day_label(today) if today == monday else period_label(monday, today)
    return f"So far this week ({days}): " + (
        f"{_plural(runs.runs, 'run')}, {runs.distance}" if runs.runs else "no runs yet"
    )


def period_label(start: date, end: date) -> str:
    """'Mon 23 Nov – Sun 29 Nov': the same day format as everywhere else."""
    return f"{day_label(start)} – {day_label(end)}"


def _km(metres: float) -> str:
    km = metres / 1000
    return f"{km:.1f} km" if km < 100 else f"{km:.0f} km"


def _duration(seconds: int) -> str:
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes} min"


def _run_line(a: ClassifiedActivity) -> RunLine:
    r = a.record
    return RunLine(
        day=day_label(r.local_date),
        name=clean(r.name),
        kind=a.kind.value if a.kind else "run",
        distance=_km(r.distance_m),
        duration=_duration(r.moving_time_s),
        reason=reason_text(a.classification.reason),
    )


def _class_line(kind: RunKind | None, runs: Sequence[ClassifiedActivity]) -> ClassLine:
    metres = sum(a.record.distance_m for a in runs)
    seconds = sum(a.record.moving_time_s for a in runs)
    return ClassLine(
        kind=kind.value if kind else "total",
        colour=KIND_COLOURS.get(kind, "#555555") if kind else "#555555",
        runs=len(runs),
        distance=_km(metres),
        duration=_duration(seconds),
        distance_km=round(metres / 1000, 1),
        moving_time_s=seconds,
    )


def _strength_days(activities: Sequence[ClassifiedActivity]) -> int:
    # One session per day at most (coaching.md §6: logged strength counts, once a day).
    return len({a.record.local_date for a in activities if a.record.sport is Sport.STRENGTH})


def _session_line(s: StrengthSession) -> SessionLine:
    return SessionLine(
        title=clean(s.title),
        minutes=s.minutes,
        light=s.light,
        after_run=s.after_run,
        exercises=tuple(exercise_text(e) for e in s.exercises),
    )


def _run_text(run: ExpectedRun) -> str:
    kind = f"{run.kind.value} run" if run.kind else "run"
    return f"{kind} (done)" if run.done else kind


def _other_text(other: OtherTraining) -> str:
    return f"{training_word(other)} (done)" if other.done else training_word(other)


def _day_line(d: DayPlan, hide_reason: bool = False) -> DayLine:
    return DayLine(
        day=day_label(d.date),
        runs=", ".join([*map(_run_text, d.runs), *map(_other_text, d.other)]) or "rest day",
        strength=_session_line(d.strength) if d.strength else None,
        reason="" if hide_reason else reason_text(d.reason),
    )


def _consistency_line(plan: Plan, target: int, last_sunday: date) -> str:
    """'3 weeks in a row with 2 sessions', counted to the week that ended by the digest."""
    c = plan.consistency
    if c is None or target == 0:
        return ""
    whole = [w for w in c.weeks if w.monday + timedelta(days=6) <= last_sunday]
    streak = 0
    for week in reversed(whole):
        if week.done < target:
            break
        streak += 1
    return f"Consistency: {run_text(whole, streak, target)}."


def _coming_bar(monday: date, done: int, planned: int) -> WeekBar:
    """The coming week's row, from its Monday as the others: its sessions planned (drawn hollow)
    after those done already (a digest day other than Sunday or Monday)."""
    return WeekBar(day_label(monday), "", (), done, "", planned=planned)


def _chart(
    history: Sequence[ClassifiedActivity], last_sunday: date, target: int = 0
) -> tuple[WeekBar, ...]:
    """The CHART_WEEKS athlete's weeks (Monday to Sunday) ending `last_sunday`."""
    windows = []
    for back in range(CHART_WEEKS - 1, -1, -1):
        end = last_sunday - timedelta(days=7 * back)
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
    return tuple(_bar(start, km, strength, widest, target) for start, km, strength in windows)


def _bar(
    start: date, km: dict[RunKind, float], strength: int, widest: float, target: int = 0
) -> WeekBar:
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
        label=day_label(start),
        total=f"{sum(km.values()):.0f} km",
        segments=segments,
        strength=strength,
        text_bar="".join(s.text_fill for s in segments),
        target=target,
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
    text = _templates().get_template("digest.txt").render(d=model, width=TEXT_CHART_WIDTH)
    return clean(text, multiline=True)


def render_html(model: DigestModel) -> str:
    """Render the HTML part: tables and inline styles only, no external assets."""
    html = _templates().get_template("digest.html").render(d=model, chart_width=CHART_WIDTH_PX)
    return clean(html, multiline=True)


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
    msg["Subject"] = clean(model.subject)
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
