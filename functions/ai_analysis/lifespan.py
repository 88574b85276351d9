"""What ai-analysis keeps per process: the service, its LLM client, its counters and rate limit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from functions._shared.database import Database
from functions._shared.runtime import Runtime
from functions._shared.settings import FunctionSettings
from functions.ai_analysis.cache import PatternCache
from functions.ai_analysis.llm import LlmAnalyst, create_client, generation_budget, output_schema
from functions.ai_analysis.patterns import key_version
from functions.ai_analysis.prices import load_price_table
from functions.ai_analysis.prompt import PROMPT_TEXT
from functions.ai_analysis.ratelimit import RateLimiter
from functions.ai_analysis.service import AnalysisService
from functions.ai_analysis.usage import UsageCounter

STATE_KEY = "ai_analysis"
# Waiters give a generation this much longer than its own budget before they
# answer by rules; a claim outlives the budget by more, so a live holder never
# loses its key to a second generator.
WAIT_MARGIN_SECONDS = 5.0
LEASE_MARGIN_SECONDS = 10.0


@dataclass(frozen=True)
class AiAnalysisState:
    """The per-process objects the route reads from `request.state.ai_analysis`."""

    service: AnalysisService
    limiter: RateLimiter


def build_state(
    settings: FunctionSettings, database: Database, http: httpx.AsyncClient
) -> AiAnalysisState:
    """The service for `settings`: with an LLM when OPENAI_API_KEY is set, else rules only."""
    budget = generation_budget(
        settings.maxpulse_ai_timeout_seconds, settings.maxpulse_ai_max_retries
    )
    api_key = settings.openai_api_key.get_secret_value().strip() if settings.openai_api_key else ""
    analyst = None
    if api_key:
        client = create_client(
            api_key,
            settings.openai_base_url,
            http,
            settings.maxpulse_ai_timeout_seconds,
            settings.maxpulse_ai_max_retries,
        )
        analyst = LlmAnalyst(client, settings.maxpulse_ai_model, budget)
    service = AnalysisService(
        cache=PatternCache(
            database,
            ttl_seconds=settings.maxpulse_ai_cache_ttl_seconds,
            lease_seconds=int(budget + LEASE_MARGIN_SECONDS),
        ),
        analyst=analyst,
        usage=UsageCounter(database),
        key_version=key_version(PROMPT_TEXT, settings.maxpulse_ai_model, output_schema()),
        prices=load_price_table(),
        wait_seconds=budget + WAIT_MARGIN_SECONDS,
    )
    return AiAnalysisState(service, RateLimiter(settings.maxpulse_ai_rate_limit_per_minute))


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[Mapping[str, Any]]:
    """Start the usage counter with the process; write its last counts at shutdown."""
    state = build_state(runtime.settings, runtime.database, runtime.http)
    state.service.usage.start()
    try:
        yield {STATE_KEY: state}
    finally:
        await state.service.usage.stop()
