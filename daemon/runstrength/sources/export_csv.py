"""Read activities.csv from a Strava account export, whatever its language and vintage.

Strava writes one row per activity. Its columns are found by header, not index: they moved
over the years and are translated into the account's language. Some headers appear twice with
different meanings: the first `Distance` is a display value (km, or metres for swims, with a
decimal comma in some languages), the last one is plain metres; `Elapsed Time` and
`Max Heart Rate` also repeat. The first four columns (id, date, name, type) have kept their
places in every layout seen, so they fall back to position when the header is unknown.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from runstrength.sources.export_values import fold, parse_date, parse_number


class RowError(Exception):
    """One row could not be read; the message is the reason, in a few words."""


@dataclass(frozen=True)
class _Field:
    aliases: tuple[str, ...]  # folded exact headers, most specific first
    words: tuple[tuple[str, ...], ...] = ()  # fallback: each group must match a substring
    position: int | None = None  # fallback: the column's place in every known layout


def _spec(aliases: str, words: str = "", position: int | None = None) -> _Field:
    """'a|b' exact headers; 'x/y|z' keyword groups (x or y, and z)."""
    groups = tuple(tuple(g.split("/")) for g in words.split("|") if g)
    return _Field(tuple(aliases.split("|")), groups, position)


_HEART = "heart/herz/cardiaque/cardiaca/cardiaco"
_TIME = "time/zeit/temps/tiempo/duree/tempo"
# English, German, French, Spanish, Italian, Portuguese; old lower-case names last.
_FIELDS: dict[str, _Field] = {
    "id": _spec(
        "activity id|aktivitats-id|id de l'activite|id de la actividad|id de actividad"
        "|id attivita|id da atividade|id",
        position=0,
    ),
    "date": _spec(
        "activity date|aktivitatsdatum|date de l'activite|fecha de la actividad"
        "|fecha de actividad|data attivita|data da atividade|date",
        position=1,
    ),
    "name": _spec(
        "activity name|name der aktivitat|nom de l'activite|nombre de la actividad"
        "|nome attivita|nome da atividade|name",
        position=2,
    ),
    "type": _spec(
        "activity type|aktivitatsart|type d'activite|tipo de actividad|tipo di attivita"
        "|tipo de atividade|type",
        position=3,
    ),
    "elapsed": _spec(
        "elapsed time|verstrichene zeit|temps ecoule|tiempo transcurrido",
        f"elapsed/verstrichen/ecoule/transcurrido/trascorso/decorrido|{_TIME}",
    ),
    "moving": _spec(
        "moving time|bewegungszeit|duree de deplacement|temps de deplacement|tiempo en movimiento",
        f"moving/bewegung/deplacement/movimiento/movimento|{_TIME}",
    ),
    "distance": _spec("distance|distanz|distancia|distanza"),
    "max_hr": _spec(
        "max heart rate|max. herzfrequenz|frequence cardiaque max.|frecuencia cardiaca maxima",
        f"{_HEART}|max",
    ),
    "avg_hr": _spec(
        "average heart rate|durchschnittliche herzfrequenz|durchschnittliche hf"
        "|frequence cardiaque moyenne|frecuencia cardiaca media|frecuencia cardiaca promedio",
        f"{_HEART}|average/avg/durchschn/moyenne/media/promedio/medio",
    ),
    "elevation_gain": _spec(
        "elevation gain|hohenzunahme|denivele positif|desnivel positivo",
        "elevation gain/hohenzunahme/denivele positif/desnivel positivo/dislivello positivo",
    ),
    "avg_speed": _spec(
        "average speed|durchschnittliche geschwindigkeit|vitesse moyenne|velocidad media"
        "|velocidad promedio"
    ),
    "gap_distance": _spec("grade adjusted distance"),
    "rpe": _spec("perceived exertion|wahrgenommene anstrengung|effort percu"),
    "filename": _spec("filename|dateiname|nom du fichier|nombre de archivo"),
}

_FILE_RE = re.compile(r"^activities/[^/]+\.(fit|gpx|tcx)(\.gz)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Columns:
    """Where each field is: every column index carrying it, in header order."""

    headers: tuple[str, ...]
    at: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # The 2018-era layout (id,date,...,elapsed_time,distance,...) has one distance: metres.
    lone_distance_in_metres: bool = False

    def keyed(self, cells: list[str]) -> dict[str, str]:
        """The row by header; a repeated header gets ' (2)', ' (3)'... like a spreadsheet."""
        seen: dict[str, int] = {}
        out: dict[str, str] = {}
        for header, cell in zip(self.headers, cells, strict=False):
            seen[header] = seen.get(header, 0) + 1
            out[header if seen[header] == 1 else f"{header} ({seen[header]})"] = cell
        return out


def map_columns(headers: list[str], sample_rows: list[list[str]]) -> Columns:
    """Locate the fields in a header row; raise RowError if id or date cannot be found."""
    folded = [fold(h) for h in headers]
    at: dict[str, tuple[int, ...]] = {}
    for name, spec in _FIELDS.items():
        found = _by_alias(folded, spec.aliases) or _by_words(folded, spec.words)
        if not found and spec.position is not None and len(headers) > spec.position:
            found = (spec.position,)
        if found:
            at[name] = found
    if "filename" not in at:
        # Unknown language: the file column is the one holding 'activities/123.fit.gz' values.
        sniffed = _sniff_file_column(sample_rows)
        if sniffed is not None:
            at["filename"] = (sniffed,)
    if "id" not in at or "date" not in at:
        raise RowError("activities.csv has no activity id or date column")
    snake_case = "elapsed_time" in (h.strip() for h in headers)
    return Columns(tuple(h.replace("\ufeff", "").strip() for h in headers), at, snake_case)


def _by_alias(folded: list[str], aliases: tuple[str, ...]) -> tuple[int, ...]:
    for alias in aliases:
        hits = tuple(i for i, h in enumerate(folded) if h == alias)
        if hits:
            return hits
    return ()


def _by_words(folded: list[str], groups: tuple[tuple[str, ...], ...]) -> tuple[int, ...]:
    if not groups:
        return ()
    return tuple(
        i for i, h in enumerate(folded) if all(any(w in h for w in group) for group in groups)
    )


def _sniff_file_column(rows: list[list[str]]) -> int | None:
    for row in rows:
        for i, cell in enumerate(row):
            if _FILE_RE.match(cell.strip()):
                return i
    return None


def read_csv(text: str) -> tuple[Columns, Iterator[tuple[int, list[str]]]]:
    """Header mapping and the data rows with their line numbers (1 = header)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        headers = next(reader)
    except StopIteration:
        raise RowError("activities.csv is empty") from None
    except csv.Error as e:
        raise RowError(f"activities.csv header is unreadable ({e})") from None
    rows = list(_rows(reader))
    columns = map_columns(headers, [cells for _, cells in rows[:200]])
    return columns, iter(rows)


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    index = 1
    while True:
        index += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield index, [f"\0{e}"]  # reported by row_values as a bad row
            continue
        if any(c.strip() for c in cells):
            yield index, cells


@dataclass(frozen=True)
class ExportRow:
    """The fields of one activities.csv row that runstrength uses, in SI units."""

    line: int
    activity_id: str
    start_time: datetime | None  # aware UTC; None if the date did not parse
    date_text: str
    name: str
    activity_type: str
    elapsed_time_s: int | None
    moving_time_s: int | None
    distance_m: float | None
    elevation_gain_m: float | None
    avg_hr: float | None
    max_hr: float | None
    avg_speed_mps: float | None
    gap_distance_m: float | None
    rpe: float | None
    filename: str | None
    cells: dict[str, str]


def row_values(columns: Columns, line: int, cells: list[str]) -> ExportRow:
    """Turn one CSV row into an ExportRow; raise RowError naming what is wrong."""
    if cells and cells[0].startswith("\0"):
        raise RowError(f"line {line}: unreadable CSV ({cells[0][1:]})")
    if len(cells) > len(columns.headers):
        raise RowError(f"line {line}: {len(cells)} fields, the header has {len(columns.headers)}")

    def texts(name: str) -> list[str]:
        return [cells[i].strip() for i in columns.at.get(name, ()) if i < len(cells)]

    def first(name: str) -> str:
        return next((t for t in texts(name) if t), "")

    def number(name: str) -> float | None:
        raw = first(name)
        try:
            return parse_number(raw)
        except ValueError:
            header = columns.headers[columns.at[name][0]]
            raise RowError(f"line {line}: {header} is not a number: {raw!r}") from None

    activity_id = first("id")
    if not re.fullmatch(r"\d+", activity_id):
        raise RowError(
            f"line {line}: no activity id"
            if not activity_id
            else f"line {line}: activity id is not a number: {activity_id!r}"
        )
    activity_type = first("type")
    return ExportRow(
        line=line,
        activity_id=activity_id,
        start_time=parse_date(first("date")),
        date_text=first("date"),
        name=first("name"),
        activity_type=activity_type,
        elapsed_time_s=_seconds(number("elapsed")),
        moving_time_s=_seconds(number("moving")),
        distance_m=_distance_m(
            texts("distance"), activity_type, line, columns.lone_distance_in_metres
        ),
        elevation_gain_m=number("elevation_gain"),
        avg_hr=number("avg_hr"),
        max_hr=number("max_hr"),
        avg_speed_mps=number("avg_speed"),
        gap_distance_m=number("gap_distance"),
        rpe=number("rpe"),
        filename=first("filename") or None,
        cells=columns.keyed(cells),
    )


def _seconds(value: float | None) -> int | None:
    return round(value) if value is not None else None


def _distance_m(
    texts: list[str], activity_type: str, line: int, lone_in_metres: bool
) -> float | None:
    """The last of two distance columns is metres; a lone one is the km display value."""
    try:
        if len(texts) >= 2 or lone_in_metres:
            metres = parse_number(texts[-1])
            if metres is not None:
                return metres
        shown = parse_number(texts[0]) if texts else None
    except ValueError:
        raise RowError(f"line {line}: distance is not a number: {texts!r}") from None
    if shown is None:
        return None
    # Strava shows swims (and rows) in metres, everything else in km.
    in_metres = re.search(r"swim|schwimm|natat|nadar|row|ruder|aviron|remo", fold(activity_type))
    return shown if in_metres else shown * 1000.0
