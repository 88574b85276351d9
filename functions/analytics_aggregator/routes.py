"""The analytics-aggregator's routes.

POST /functions/v1/analytics-aggregator   one run of the aggregator (service_role only)
GET  /functions/v1/analytics-aggregator   get_distributor_analytics' document, run as the caller
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

import psycopg
from fastapi import APIRouter, Query
from fastapi.responses import Response

from functions._shared.dependencies import Caller, Db, ServiceCaller
from functions._shared.errors import Forbidden, ValidationFailed
from functions._shared.openapi import error_responses
from functions.analytics_aggregator.models import (
    AggregateRequest,
    AggregationSummary,
    AnalyticsDocument,
)
from maxpulse_tools.analytics.aggregate import AGGREGATE, AggregationRun

# The document as the database renders it: no parsing and re-serializing.
DOCUMENT = "select public.get_distributor_analytics(%s, %s)::text"

router = APIRouter()


@router.post(
    "/",
    response_model=AggregationSummary,
    summary="Roll up new analytics events",
    description=(
        "One run of the aggregator: resumes from the last run's watermark and recounts the "
        "last two days (and from `since`, when given) of every distributor's local days. "
        "Runs one at a time; a concurrent call waits, then does what is left. For schedulers."
    ),
    responses=error_responses(400, 401, 403, 413, 415, 422, 503),
)
async def aggregate(
    _caller: ServiceCaller, database: Db, body: AggregateRequest | None = None
) -> AggregationSummary:
    """Run the aggregator once, as service_role."""
    since = body.since if body else None
    async with database.as_service() as conn:
        cursor = await conn.execute(AGGREGATE, (since,))
        row = await cursor.fetchone()
    assert row is not None
    return AggregationSummary(**asdict(AggregationRun.from_summary(row[0])))


@router.get(
    "/",
    response_model=AnalyticsDocument,
    summary="A distributor's analytics",
    description=(
        "The document `supabase.rpc('get_distributor_analytics', {distributor_id, period_days})` "
        "answers: totals, a per-day series, the funnel and top links of the last `periodDays` "
        "local days. Run as the caller, under row-level security: distributors get their own "
        "numbers, admins and service_role anyone's."
    ),
    responses=error_responses(401, 403, 422, 503),
)
async def distributor_analytics(
    caller: Caller,
    database: Db,
    distributor_id: Annotated[
        UUID | None,
        Query(alias="distributorId", description="Whose numbers (default: the caller's)"),
    ] = None,
    period_days: Annotated[
        int,
        Query(alias="periodDays", ge=1, le=365, description="How many local days, today included"),
    ] = 30,
) -> Response:
    """get_distributor_analytics for the caller, errors in the functions' envelope."""
    if distributor_id is None and caller.role == "service_role":
        raise ValidationFailed(
            "distributorId is required with a service_role token", field="distributorId"
        )
    try:
        async with database.as_user(caller) as conn:
            cursor = await conn.execute(DOCUMENT, (distributor_id, period_days))
            row = await cursor.fetchone()
    except psycopg.errors.InsufficientPrivilege as exc:
        raise Forbidden(_sentence(exc, "you may not read these analytics")) from None
    except psycopg.errors.InvalidParameterValue as exc:
        # periodDays is checked above; what is left is an id that names no distributor
        raise ValidationFailed(
            _sentence(exc, "no such distributor"), field="distributorId"
        ) from None
    assert row is not None
    return Response(row[0], media_type="application/json")


def _sentence(exc: psycopg.Error, fallback: str) -> str:
    return exc.diag.message_primary or fallback
