"""Every source runstrength can sync, by name: adding a source is one module and one line here.

Each entry names its module as text, so a source's client library (stravalib, garminconnect) is
imported only when that source syncs, never by `runstrength --help`. An API source is a callable
(settings, clock) -> ApiSource (sources/base.py) that the engine in sync.py drives; a folder
source is a plain function (settings, store, full, now) -> SyncOutcome that imports files on the
same record path as `runstrength import`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runstrength.config import Settings
    from runstrength.sources.base import SyncOutcome
    from runstrength.store import Store

FolderSync = Callable[["Settings", "Store", bool, datetime], "SyncOutcome"]


@dataclass(frozen=True)
class Entry:
    target: str  # "module:attribute"
    folder: bool = False  # a folder of files, not an API on the engine

    def load(self) -> Any:
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)


REGISTRY: dict[str, Entry] = {
    "strava": Entry("runstrength.sources.strava:StravaSource"),
    # The Personal API when a key is set, else garminconnect from saved tokens.
    "garmin": Entry("runstrength.sources.garmin:open_garmin"),
    "fit": Entry("runstrength.sources.activity_files:sync_fit_dir", folder=True),
}


def derive(source: str) -> Callable[[dict[str, Any], dict[str, Any], Any], Any] | None:
    """The pure function (raw payload, extras, stored record) -> record that rebuilds a stored
    row (the store's re-derive migration); None: the source keeps its stored records.
    It may raise core.bounds.BadRecord. Imports the mappers only, never a client library."""
    if source == "strava":
        from runstrength.sources.strava_records import rederive as strava

        return strava
    if source == "garmin":
        from runstrength.sources.garmin_listing import rederive as garmin

        return garmin
    if source == "fit":  # the stored record, with the rating its session summary holds
        from runstrength.sources.fit_rating import rederive as fit

        return fit
    return None
