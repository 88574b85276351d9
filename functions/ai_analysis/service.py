"""One analysis request, from the assessment to the response body.

With an LLM configured, the assessment's pattern names a cache row; the rows
this process served last are answered from memory for a few seconds
(`RecentAnalyses`). Requests for the same key in this process share one
resolution (`SingleFlight`); the
resolution asks the database for the row or for the right to generate it, so
processes sharing the database generate each key once too, while the others
poll for the stored row. Whatever cannot produce an LLM answer in time (no
key, an LLM failure, a database outage, a wait that ran out) is answered by
the rules, marked `"source": "rules"`, and never stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import psycopg

from functions._shared.errors import DatabaseUnavailable, FunctionError
from functions.ai_analysis.cache import PatternCache
from functions.ai_analysis.llm import LlmAnalyst
from functions.ai_analysis.memory import RecentAnalyses
from functions.ai_analysis.models import AssessmentInput
from functions.ai_analysis.patterns import Pattern, cache_key, pattern_of
from functions.ai_analysis.prices import ModelPrice, estimate_cost
from functions.ai_analysis.rules import analyse_by_rules
from functions.ai_analysis.singleflight import SingleFlight
from functions.ai_analysis.usage import UsageCounter

logger = logging.getLogger(__name__)

FIRST_POLL_SECONDS = 0.05
MAX_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Resolution:
    """How a key was resolved: hit (from the cache), generated (a new LLM call) or unavailable."""

    kind: str
    text: dict[str, Any] | None = None


@dataclass(frozen=True)
class Answer:
    """What one request is answered with, before the person's scores are added."""

    text: dict[str, Any]
    cached: bool
    source: str


class AnalysisService:
    """Answers analysis requests: the pattern cache and the LLM when there is a key, else the rules."""

    def __init__(
        self,
        *,
        cache: PatternCache,
        analyst: LlmAnalyst | None,
        usage: UsageCounter,
        key_version: str,
        prices: dict[str, ModelPrice],
        wait_seconds: float,
    ) -> None:
        self.cache = cache
        self.analyst = analyst
        self.usage = usage
        self.key_version = key_version
        self.prices = prices
        self.wait_seconds = wait_seconds
        self.flights: SingleFlight[str, Resolution] = SingleFlight()
        self.recent = RecentAnalyses()

    async def respond(self, assessment: AssessmentInput) -> dict[str, Any]:
        """The response body for one assessment."""
        started = time.perf_counter()
        answer = await self.answer(assessment)
        return {
            "analysis": with_scores(answer.text, assessment),
            "cached": answer.cached,
            "source": answer.source,
            "processingTime": round((time.perf_counter() - started) * 1000, 2),
        }

    async def answer(self, assessment: AssessmentInput) -> Answer:
        """The analysis text for `assessment`, counted as hit, miss or rules."""
        if self.analyst is None:
            return self._by_rules(assessment)
        pattern = pattern_of(assessment)
        key = cache_key(self.key_version, pattern)
        recent = self.recent.get(key)
        if recent is not None:
            self.usage.count("hit", key)
            return Answer(recent, cached=True, source="llm")
        try:
            shared = await self.flights.run(
                key, lambda: self._resolve(key, pattern), self.wait_seconds
            )
        except TimeoutError:
            return self._by_rules(assessment)
        resolution = shared.value
        if resolution.text is None:
            return self._by_rules(assessment)
        if resolution.kind == "generated" and not shared.joined:
            self.usage.count("miss")
            return Answer(resolution.text, cached=False, source="llm")
        self.usage.count("hit", key)
        return Answer(resolution.text, cached=True, source="llm")

    def _by_rules(self, assessment: AssessmentInput) -> Answer:
        self.usage.count("rules")
        return Answer(analyse_by_rules(assessment).as_json(), cached=False, source="rules")

    async def _resolve(self, key: str, pattern: Pattern) -> Resolution:
        """The cached row, a new generation, or unavailable; waits while another process generates."""
        deadline = time.monotonic() + self.wait_seconds
        pause = FIRST_POLL_SECONDS
        try:
            while True:
                claim = await self.cache.claim(key)
                if claim.status == "hit" and claim.analysis is not None:
                    self.recent.put(key, claim.analysis, claim.fresh_seconds)
                    return Resolution("hit", claim.analysis)
                if claim.status == "claimed":
                    return await self._generate(key, pattern)
                if claim.status == "failed" or time.monotonic() + pause > deadline:
                    return Resolution("unavailable")
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_POLL_SECONDS)
        except DatabaseUnavailable:
            return Resolution("unavailable")  # the pool logs an outage once, not per request
        except (FunctionError, psycopg.Error) as exc:
            logger.warning("ai-analysis answers by rules: the pattern cache failed: %s", exc)
            return Resolution("unavailable")

    async def _generate(self, key: str, pattern: Pattern) -> Resolution:
        assert self.analyst is not None
        answer = await self.analyst.analyse(pattern)
        cost = estimate_cost(
            answer.model, answer.prompt_tokens, answer.completion_tokens, self.prices
        )
        text = answer.analysis.as_json() if answer.analysis is not None else None
        try:
            await self.cache.record(key, self.key_version, pattern, answer, cost)
        except (FunctionError, psycopg.Error) as exc:
            # The answer is still good for this request; the key's lease runs out by itself.
            logger.warning("an LLM analysis could not be stored: %s", exc)
        else:
            if text is not None:
                self.recent.put(key, text, self.cache.ttl_seconds)
        return Resolution("generated" if text is not None else "unavailable", text)


def with_scores(text: dict[str, Any], assessment: AssessmentInput) -> dict[str, Any]:
    """The analysis text with each area's score: the person's own, never the pattern's."""
    metrics = assessment.health_metrics
    insights = [
        {
            "area": insight["area"],
            "score": as_number(getattr(metrics, insight["area"])),
            "message": insight["message"],
            "recommendation": insight["recommendation"],
        }
        for insight in text["areaInsights"]
    ]
    return {**text, "areaInsights": insights}


def as_number(value: float) -> int | float:
    """7.0 as 7, as the frontend sent it; 7.5 as it is."""
    return int(value) if value.is_integer() else value
