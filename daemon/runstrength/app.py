"""Use cases shared by the CLI and the daemon. Builds adapters from Settings; no click here."""

from __future__ import annotations

from runstrength.config import Settings
from runstrength.store import Store


def open_store(settings: Settings) -> Store:
    return Store.open(settings.database_url)
