"""Where the test fixtures live: inside the repository, so a clone alone passes its tests."""

from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
FIT_FILES = FIXTURES_DIR / "fit"  # real device files, MIT-licensed: see fit/NOTICE.md
