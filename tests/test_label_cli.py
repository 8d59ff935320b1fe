"""`runstrength label` through the CLI: a synced name or a typed id with control characters is
printed cleaned, in its confirmations and its errors alike."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from click.testing import Result

from runstrength.core.records import Sport
from runstrength.store import Store
from tests.builders import make_activity, make_run
from tests.conftest import NOW

# NUL and a right-to-left override: the override would turn the rest of the line around.
EVIL = "Evil\x00Run\u202eDone"


def said(result: Result) -> str:
    """The command's own line (a warning about the test's data dir may come before it)."""
    [line] = result.output.splitlines()[-1:]
    bad = [f"U+{ord(ch):04X}" for ch in line if unicodedata.category(ch) in ("Cc", "Cf")]
    assert bad == [], bad
    return line


def seed(store: Store) -> tuple[str, str]:
    """A run and a strength session, both named EVIL; their ids."""
    run = make_run(when=NOW, name=EVIL, source_id="111")
    lift = make_activity(Sport.STRENGTH, minutes=25, when=NOW, name=EVIL)
    store.save_activities([(run, {"id": 111}), (lift, {"id": lift.source_id})], now=NOW)
    return run.source_id, lift.source_id


def test_label_confirms_with_the_name_cleaned(cli: Callable[..., Result], store: Store) -> None:
    run_id, _ = seed(store)
    for kind, line in (("hard", "EvilRunDone: now hard"), ("auto", "EvilRunDone: back to auto")):
        result = cli("label", run_id, kind)
        assert result.exit_code == 0, result.output
        assert said(result).startswith(line)


def test_label_refuses_a_non_run_naming_it_cleaned(
    cli: Callable[..., Result], store: Store
) -> None:
    _, lift_id = seed(store)
    result = cli("label", lift_id, "easy")
    assert result.exit_code == 1
    assert said(result).startswith("runstrength: 'EvilRunDone' is a strength session, not a run")


def test_an_unknown_id_is_echoed_cleaned(cli: Callable[..., Result], store: Store) -> None:
    seed(store)
    result = cli("label", "12\u202e34\x07", "easy")
    assert result.exit_code == 1
    assert said(result).startswith("runstrength: no stored activity '1234'")
