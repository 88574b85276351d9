"""analytics-aggregator: roll-ups of analytics events and metrics for the dashboards."""

from __future__ import annotations

from functions._shared.pending import pending_function

function = pending_function(
    "analytics-aggregator",
    "Aggregate analytics for the dashboards",
    "it will roll up analytics events and performance metrics for the dashboards.",
)
