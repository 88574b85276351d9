"""POST /functions/v1/ai-analysis: the analysis of one completed assessment.

    supabase.functions.invoke('ai-analysis', {body: {input}})

The anon key or a user token is enough; each caller (a user, or the client
address behind the anon key) gets `MAXPULSE_AI_RATE_LIMIT_PER_MINUTE` requests a
minute, then 429 with Retry-After. The service_role key is not limited.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from functions._shared.auth import Claims
from functions._shared.dependencies import Caller
from functions._shared.errors import RateLimited
from functions._shared.openapi import error_responses
from functions.ai_analysis.lifespan import STATE_KEY, AiAnalysisState
from functions.ai_analysis.models import AnalysisRequest, AnalysisResponse
from functions.ai_analysis.ratelimit import retry_after_header

router = APIRouter()


def caller_identity(claims: Claims, client_host: str | None) -> str | None:
    """Whom a request counts against: the user, else the client address; None for service_role."""
    if claims.role == "service_role":
        return None
    if claims.user_id:
        return f"user:{claims.user_id}"
    return f"address:{client_host or 'unknown'}"


@router.post(
    "/",
    response_model=AnalysisResponse,
    summary="Analyse a completed health assessment",
    description=(
        "Answers from the pattern cache (age decade, scores rounded to even numbers), with a new "
        "LLM call on a miss, or by the rule-based analyzer when there is no API key or the LLM "
        "fails (`source: rules`). Concurrent requests for one pattern share one LLM call."
    ),
    responses=error_responses(400, 401, 413, 415, 422, 429),
)
async def analyse(body: AnalysisRequest, request: Request, claims: Caller) -> Response:
    """The analysis of one assessment, with the person's own scores."""
    state: AiAnalysisState = getattr(request.state, STATE_KEY)
    identity = caller_identity(claims, request.client.host if request.client else None)
    if identity is not None:
        wait = state.limiter.acquire(identity)
        if wait is not None:
            raise RateLimited(
                "too many analysis requests; try again in a moment",
                headers={"retry-after": retry_after_header(wait)},
            )
    payload = await state.service.respond(body.input)
    return Response(orjson.dumps(payload), media_type="application/json")
