"""Analytics rollups: running the aggregator that keeps `distributor_daily_stats` current.

The counting itself lives in the database (`private.aggregate_analytics`);
this package calls it and reports what a run did.
"""

from maxpulse_tools.analytics.aggregate import AggregationRun, aggregate_analytics

__all__ = ["AggregationRun", "aggregate_analytics"]
