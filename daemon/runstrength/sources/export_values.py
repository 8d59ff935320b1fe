"""What the cells of Strava's export mean, in the languages it writes: numbers, dates, sports.

`Activity Date` is UTC, written per language: "Nov 22, 2026, 7:31:12 AM" (newer exports put a
narrow no-break space before AM), "22.11.2026, 07:31:12", "22 nov. 2026, 07:31:12", and
"2018-11-27 19:11:32" in 2018-era exports. Numbers may carry a decimal comma ("9,55").
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from runstrength.core.records import Sport


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: 'Aktivitäts-ID ' -> 'aktivitats-id'."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(text.replace("_", " ").split())


def parse_number(text: str) -> float | None:
    """'18962.8', '9,55', '1.234,5', '' -> float or None; raise ValueError on anything else."""
    text = re.sub(r"[\s\u00a0\u202f']", "", text)
    if not text:
        return None
    if ":" in text:  # an h:mm:ss duration
        parts = text.split(":")
        if len(parts) > 3 or not all(p.isdigit() for p in parts):
            raise ValueError(text)
        return float(sum(int(p) * 60**i for i, p in enumerate(reversed(parts))))
    if "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    value = float(text.replace(",", "."))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [  # en, de, fr, es, it, pt; folded, without the abbreviation's dot
        "jan january januar janv janvier ene enero gen gennaio janeiro jan. jänner janner",
        "feb february februar fevr fevrier febrero febbraio fev fevereiro",
        "mar march marz mars marzo marco",
        "apr april avr avril abr abril aprile",
        "may mai mayo mag maggio maio",
        "jun june juni juin junio giu giugno junho",
        "jul july juli juil juillet julio lug luglio julho",
        "aug august aout ago agosto",
        "sep sept september septembre septiembre set settembre setembro",
        "oct october oktober okt octobre octubre ott ottobre out outubro",
        "nov november novembre noviembre novembro",
        "dec december dezember dez decembre dic diciembre dicembre dezembro",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name.rstrip(".")] = _number

_EN = re.compile(
    r"([a-z]+)\.? (\d{1,2}),? (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([ap]\.?m\.?)?"
)
_DAY_FIRST = re.compile(
    r"(\d{1,2})\.? (?:de )?([a-z]+)\.? (?:de )?(\d{4}),?(?: a las| um| a)?"
    r" (\d{1,2}):(\d{2})(?::(\d{2}))?"
)
_NUMERIC = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ t](\d{2}):(\d{2})(?::(\d{2}))?(?:z|\+00:?00)?")


def parse_date(text: str) -> datetime | None:
    """Parse Strava's Activity Date (UTC) in the layouts of its languages; None if unknown."""
    t = fold(text.replace("\u202f", " ").replace("\u00a0", " "))
    try:
        if m := _ISO.fullmatch(t):
            y, mo, d, h, mi, s = m.groups()
            return _utc(int(y), int(mo), int(d), int(h), int(mi), s)
        if m := _NUMERIC.fullmatch(t):  # 22.11.2026 or 22/11/2026: day first outside the US
            d, mo, y, h, mi, s = m.groups()
            return _utc(int(y), int(mo), int(d), int(h), int(mi), s)
        if (m := _EN.fullmatch(t)) and m.group(1).rstrip(".") in _MONTHS:
            mon, d, y, h, mi, s, ampm = m.groups()
            hour = _hour12(int(h), ampm)
            return _utc(int(y), _MONTHS[mon.rstrip(".")], int(d), hour, int(mi), s)
        if (m := _DAY_FIRST.fullmatch(t)) and m.group(2) in _MONTHS:
            d, mon, y, h, mi, s = m.groups()
            return _utc(int(y), _MONTHS[mon], int(d), int(h), int(mi), s)
    except ValueError:  # e.g. 31.02.2026
        return None
    return None


def _hour12(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    if hour > 12:
        raise ValueError(hour)
    return hour % 12 + (12 if ampm.startswith("p") else 0)


def _utc(y: int, mo: int, d: int, h: int, mi: int, s: str | None) -> datetime:
    return datetime(y, mo, d, h, mi, int(s or 0), tzinfo=UTC)


# Strava's activity types as the export writes them (English, German, French, Spanish), folded
# and without spaces, under the API's sport_type names and sports (strava_records.SPORTS).
_TYPE_LABELS: dict[str, tuple[Sport, str]] = {
    "Run": (Sport.RUN, "run lauf laufen course courseapied carrera correr"),
    "TrailRun": (Sport.RUN, "trailrun traillauf trail trailrunning carrerapormontana"),
    "VirtualRun": (Sport.RUN, "virtualrun virtuellerlauf coursevirtuelle carreravirtual"),
    "Ride": (Sport.RIDE, "ride radfahrt radfahren velo sortieavelo bicicleta ciclismo"),
    "VirtualRide": (Sport.RIDE, "virtualride virtuelleradfahrt velovirtuel bicicletavirtual"),
    "GravelRide": (Sport.RIDE, "gravelride gravelradfahrt"),
    "MountainBikeRide": (Sport.RIDE, "mountainbikeride mountainbikefahrt vtt"),
    "EBikeRide": (Sport.RIDE, "ebikeride ebikefahrt"),
    "EMountainBikeRide": (Sport.RIDE, "emountainbikeride"),
    "Walk": (Sport.WALK, "walk spaziergang gehen marche caminata caminar"),
    "Hike": (Sport.HIKE, "hike wanderung wandern randonnee senderismo excursion"),
    "Swim": (Sport.SWIM, "swim schwimmen natation natacion"),
    "WeightTraining": (Sport.STRENGTH, "weighttraining krafttraining musculation pesas"),
    "Workout": (Sport.STRENGTH, "workout training entrainement entrenamiento"),
    "Crossfit": (Sport.STRENGTH, "crossfit"),
    "HighIntensityIntervalTraining": (Sport.STRENGTH, "highintensityintervaltraining hiit"),
    "Pilates": (Sport.YOGA, "pilates"),
    "Yoga": (Sport.YOGA, "yoga"),
}
_TYPES = {
    label: (sport, api_type, api_type in ("VirtualRun", "VirtualRide"), api_type == "TrailRun")
    for api_type, (sport, labels) in _TYPE_LABELS.items()
    for label in [api_type.lower(), *labels.split()]
}


def sport_of(activity_type: str) -> tuple[Sport, str, bool, bool] | None:
    """(sport, API-style type, indoor, trail) for an export activity type, or None if unknown."""
    return _TYPES.get(re.sub(r"[\s\-_.'’]", "", fold(activity_type)))
