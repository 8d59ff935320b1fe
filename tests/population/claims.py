"""The words of a plan against the truth: each checkable claim in a reason or a note.

"after your N-min easy run", "day before X's hard run", "N days before X's long run", "48 h after
X's session", "your usual hard run", "load N% above your usual", "easing back in after a break",
"No usual hard or long days known yet", and every date named ("back on Sat 28 Nov").
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tests.population.truth import (
    A_RACE_KM,
    TAPER_LONG_DAYS,
    TAPER_SHORT_DAYS,
    Truth,
    monday_of,
)

if TYPE_CHECKING:
    from tests.population.rules import PlanCheck

GREY_RATIO = 1.2  # a "load above your usual" claim needs at least this true load ratio
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NO_PATTERN = "No usual hard or long days known yet"
WINDOW_NOTE = re.compile(
    r"(Race recovery|Taper) for the (?:last )?(\d+) days (after|before) .*? on \w+"
    r" (\d{1,2}) (\w{3})\b"
)
NESTED_COLON = re.compile(r"\b(no strength|lighter|[Tt]aper|[Rr]ace recovery): [^;()]*?: ")
RACE_NAMED = re.compile(r"your [\d.]+ km (.+?) on (\w{3}) (\d{1,2}) (\w{3})\b")
SPIKE = re.compile(
    r"([\d.]+) km on (\w{3})(?: (\d{1,2}) (\w{3}))? was (\d+)% longer than any run of the previous"
)
ONE_SESSION = re.compile(
    r"at most one (?:lighter )?session (?:from \w{3} (\d{1,2}) (\w{3}) to|until)"
    r" \w{3} (\d{1,2}) (\w{3})"
)


def reason_problems(check: PlanCheck, day: date, reason: str) -> list[str]:
    """What is untrue in one day's reason."""
    t, out = check.truth, []
    if m := re.search(r"after your (\d+)-min easy run", reason):
        done = t.done_easy_minutes(day)
        if done is None or abs(done - int(m.group(1))) > 1:
            out.append(f"truth: {t.describe(day)}")
    if m := re.search(r"(?<!\d )day before (\w+)'s (hard|long) run", reason):
        nxt = day + timedelta(days=1)
        if WEEKDAYS[nxt.weekday()] != m.group(1) or not t.protected(nxt):
            out.append(f"next day truth: {t.describe(nxt)}")
    if m := re.search(r"(\d+) days before (\w+)'s (hard|long) run", reason):
        target = day + timedelta(days=int(m.group(1)))
        between = [day + timedelta(days=i) for i in range(1, int(m.group(1)))]
        if (WEEKDAYS[target.weekday()] != m.group(2) or not t.protected(target)
                or any(t.protected(b) for b in between)):  # fmt: skip
            out.append(f"{target:%a} truth: {t.describe(target)}")
    if reason.startswith("no strength: day before"):
        nxt = day + timedelta(days=1)
        if not t.protected(nxt):
            out.append(f"next day truth: {t.describe(nxt)}")
    if re.match(r"no strength: (your usual (hard|long) run|(hard|long) run\b)", reason):
        if not t.protected(day):
            out.append(f"truth: {t.describe(day)}")
    if m := re.search(r"48 h (after|before) (\w+)'s session", reason):
        other = day + timedelta(days=-1 if m.group(1) == "after" else 1)
        if other > check.last:
            pass  # planned past the visible days: cannot be checked
        elif WEEKDAYS[other.weekday()] != m.group(2) or other not in check.all_sessions():
            out.append(f"no session on {other:%a %d}")
    if "no day left this week that keeps 48 h" in reason and not any(
        abs((s - day).days) < 2 for s in check.all_sessions()
    ):
        out.append("no session within 48 h of this day")
    if reason.startswith("strength done") and day not in t.logged:
        out.append("no strength logged that day")
    if "day after your long run" in reason and t.protected(day - timedelta(days=1)) != "long":
        out.append(f"day before truth: {t.describe(day - timedelta(days=1))}")
    out += claims(check, reason)
    return out


def claims(check: PlanCheck, text: str) -> list[str]:
    """Claims that may appear in a reason or a note."""
    out = _taper_days(check, text)
    out += _one_session(check, text) + _spike(check, text) + _race_names(check, text)
    if m := NESTED_COLON.search(text):
        out.append(f"a colon inside a colon: '{m.group(0)}'")
    parts = [p.strip() for p in re.split(r"[;:()]", text) if len(p.strip()) >= 20]
    if twice := next((p for p in parts if parts.count(p) > 1), None):
        out.append(f"says '{twice}' twice")
    if m := re.search(r"\b\d+\.0 km", text):
        out.append(f"'{m.group(0)}': a whole distance reads '{m.group(0)[:-5]} km'")
    if "easing back in after a break" in text and check.athlete.new_user:
        out.append("a new user has had no break")
    if m := re.search(r"load \d+ ?% above your usual(?: on \w{3} (\d{1,2}) (\w{3}))?", text):
        # "... on Mon 23 Nov": the ratio of that day (a week off holds after the load eases).
        day = _named_date(m.group(1), m.group(2), check.today) if m.group(1) else None
        true = Truth(check.athlete, day).load_ratio() if day else check.ratio
        if not (true is not None and true > GREY_RATIO):
            out.append(f"true load ratio {'unknown' if true is None else f'{true:.2f}'}")
    return out + _dates(check, text)


def _race_names(check: PlanCheck, text: str) -> list[str]:
    """'your 5 km parkrun #412 on Sat 28 Nov': the race on that day has that name (or none)."""
    out = []
    for m in RACE_NAMED.finditer(text):
        day = _named_date(m.group(3), m.group(4), check.today)
        names = {a.name for a in check.truth.runs(day) if a.race_km} if day else set()
        if names and m.group(1) != "race" and m.group(1) not in names:
            out.append(f"'{m.group(0)}': that race is {', '.join(sorted(names))}")
    return out


def _spike(check: PlanCheck, text: str) -> list[str]:
    """'20.3 km on Sun 15 Nov was 10% longer than any run of the previous 30 days': that run."""
    out = []
    for m in SPIKE.finditer(text):
        day = m.group(3) and _named_date(m.group(3), m.group(4), check.today)
        if not day:
            out.append(f"'{m.group(0)}': which {m.group(2)}?")
            continue
        runs = [
            a for a in check.truth.runs(day) if abs(a.distance_m / 1000 - float(m.group(1))) < 0.06
        ]
        before = [
            b.distance_m for b in check.athlete.activities
            if b.kind and 0 < (day - b.day).days <= 30
        ]  # fmt: skip
        pct = runs and before and round(100 * (runs[0].distance_m / max(before) - 1))
        if not runs or not before or abs(pct - int(m.group(5))) > 1:
            out.append(f"'{m.group(0)}': truth {check.truth.describe(day)}, {pct}%")
    return out


def _one_session(check: PlanCheck, text: str) -> list[str]:
    """'at most one (lighter) session until D' (from today) or 'from A to D': no second there."""
    m = ONE_SESSION.search(text)
    if not m:
        return []
    first = _named_date(m.group(1), m.group(2), check.today) if m.group(1) else check.today
    last = _named_date(m.group(3), m.group(4), check.today)
    if first is None or last is None:
        return []
    inside = [d for d in check.all_sessions() if max(first, check.today) <= d <= last]
    if len(inside) > 1:
        return [f"'{m.group(0)}' yet sessions on " + ", ".join(f"{d:%a %d}" for d in inside)]
    return []


def _taper_days(check: PlanCheck, text: str) -> list[str]:
    """ "the last N days before your RACE on D": N is the taper's length and those days are free."""
    out = []
    for m in re.finditer(r"the last (\d+) days before your .*? on \w+ (\d{1,2}) (\w{3})\b", text):
        race = _named_date(m.group(2), m.group(3), check.today)
        km = next((r.km for r in check.truth.races if r.day == race), None)
        if race is None or km is None:
            continue  # _dates says what is wrong with the date
        days = TAPER_LONG_DAYS if km >= A_RACE_KM else TAPER_SHORT_DAYS
        named = [race - timedelta(days=i) for i in range(1, int(m.group(1)) + 1)]
        placed = [d for d in named if d in check.sessions]
        if int(m.group(1)) != days or placed:
            out.append(
                f"'{m.group(0)}': the taper is {days} days"
                + (f"; a session on {placed[0]:%a %d}" if placed else "")
            )
    return out


def _dates(check: PlanCheck, text: str) -> list[str]:
    """Every named date: its weekday, and what the words around it say about it."""
    out = []
    for m in DATE_WORDS.finditer(text):
        before, weekday = m.group(1).lower().strip(), m.group(2)
        named = _named_date(m.group(3), m.group(4), check.today)
        words = m.group(0)
        if named is None:
            out.append(f"'{words}' is no date")
            continue
        if weekday and WEEKDAYS[named.weekday()][:3] != weekday:
            out.append(f"'{words}': {named} is a {WEEKDAYS[named.weekday()]}")
        if before.endswith("week of") and not (
            named.weekday() == 0 and monday_of(check.today) <= named <= check.last
        ):
            out.append(f"'{words}' is no Monday of the plan")
        if re.search(r"(race|10k|5k|parkrun|marathon|km .*) on$", before) and not any(
            r.day == named for r in check.truth.races
        ):
            out.append(f"no race on {named}")
        if before.endswith("back on") and any(check.today <= d < named for d in check.sessions):
            out.append(f"'{words}' yet a session before it")
    return out


def _window_shown(check: PlanCheck, note: str) -> list[str]:
    """A race recovery or taper note speaks of days inside the plan's weeks, not after them."""
    m = WINDOW_NOTE.match(note)
    race = m and _named_date(m.group(4), m.group(5), check.today)
    if not m or race is None:
        return []
    n = int(m.group(2))
    first, last = (race + timedelta(days=1), race + timedelta(days=n))
    if m.group(3) == "before":
        first, last = race - timedelta(days=n), race - timedelta(days=1)
    shown_end = monday_of(check.last) + timedelta(days=6)  # the plan's last week, to Sunday
    if last < check.today or first > shown_end:
        return [f"its days {first:%d %b}..{last:%d %b} lie outside the plan"]
    return []


def note_problems(check: PlanCheck, note: str) -> list[str]:
    """What is untrue in one week-level note."""
    problems = claims(check, note) + _window_shown(check, note)
    if NO_PATTERN in note and check.athlete.clear_pattern:
        problems.append("the athlete has a clear weekly pattern")
    return problems


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# "... Week of Mon 16 Nov", "back on Sat 28 Nov", "City 10K on Sun 15 Nov", "Week of 16 Nov"
DATE_WORDS = re.compile(
    r"([^;:(),.!]{0,40}?)\b(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?(\d{1,2}) ("
    + "|".join(MONTHS)
    + r")\b"
)


def _named_date(day: str, month: str, near: date) -> date | None:
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            candidate = date(year, MONTHS.index(month) + 1, int(day))
        except ValueError:
            return None
        if abs((candidate - near).days) < 60:
            return candidate
    return None
