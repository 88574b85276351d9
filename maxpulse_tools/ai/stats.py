"""`maxpulse ai stats`: hit rate, LLM calls, tokens, cost and the cost the pattern cache saved.

Everything comes from what the function records: requests per UTC day and
outcome (`ai_analysis_usage`), one row per LLM call with its tokens and
estimated cost (`ai_analysis_generations`), and the cache rows themselves. A
hit saved one generation; its worth is the mean cost of the period's
successful generations (of all time when the period has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from maxpulse_tools.ai.tables import require_ai_tables

STATS_SQL = """
with period as (
  select ((now() at time zone 'utc')::date - (%(days)s - 1)) as since
),
usage as (
  select
    coalesce(sum(u.requests) filter (where u.outcome = 'hit'), 0) as hits,
    coalesce(sum(u.requests) filter (where u.outcome = 'miss'), 0) as misses,
    coalesce(sum(u.requests) filter (where u.outcome = 'rules'), 0) as rules
  from public.ai_analysis_usage as u, period as p
  where u.day >= p.since
),
calls as (
  select
    count(*) as llm_calls,
    count(*) filter (where g.outcome = 'stored') as stored,
    coalesce(sum(g.prompt_tokens), 0) as prompt_tokens,
    coalesce(sum(g.completion_tokens), 0) as completion_tokens,
    coalesce(sum(g.cost_usd), 0) as cost_usd,
    count(*) filter (where g.cost_usd is null) as unpriced,
    avg(g.cost_usd) filter (where g.outcome = 'stored') as mean_cost
  from public.ai_analysis_generations as g, period as p
  where g.created_at >= p.since::timestamp at time zone 'utc'
),
all_time as (
  select avg(g.cost_usd) as mean_cost
  from public.ai_analysis_generations as g
  where g.outcome = 'stored'
),
cache as (
  select count(*) as entries, count(*) filter (where r.expires_at > now()) as fresh
  from public.ai_analysis_results as r
)
select p.since, u.hits, u.misses, u.rules, c.llm_calls, c.stored, c.prompt_tokens,
  c.completion_tokens, c.cost_usd, c.unpriced, coalesce(c.mean_cost, a.mean_cost),
  k.entries, k.fresh
from period as p, usage as u, calls as c, all_time as a, cache as k
"""


@dataclass(frozen=True)
class AiStats:
    """What ai-analysis did and cost in a period of whole UTC days."""

    days: int
    since: date
    hits: int
    misses: int
    rules: int
    llm_calls: int
    stored: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    unpriced_calls: int
    mean_generation_cost: Decimal | None
    cache_entries: int
    cache_fresh: int

    @property
    def requests(self) -> int:
        return self.hits + self.misses + self.rules

    @property
    def hit_rate(self) -> float | None:
        """Hits among the requests the LLM path answered (rules answers left out)."""
        answered = self.hits + self.misses
        return self.hits / answered if answered else None

    @property
    def saved_usd(self) -> Decimal | None:
        """What the hits would have cost as generations."""
        if self.mean_generation_cost is None:
            return None
        return (self.hits * self.mean_generation_cost).quantize(Decimal("0.00000001"))


def collect_stats(conn: Any, days: int) -> AiStats:
    """The statistics of the last `days` UTC days (today included)."""
    require_ai_tables(conn)
    row = conn.execute(STATS_SQL, {"days": days}).fetchone()
    since, hits, misses, rules, calls, stored, prompt, completion, cost, unpriced = row[:10]
    mean_cost, entries, fresh = row[10:]
    return AiStats(
        days=days,
        since=since,
        hits=int(hits),
        misses=int(misses),
        rules=int(rules),
        llm_calls=calls,
        stored=stored,
        prompt_tokens=int(prompt),
        completion_tokens=int(completion),
        cost_usd=Decimal(cost),
        unpriced_calls=unpriced,
        mean_generation_cost=Decimal(mean_cost) if mean_cost is not None else None,
        cache_entries=entries,
        cache_fresh=fresh,
    )


def stats_json(stats: AiStats) -> dict[str, Any]:
    """The statistics for `--json`; money as decimal strings (exact), USD."""
    return {
        "days": stats.days,
        "since": stats.since.isoformat(),
        "requests": {
            "total": stats.requests,
            "hit": stats.hits,
            "miss": stats.misses,
            "rules": stats.rules,
        },
        "hit_rate": round(stats.hit_rate, 4) if stats.hit_rate is not None else None,
        "llm_calls": {
            "total": stats.llm_calls,
            "stored": stats.stored,
            "failed": stats.llm_calls - stats.stored,
        },
        "tokens": {"prompt": stats.prompt_tokens, "completion": stats.completion_tokens},
        "cost_usd": str(_money(stats.cost_usd)),
        "unpriced_calls": stats.unpriced_calls,
        "saved_usd": str(_money(stats.saved_usd)) if stats.saved_usd is not None else None,
        "cache": {
            "entries": stats.cache_entries,
            "fresh": stats.cache_fresh,
            "expired": stats.cache_entries - stats.cache_fresh,
        },
    }


def stats_lines(stats: AiStats) -> list[str]:
    """The statistics as aligned lines of text."""
    rate = f"{stats.hit_rate:.1%}" if stats.hit_rate is not None else "-"
    saved = (
        f"${_money(stats.saved_usd)}"
        if stats.saved_usd is not None
        else "unknown (no priced generation yet)"
    )
    unpriced = f", {stats.unpriced_calls} without a price" if stats.unpriced_calls else ""
    rows = [
        (
            "requests",
            f"{stats.requests:,} (hit {stats.hits:,}, miss {stats.misses:,}, rules {stats.rules:,})",
        ),
        ("hit rate", f"{rate} of the requests the LLM path answered"),
        (
            "LLM calls",
            f"{stats.llm_calls:,} ({stats.stored:,} stored, {stats.llm_calls - stats.stored:,} failed)",
        ),
        ("tokens", f"{stats.prompt_tokens:,} in, {stats.completion_tokens:,} out"),
        ("cost", f"${_money(stats.cost_usd)} estimated{unpriced}"),
        ("saved by cache", saved),
        (
            "cache",
            f"{stats.cache_entries:,} analyses ({stats.cache_fresh:,} fresh, {stats.cache_entries - stats.cache_fresh:,} expired)",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    return [f"{label.ljust(width)}  {value}" for label, value in rows]


def _money(amount: Decimal | None) -> Decimal:
    return (amount or Decimal(0)).quantize(Decimal("0.0001"))
