"""The status page: one self-refreshing HTML page with the checks and per-function latency charts.

Rendered on the server (charts are inline SVG), so there is no build step and
no script: the page is readable with JavaScript off and in any browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from html import escape

from maxpulse_tools.ops.checks import CheckResult
from maxpulse_tools.ops.health import HealthReport
from maxpulse_tools.ops.metrics import LatencyPoint

CHART_WIDTH, CHART_HEIGHT, MARGIN = 640, 160, 36
STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1d232b}
h1{font-size:1.4rem}.verdict{padding:.1rem .5rem;border-radius:.3rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #dde}
.healthy{background:#dcf5e3}.degraded{background:#fff1c2}.unhealthy{background:#ffd6d6;font-weight:600}
.skipped{color:#777}svg{background:#fafbfc;border:1px solid #dde}.p50{stroke:#2c7be5}.p95{stroke:#d6336c}
.bar{fill:#cfd6e0}.p50-key{color:#2c7be5}.p95-key{color:#d6336c}.axis{font-size:11px;fill:#555}figure{margin:1.2rem 0}
"""


def render_status_page(
    report: HealthReport,
    series: Mapping[str, Sequence[LatencyPoint]] | None,
    *,
    hours: int,
    refresh_seconds: int,
) -> str:
    """The whole page: verdict, one row per check, one chart per function."""
    status = report.status.value
    rows = "\n".join(_check_row(result) for result in report.results)
    charts = _charts(series, report.checked_at, hours)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{refresh_seconds}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>maxpulse status: {status}</title><style>{STYLE}</style></head>
<body>
<h1>maxpulse status: <span id="verdict" class="verdict {status}">{status}</span></h1>
<p>Checked {report.checked_at:%Y-%m-%d %H:%M:%S} UTC; this page refreshes every {refresh_seconds} s.</p>
<table id="checks"><thead><tr><th>Check</th><th>Status</th><th>Latency</th><th>Detail</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>Functions, last {hours} h</h2>
{charts}
</body></html>
"""


def _check_row(result: CheckResult) -> str:
    latency = "" if result.latency_ms is None else f"{result.latency_ms:.0f} ms"
    status = result.status.value
    return (
        f'<tr class="check {status}" data-check="{escape(result.name)}" data-status="{status}">'
        f"<td>{escape(result.name)}</td><td>{status}</td><td>{latency}</td>"
        f"<td>{escape(result.detail)}</td></tr>"
    )


def _charts(series: Mapping[str, Sequence[LatencyPoint]] | None, now: datetime, hours: int) -> str:
    if series is None:
        return "<p>No request timings: the database could not be read.</p>"
    if not series:
        return "<p>No requests recorded in this period.</p>"
    return "\n".join(
        f'<figure data-function="{escape(name)}"><figcaption>{escape(name)}: '
        f"{sum(p.requests for p in points)} requests (grey bars),"
        ' <span class="p50-key">p50</span> and <span class="p95-key">p95</span> latency</figcaption>'
        f"{latency_chart_svg(points, now - timedelta(hours=hours), now)}</figure>"
        for name, points in sorted(series.items())
    )


def latency_chart_svg(points: Sequence[LatencyPoint], start: datetime, end: datetime) -> str:
    """Requests as bars, p50 and p95 as lines, over time from `start` to `end`."""
    span = max((end - start).total_seconds(), 1.0)
    top_ms = max([p.p95_ms for p in points] + [1.0])
    top_count = max([p.requests for p in points] + [1])
    plot_w, plot_h = CHART_WIDTH - 2 * MARGIN, CHART_HEIGHT - 2 * MARGIN

    def x(moment: datetime) -> float:
        return MARGIN + plot_w * min(max((moment - start).total_seconds() / span, 0.0), 1.0)

    def y(value: float, top: float) -> float:
        return MARGIN + plot_h * (1 - value / top)

    bars = "".join(
        f'<rect class="bar" x="{x(p.bucket_start):.1f}" y="{y(p.requests, top_count):.1f}"'
        f' width="3" height="{plot_h - (y(p.requests, top_count) - MARGIN):.1f}">'
        f"<title>{p.requests} requests</title></rect>"
        for p in points
    )
    lines = "".join(
        f'<polyline class="{name}" fill="none" stroke-width="2" points="'
        + " ".join(
            f"{x(p.bucket_start):.1f},{y(getattr(p, name + '_ms'), top_ms):.1f}" for p in points
        )
        + '"/>'
        for name in ("p50", "p95")
    )
    dots = "".join(
        f'<circle class="{name}" fill="none" stroke-width="2" r="2" cx="{x(p.bucket_start):.1f}"'
        f' cy="{y(getattr(p, name + "_ms"), top_ms):.1f}"><title>{name} {getattr(p, name + "_ms"):.1f} ms'
        "</title></circle>"
        for p in points
        for name in ("p50", "p95")
    )
    axis = (
        f'<text class="axis" x="{MARGIN}" y="{MARGIN - 8}">{top_ms:.0f} ms</text>'
        f'<text class="axis" x="{MARGIN}" y="{CHART_HEIGHT - 10}">{start:%H:%M}</text>'
        f'<text class="axis" x="{CHART_WIDTH - MARGIN}" y="{CHART_HEIGHT - 10}"'
        f' text-anchor="end">{end:%H:%M} UTC</text>'
    )
    return (
        f'<svg role="img" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="{CHART_WIDTH}"'
        f' height="{CHART_HEIGHT}" xmlns="http://www.w3.org/2000/svg">{bars}{lines}{dots}{axis}</svg>'
    )
