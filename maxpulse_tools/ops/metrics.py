"""`performance_metrics` for operations: health runs written, function latencies read back.

The functions write one row per function, route, method and status every
10 seconds (`metric_type = 'http_request_duration'`, count and percentiles in
`tags`); the status page reads them back per function and time bucket.
Health runs add one row per check (`component_name = 'maxpulse/health'`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from maxpulse_tools.ops.checks import CheckResult

HEALTH_COMPONENT = "maxpulse/health"
HEALTH_METRIC_TYPE = "health_check_latency"
REQUEST_METRIC_TYPE = "http_request_duration"

INSERT_HEALTH_ROWS = """
insert into public.performance_metrics (component_name, metric_type, metric_value, unit, tags)
select %(component)s, %(metric_type)s, r.latency_ms, 'ms', r.tags
from jsonb_to_recordset(%(rows)s::jsonb) as r(latency_ms double precision, tags jsonb)
"""

# Per function and bucket: requests summed; p50 the count-weighted mean of the
# windows' medians, p95 the highest of the windows' p95 (percentiles of windows
# cannot be merged exactly; these stay close and never hide a slow window).
FUNCTION_LATENCY_SERIES = """
select
  m.tags ->> 'function' as function_name,
  to_timestamp(floor(extract(epoch from m.recorded_at) / %(bucket)s) * %(bucket)s) as bucket_start,
  sum((m.tags ->> 'count')::bigint) as requests,
  sum((m.tags ->> 'p50')::double precision * (m.tags ->> 'count')::bigint)
    / nullif(sum((m.tags ->> 'count')::bigint), 0) as p50_ms,
  max((m.tags ->> 'p95')::double precision) as p95_ms
from public.performance_metrics as m
where m.metric_type = %(metric_type)s
  and m.recorded_at >= now() - make_interval(hours => %(hours)s)
  and m.tags ? 'function' and m.tags ? 'count'
group by 1, 2
order by 1, 2
"""


@dataclass(frozen=True)
class LatencyPoint:
    """One function's requests in one time bucket."""

    bucket_start: datetime
    requests: int
    p50_ms: float
    p95_ms: float


def health_rows(results: Sequence[CheckResult]) -> list[dict[str, Any]]:
    """The performance_metrics rows of one health run: the checks that took a measurable time."""
    return [
        {
            "latency_ms": round(result.latency_ms, 3),
            "tags": {"check": result.name, "status": result.status.value, "detail": result.detail},
        }
        for result in results
        if result.latency_ms is not None
    ]


def record_health(conn: Any, results: Sequence[CheckResult]) -> int:
    """Insert one row per timed check; returns how many."""
    rows = health_rows(results)
    if rows:
        conn.execute(
            INSERT_HEALTH_ROWS,
            {
                "component": HEALTH_COMPONENT,
                "metric_type": HEALTH_METRIC_TYPE,
                "rows": json.dumps(rows),
            },
        )
    return len(rows)


def function_latency_series(
    conn: Any, *, hours: int, bucket_seconds: int
) -> dict[str, list[LatencyPoint]]:
    """The last `hours` of request counts and latencies per function, in buckets."""
    cursor = conn.execute(
        FUNCTION_LATENCY_SERIES,
        {"bucket": bucket_seconds, "hours": hours, "metric_type": REQUEST_METRIC_TYPE},
    )
    series: dict[str, list[LatencyPoint]] = {}
    for name, bucket_start, requests, p50_ms, p95_ms in cursor.fetchall():
        series.setdefault(name, []).append(
            LatencyPoint(bucket_start, int(requests), float(p50_ms or 0.0), float(p95_ms or 0.0))
        )
    return series
