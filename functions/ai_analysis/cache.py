"""The pattern cache in the database: look up or claim a key, record what a generation cost.

Each call is one statement of a SQL function in `private` (see the migration
`ai_analysis_cache`), so the rules that keep the cache right (one row per key,
one generator per key across processes, expiry, idempotent records) are the
database's, and each call is one round trip.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from functions._shared.database import Database
from functions.ai_analysis.llm import LlmAnswer
from functions.ai_analysis.patterns import Pattern

CLAIM = "select status, analysis, fresh_seconds from private.claim_ai_analysis(%s, %s)"
RECORD_GENERATION = "select private.record_ai_generation(%s, %s, %s, %s, %s, %s)"

# After a failed generation, the key answers by rules for this long before the
# LLM is asked again: a failing or refusing upstream is not called once per request.
FAILED_KEY_SECONDS = 30


@dataclass(frozen=True)
class Claim:
    """hit (with the cached analysis and how long it stays fresh), claimed, busy or failed."""

    status: str
    analysis: dict[str, Any] | None = None
    fresh_seconds: float = 0.0


class PatternCache:
    """The cache rows and leases of ai-analysis, through the function's SQL functions."""

    def __init__(self, database: Database, *, ttl_seconds: int, lease_seconds: int) -> None:
        self.database = database
        self.ttl_seconds = ttl_seconds
        self.lease_seconds = lease_seconds

    async def claim(self, key: str) -> Claim:
        """The fresh cached analysis of `key`, else the right to generate it, else why not."""
        rows = await self.database.fetch_all(CLAIM, (key, self.lease_seconds))
        status, analysis, fresh_seconds = rows[0]
        return Claim(status, analysis, fresh_seconds or 0.0)

    async def record(
        self,
        key: str,
        version: str,
        pattern: Pattern,
        answer: LlmAnswer,
        cost_usd: Decimal | None,
    ) -> None:
        """Store one LLM call; with an analysis, cache it and free the key, else mark the key failed."""
        generation = {
            "id": str(uuid.uuid4()),
            "input_hash": key,
            "key_version": version,
            "model": answer.model,
            "outcome": answer.outcome,
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": answer.completion_tokens,
            "cost_usd": str(cost_usd) if cost_usd is not None else None,
            "duration_ms": round(answer.seconds * 1000),
        }
        analysis = Jsonb(answer.analysis.as_json()) if answer.analysis is not None else None
        await self.database.fetch_all(
            RECORD_GENERATION,
            (
                Jsonb(generation),
                Jsonb(pattern.as_json()),
                pattern.assessment_type,
                analysis,
                self.ttl_seconds,
                FAILED_KEY_SECONDS,
            ),
        )
