"""Exactly-once delivery: record a message before sending it, claim it, send, mark it sent.

An item's life: `pending` → (claimed) `sending` → `sent`, or → `failed` with a later
`next_attempt_at` (5 min doubling, capped at 6 h) and back to `sending` when due. A claim is a
compare-and-set on the row, so the CLI and the daemon never send the same item at once. A claim
holds for LEASE: if the process dies while sending, the item becomes due again after that, which
is the one window where a message can go out twice (sent, then crash before `mark_sent`).
A newer plan makes older unsent webhook items `superseded`, so a stale plan is never posted.

Each item has an idempotency key (`idempotency_key`): the same on every retry of the item, so a
receiver that got a post but answered too late can drop the repeat; new when a sent or superseded
item is sent again on purpose (`--force`, a plan that changed back), so that one is not dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from runstrength.models import Outbox
from runstrength.store import Store
from runstrength.store_read import OUTBOX_OPEN
from runstrength.store_state import naive_utc

BASE_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
LEASE = timedelta(minutes=15)  # well above the SMTP and HTTP timeouts of one attempt
OPEN = OUTBOX_OPEN  # not sent, not retired (status reads the same set: store_read.py)
DONE = ("sent", "superseded")
GENERATION = "generation"  # payload field: how often a done item was reopened on purpose


@dataclass(frozen=True)
class OutboxItem:
    id: int
    channel: str
    key: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def idempotency_key(item: OutboxItem) -> str:
    """'runstrength-42-1764435600' (-2 after a second deliberate resend): stable across retries.

    The creation time keeps two installations posting to one receiver apart.
    """
    key = f"runstrength-{item.id}-{int(item.created_at.timestamp())}"
    generation = int(item.payload.get(GENERATION, 0))
    return f"{key}-{generation}" if generation else key


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 5 min, 10, 20, ... capped at 6 h."""
    return min(BASE_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def _item(row: Outbox) -> OutboxItem:
    return OutboxItem(
        id=row.id or 0,
        channel=row.channel,
        key=row.key,
        payload=dict(row.payload_json),
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=_aware(row.next_attempt_at),
        last_error=row.last_error,
        created_at=_aware(row.created_at) or row.created_at,
        sent_at=_aware(row.sent_at),
    )


def enqueue(
    store: Store,
    channel: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    force: bool = False,
) -> bool:
    """Record a message to send; False if `key` is already there (with force: reset it instead)."""
    with store.session() as s:
        s.add(
            Outbox(
                channel=channel,
                key=key,
                payload_json=payload,
                created_at=naive_utc(now),
                next_attempt_at=naive_utc(now),
            )
        )
        try:
            s.commit()
            return True
        except IntegrityError:
            s.rollback()
    if not force:
        return False
    with store.session() as s:
        old = s.exec(select(Outbox).where(Outbox.channel == channel, Outbox.key == key)).one()
        # Sent (or retired) before and sent again on purpose: a new idempotency key. An unsent
        # item keeps its key: an earlier attempt may have reached the receiver.
        generation = int(old.payload_json.get(GENERATION, 0)) + (old.status in DONE)
        # Not while another process holds a live claim on it: that one is being sent right now.
        result = s.exec(
            update(Outbox)
            .where(col(Outbox.id) == old.id, col(Outbox.status) == old.status)
            .where(
                (col(Outbox.status) != "sending") | (col(Outbox.next_attempt_at) <= naive_utc(now))
            )
            .values(
                payload_json={**payload, GENERATION: generation} if generation else payload,
                status="pending",
                attempts=0,
                next_attempt_at=naive_utc(now),
                last_error=None,
                sent_at=None,
            )
        )
        s.commit()
        return result.rowcount == 1


def get(store: Store, channel: str, key: str) -> OutboxItem | None:
    with store.session() as s:
        row = s.exec(select(Outbox).where(Outbox.channel == channel, Outbox.key == key)).first()
        return _item(row) if row else None


def due(store: Store, now: datetime) -> list[OutboxItem]:
    """Unsent items whose next attempt (or expired claim) is at or before `now`, oldest first."""
    with store.session() as s:
        rows = s.exec(
            select(Outbox)
            .where(col(Outbox.status).in_(OPEN))
            .where(col(Outbox.next_attempt_at) <= naive_utc(now))
            .order_by(col(Outbox.id))
        )
        return [_item(r) for r in rows]


def claim(store: Store, item_id: int, now: datetime, ignore_backoff: bool = False) -> bool:
    """Take an item for sending; False if it is sent, or another process holds it.

    :param ignore_backoff: an explicit `digest --send` retries a failed item before its time.
    """
    is_due = col(Outbox.next_attempt_at) <= naive_utc(now)
    if ignore_backoff:
        is_due = is_due | col(Outbox.status).in_(("pending", "failed"))
    with store.session() as s:
        result = s.exec(
            update(Outbox)
            .where(col(Outbox.id) == item_id, col(Outbox.status).in_(OPEN), is_due)
            .values(
                status="sending",
                attempts=Outbox.attempts + 1,
                next_attempt_at=naive_utc(now + LEASE),
            )
        )
        s.commit()
        return result.rowcount == 1


def mark_sent(store: Store, item_id: int, now: datetime) -> None:
    with store.session() as s:
        s.exec(
            update(Outbox)
            .where(col(Outbox.id) == item_id)
            .values(status="sent", sent_at=naive_utc(now), next_attempt_at=None, last_error=None)
        )
        s.commit()


def mark_failed(
    store: Store,
    item_id: int,
    now: datetime,
    error: str,
    wait: Callable[[int], timedelta] = backoff,
) -> datetime:
    """Record a failed attempt; return when the next one is due."""
    with store.session() as s:
        row = s.get(Outbox, item_id)
        if row is None:
            raise KeyError(item_id)
        next_at = now + wait(row.attempts)
        row.status = "failed"
        row.last_error = error
        row.next_attempt_at = naive_utc(next_at)
        s.add(row)
        s.commit()
    return next_at


def supersede(store: Store, channel: str, key_prefix: str, keep_key: str) -> int:
    """Retire unsent items of `channel` whose key starts with `key_prefix`, except `keep_key`."""
    with store.session() as s:
        result = s.exec(
            update(Outbox)
            .where(col(Outbox.channel) == channel, col(Outbox.key) != keep_key)
            .where(col(Outbox.key).startswith(key_prefix))
            .where(col(Outbox.status).in_(("pending", "failed")))
            .values(status="superseded", next_attempt_at=None)
        )
        s.commit()
        return result.rowcount


def last_sent(store: Store, channel: str, key_prefix: str) -> OutboxItem | None:
    """The most recently sent item of `channel` whose key starts with `key_prefix`."""
    with store.session() as s:
        row = s.exec(
            select(Outbox)
            .where(col(Outbox.channel) == channel, col(Outbox.key).startswith(key_prefix))
            .where(col(Outbox.status) == "sent")
            .order_by(col(Outbox.sent_at).desc())
            .limit(1)
        ).first()
        return _item(row) if row else None


def pending(store: Store) -> list[dict[str, Any]]:
    """Unsent items for `status`: channel, key, state, attempts, next attempt, last error."""
    with store.session() as s:
        rows = s.exec(select(Outbox).where(col(Outbox.status).in_(OPEN)).order_by(col(Outbox.id)))
        items = [_item(r) for r in rows]
    return [
        {
            "channel": i.channel,
            "key": i.key,
            "status": i.status,
            "attempts": i.attempts,
            "next_attempt_at": i.next_attempt_at.isoformat() if i.next_attempt_at else None,
            "last_error": i.last_error,
            "created_at": i.created_at.isoformat(),
        }
        for i in items
    ]
