"""Asking the LLM for a pattern's analysis, with OpenAI's structured output.

The OpenAI SDK sends the JSON schema of `AnalysisText` as a strict
`response_format` and parses the answer back into the model. What can go
wrong comes back as an outcome, never as an exception, so the caller can fall
back to the rules: the model refused (`message.refusal`), the answer was cut
off, filtered or does not fit the schema (`invalid_output`), the time budget
ran out (`timeout`), or the server failed after the SDK's retries
(`upstream_error`). Tokens are counted for failed calls too when the server
reported them: a refusal costs money as well.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import openai
import pydantic
from openai import AsyncOpenAI

from functions.ai_analysis.models import AnalysisText
from functions.ai_analysis.patterns import Pattern
from functions.ai_analysis.prompt import prompt_messages

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LlmAnswer:
    """One LLM call: its outcome, the analysis when it succeeded, and what it used."""

    outcome: str  # stored | refused | invalid_output | timeout | upstream_error
    analysis: AnalysisText | None
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    seconds: float


def output_schema() -> dict[str, Any]:
    """The JSON schema of the analysis the LLM must produce (part of the key version)."""
    return AnalysisText.model_json_schema()


class LlmAnalyst:
    """Writes analyses of patterns with one model, within a time budget per analysis."""

    def __init__(self, client: AsyncOpenAI, model: str, budget_seconds: float) -> None:
        self.client = client
        self.model = model
        self.budget_seconds = budget_seconds

    async def analyse(self, pattern: Pattern) -> LlmAnswer:
        """The LLM's analysis of `pattern`, or the reason there is none."""
        started = time.perf_counter()
        raw: Any = None
        try:
            async with asyncio.timeout(self.budget_seconds):
                raw = await self.client.chat.completions.with_raw_response.parse(
                    model=self.model,
                    messages=prompt_messages(pattern),  # type: ignore[arg-type]
                    response_format=AnalysisText,
                )
            completion = raw.parse()
        except (TimeoutError, openai.APITimeoutError):
            return self._answer("timeout", None, None, started)
        except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
            cut = exc.completion
            body = cut.model_dump(include={"model", "usage"}) if cut is not None else None
            return self._answer("invalid_output", None, body, started)
        except pydantic.ValidationError as exc:
            logger.warning("the LLM's analysis does not fit the schema: %s", _first_error(exc))
            return self._answer("invalid_output", None, _response_json(raw), started)
        except openai.OpenAIError as exc:
            logger.warning("the LLM call failed: %s", _describe(exc))
            return self._answer("upstream_error", None, None, started)
        message = completion.choices[0].message
        body = completion.model_dump(include={"model", "usage"})
        if message.refusal:
            logger.info("the LLM refused to analyse a pattern: %s", message.refusal[:200])
            return self._answer("refused", None, body, started)
        if message.parsed is None:
            return self._answer("invalid_output", None, body, started)
        return self._answer("stored", message.parsed, body, started)

    def _answer(
        self,
        outcome: str,
        analysis: AnalysisText | None,
        body: dict[str, Any] | None,
        started: float,
    ) -> LlmAnswer:
        usage = (body or {}).get("usage") or {}
        model = (body or {}).get("model") or self.model
        return LlmAnswer(
            outcome=outcome,
            analysis=analysis,
            model=str(model)[:200],
            prompt_tokens=_tokens(usage.get("prompt_tokens")),
            completion_tokens=_tokens(usage.get("completion_tokens")),
            seconds=time.perf_counter() - started,
        )


def _tokens(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _response_json(raw: Any) -> dict[str, Any] | None:
    """The parsed body of a raw response whose content failed validation."""
    try:
        body = raw.http_response.json()
    except Exception:  # a body that is not JSON has no usage to report
        return None
    return body if isinstance(body, dict) else None


def _first_error(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first.get("loc", ()))
    return f"{location}: {first.get('msg')}" if location else str(first.get("msg"))


def _describe(exc: openai.OpenAIError) -> str:
    """The status and type of an SDK error; its message may quote the request."""
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} ({type(exc).__name__})"
    return type(exc).__name__


def create_client(
    api_key: str,
    base_url: str | None,
    http_client: Any,
    timeout_seconds: float,
    max_retries: int,
) -> AsyncOpenAI:
    """An SDK client that sends through the runtime's shared HTTP client."""
    return AsyncOpenAI(
        api_key=api_key,
        base_url=base_url or "https://api.openai.com/v1",
        http_client=http_client,
        timeout=timeout_seconds,
        max_retries=max_retries,
    )


def generation_budget(timeout_seconds: float, max_retries: int) -> float:
    """Longest an analysis may take: every attempt times out, plus the SDK's backoff between them."""
    return timeout_seconds * (max_retries + 1) + 2.0 * max_retries
