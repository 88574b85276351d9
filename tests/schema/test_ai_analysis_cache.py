"""The ai-analysis cache's SQL functions: claims, leases, stored generations, usage batches.

Each test runs in one rolled-back transaction, so now() stands still: expiry
is simulated by moving expires_at and held_until into the past.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

KEY = "ab" * 32
OTHER_KEY = "cd" * 32
VERSION = "0123456789abcdef"
PATTERN = {
    "assessmentType": "health",
    "ageDecade": 30,
    "healthMetrics": {"hydration": 8, "sleep": 6, "exercise": 8, "nutrition": 8},
}
ANALYSIS = {"overallGrade": "B", "overallMessage": "Good."}


def claim(db: psycopg.Connection[Any], key: str = KEY) -> tuple[str, Any]:
    row = db.execute(
        "select status, analysis from private.claim_ai_analysis(%s, 60)", (key,)
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def record(
    db: psycopg.Connection[Any],
    *,
    analysis: dict[str, Any] | None = ANALYSIS,
    outcome: str = "stored",
    generation_id: uuid.UUID | None = None,
    key: str = KEY,
    ttl_seconds: int = 3600,
) -> uuid.UUID:
    generation_id = generation_id or uuid.uuid4()
    generation = {
        "id": str(generation_id),
        "input_hash": key,
        "key_version": VERSION,
        "model": "gpt-4.1-mini-2025-04-14",
        "outcome": outcome,
        "prompt_tokens": 310,
        "completion_tokens": 420,
        "cost_usd": "0.00079600",
        "duration_ms": 2300,
    }
    db.execute(
        "select private.record_ai_generation(%s, %s, 'health', %s, %s, 30)",
        (Jsonb(generation), Jsonb(PATTERN), Jsonb(analysis) if analysis else None, ttl_seconds),
    )
    return generation_id


def test_first_claim_of_a_missing_key_wins_and_the_next_is_busy(
    db: psycopg.Connection[Any],
) -> None:
    assert claim(db) == ("claimed", None)
    assert claim(db) == ("busy", None)
    assert claim(db, OTHER_KEY) == ("claimed", None)


def test_a_stored_generation_is_a_hit_and_frees_the_key(db: psycopg.Connection[Any]) -> None:
    claim(db)

    record(db)

    assert claim(db) == ("hit", ANALYSIS)
    assert db.execute("select count(*) from private.ai_analysis_leases").fetchone() == (0,)
    row = db.execute(
        "select key_version, pattern, model, expires_at - now(), hit_count"
        " from public.ai_analysis_results where input_hash = %s",
        (KEY,),
    ).fetchone()
    assert row is not None
    assert row[:3] == (VERSION, PATTERN, "gpt-4.1-mini-2025-04-14")
    assert row[3].total_seconds() == 3600
    assert row[4] == 0


def test_the_generation_is_recorded_with_its_cost(db: psycopg.Connection[Any]) -> None:
    generation_id = record(db)

    row = db.execute(
        "select outcome, prompt_tokens, completion_tokens, cost_usd, duration_ms"
        " from public.ai_analysis_generations where id = %s",
        (generation_id,),
    ).fetchone()
    assert row == ("stored", 310, 420, Decimal("0.00079600"), 2300)


def test_recording_a_generation_twice_counts_it_once(db: psycopg.Connection[Any]) -> None:
    generation_id = record(db)
    record(db, generation_id=generation_id)

    count = db.execute(
        "select count(*) from public.ai_analysis_generations where input_hash = %s", (KEY,)
    ).fetchone()
    assert count == (1,)


def test_an_expired_analysis_is_claimed_again_and_refreshed(db: psycopg.Connection[Any]) -> None:
    record(db)
    db.execute(
        "update public.ai_analysis_results set expires_at = now() - interval '1 second',"
        " created_at = now() - interval '2 hours' where input_hash = %s",
        (KEY,),
    )

    assert claim(db) == ("claimed", None)
    record(db, analysis={"overallGrade": "A"})

    assert claim(db) == ("hit", {"overallGrade": "A"})
    rows = db.execute(
        "select count(*) from public.ai_analysis_results where input_hash = %s", (KEY,)
    ).fetchone()
    assert rows == (1,)


def test_a_failed_generation_marks_the_key_failed(db: psycopg.Connection[Any]) -> None:
    claim(db)

    record(db, analysis=None, outcome="refused")

    assert claim(db) == ("failed", None)
    assert db.execute(
        "select count(*) from public.ai_analysis_results where input_hash = %s", (KEY,)
    ).fetchone() == (0,)


@pytest.mark.parametrize("state", ["generating", "failed"])
def test_an_expired_lease_can_be_claimed(db: psycopg.Connection[Any], state: str) -> None:
    db.execute(
        "insert into private.ai_analysis_leases (input_hash, state, held_until)"
        " values (%s, %s, now() - interval '1 second')",
        (KEY, state),
    )

    assert claim(db) == ("claimed", None)


def test_usage_batches_count_once(db: psycopg.Connection[Any]) -> None:
    record(db)
    batch = uuid.uuid4()
    before = dict(
        db.execute(
            "select outcome, requests from public.ai_analysis_usage"
            " where day = (now() at time zone 'utc')::date"
        ).fetchall()
    )

    applied = [
        db.execute(
            "select private.record_ai_usage(%s, %s, %s)",
            (batch, Jsonb({"hit": 3, "miss": 1, "rules": 0}), Jsonb({KEY: 3, OTHER_KEY: 2})),
        ).fetchone()
        for _ in range(2)
    ]

    assert applied == [(True,), (False,)]
    after = dict(
        db.execute(
            "select outcome, requests from public.ai_analysis_usage"
            " where day = (now() at time zone 'utc')::date"
        ).fetchall()
    )
    assert after.get("hit", 0) - before.get("hit", 0) == 3
    assert after.get("miss", 0) - before.get("miss", 0) == 1
    assert "rules" not in after or after["rules"] == before.get("rules")
    assert db.execute(
        "select hit_count from public.ai_analysis_results where input_hash = %s", (KEY,)
    ).fetchone() == (3,)


def test_api_roles_cannot_call_the_cache_functions(db: psycopg.Connection[Any]) -> None:
    db.execute("set local role authenticated")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        claim(db)


def test_a_claim_racing_a_store_finds_the_stored_analysis(database_factory: Any) -> None:
    """B claims while A's store (row written, lease deleted) is not committed: B waits, then hits."""
    url = database_factory(migrated=True)
    with (
        psycopg.connect(url, autocommit=True) as holder,
        psycopg.connect(url, autocommit=True) as other,
        ThreadPoolExecutor(1) as pool,
    ):
        claim(holder)
        with holder.transaction():
            record(holder)
            racing = pool.submit(claim, other)
            time.sleep(0.3)
            assert not racing.done()  # waiting for the lease row A deletes
        assert racing.result(timeout=5) == ("hit", ANALYSIS)
        assert holder.execute("select count(*) from private.ai_analysis_leases").fetchone() == (0,)
