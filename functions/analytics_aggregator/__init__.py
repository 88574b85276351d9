"""analytics-aggregator: the daily rollups of analytics events, and the dashboards' analytics document."""

from __future__ import annotations

from functions._shared.function import Function
from functions.analytics_aggregator.routes import router

function = Function(
    name="analytics-aggregator",
    summary="Analytics rollups and the dashboards' analytics",
    router=router,
)
