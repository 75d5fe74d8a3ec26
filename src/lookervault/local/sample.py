"""A synthetic looker.db of a chosen size, JSON-heavy like real Looker content.

Used by `lookervault demo`, the tests and the benchmarks when no Looker is at hand.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from lookervault import dbfile
from lookervault.looker import store

_WORDS = (
    "revenue",
    "orders",
    "users",
    "sessions",
    "region",
    "country",
    "product",
    "category",
    "margin",
    "churn",
    "cohort",
    "weekly",
    "monthly",
    "daily",
    "pipeline",
    "forecast",
    "funnel",
    "conversion",
    "retention",
    "marketing",
    "finance",
    "sales",
    "support",
    "tickets",
    "inventory",
    "shipping",
    "returns",
    "explore",
    "model",
    "view",
    "dimension",
    "measure",
)
_TYPES = ("dashboard", "look", "folder", "user", "scheduled_plan", "board", "group")
_SAMPLE_TIME = datetime(2025, 1, 1, tzinfo=UTC)


def _document(rng: random.Random, kind: str, number: int) -> dict[str, object]:
    title = " ".join(rng.choices(_WORDS, k=rng.randint(2, 5))).title()
    return {
        "id": str(number),
        "title": title,
        "description": " ".join(rng.choices(_WORDS, k=rng.randint(8, 30))),
        "folder_id": str(rng.randint(1, 500)),
        "user_id": str(rng.randint(1, 2000)),
        "updated_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
        "deleted": rng.random() < 0.05,
        "kind": kind,
        "dashboard_elements": [
            {
                "id": str(number * 100 + i),
                "title": " ".join(rng.choices(_WORDS, k=3)),
                "type": rng.choice(["vis", "text", "look"]),
                "query": {
                    "model": rng.choice(_WORDS),
                    "view": rng.choice(_WORDS),
                    "fields": [f"{rng.choice(_WORDS)}.{rng.choice(_WORDS)}" for _ in range(4)],
                    "filters": {rng.choice(_WORDS): str(rng.randint(0, 10_000))},
                    "limit": str(rng.choice([500, 1000, 5000])),
                },
                "layout": {"row": rng.randint(0, 40), "column": rng.randint(0, 24)},
            }
            for i in range(rng.randint(1, 6))
        ],
    }


_POOL_SIZE = 4096


def _rows(rng: random.Random, target_bytes: int) -> Iterator[tuple[str, str, str, str]]:
    """Rows drawn from a pool of varied documents (each row gets its own id): fast to make,
    and far more varied than gzip's 32 KiB window, so compression ratios stay realistic."""
    pool = [
        json.dumps(_document(rng, _TYPES[i % len(_TYPES)], i), separators=(",", ":"))
        for i in range(_POOL_SIZE)
    ]
    written = 0
    number = 0
    while written < target_bytes:
        number += 1
        kind = _TYPES[number % len(_TYPES)]
        data = f'{{"row":{number},' + rng.choice(pool)[1:]
        written += len(data) * 5 // 4
        yield kind, str(number), f"{kind.title()} {number}", data


def make_sample_db(path: Path, target_bytes: int, seed: int = 0) -> Path:
    """Write a new database of roughly `target_bytes`, as `lookervault extract` leaves it (the
    store's schema, WAL mode, one completed run); refuses to replace an existing file."""
    if path.exists():
        raise FileExistsError(path)
    rng = random.Random(seed)
    store.connect(path).close()
    connection = dbfile.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.executemany(
            "INSERT INTO content (type, id, title, data) VALUES (?, ?, ?, ?)",
            _rows(rng, target_bytes),
        )
        connection.commit()
        counts = dict(connection.execute("SELECT type, count(*) FROM content GROUP BY type"))
        connection.isolation_level = None
        run_id = store.start_run(
            connection,
            types=sorted(counts),
            page_size=100,
            workers=1,
            looker_host="sample.looker.example",
            started_at=_SAMPLE_TIME,
        )
        store.finish_run(
            connection,
            run_id,
            status="complete",
            finished_at=_SAMPLE_TIME,
            counts=counts,
            errors=[],
        )
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()
    return path
