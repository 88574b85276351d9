"""analytics-aggregator: roll-ups of analytics events and metrics for the dashboards."""

from __future__ import annotations

from functions._shared.pending import PendingFunction


class AnalyticsAggregator(PendingFunction):
    name = "analytics-aggregator"
    summary = "Aggregate analytics for the dashboards"
    planned = "it will roll up analytics events and performance metrics for the dashboards."
