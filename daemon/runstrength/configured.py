"""Which sources are set up, from the settings and the files `auth` saved (no source imported)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runstrength.config import Settings


def configured_sources(settings: Settings) -> list[str]:
    names = []
    if settings.strava_client_id or settings.strava_token_file.exists():
        names.append("strava")
    if (
        settings.garmin_personal_api_key
        or settings.garmin_personal_api_key_file
        or settings.garmin_token_dir
        or settings.garmin_key_file.exists()  # saved by `auth garmin --api-key`
    ):
        names.append("garmin")
    if settings.garmin_fit_dir:
        names.append("fit")
    return names
