"""Random analytics activity for the rollup tests, and the numbers it should roll up to.

`add_activity` writes one distributor's events at given instants into every
source the aggregator reads (as the database owner, triggers on). The oracle,
`expected_days`, counts the raw rows again in Python, with the IANA time zones
of `zoneinfo` instead of PostgreSQL's: an independent second opinion on what
each distributor's local day holds.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
from psycopg.types.json import set_json_loads

Day = tuple[uuid.UUID, date]

TRACKING_EVENTS = (
    "link_clicked",
    "assessment_started",
    "question_answered",
    "assessment_completed",
)
ANALYTICS_EVENTS = ("results.viewed", "dashboard.opened", "share.clicked")
CURRENCIES = ("USD", "EUR")
PRODUCT_SKU = "ROLLUP-TEST"


@dataclass
class Counters:
    """One distributor's local day, as distributor_daily_stats holds it."""

    link_clicks: int = 0
    unique_link_clicks: int = 0
    bot_link_clicks: int = 0
    assessments_started: int = 0
    assessments_completed: int = 0
    new_clients: int = 0
    paid_orders: int = 0
    ai_analyses: int = 0
    tracking_events: Counter[str] = field(default_factory=Counter)
    analytics_events: Counter[str] = field(default_factory=Counter)
    sales: Counter[str] = field(default_factory=Counter)
    commissions: Counter[str] = field(default_factory=Counter)
    refunds: Counter[str] = field(default_factory=Counter)
    commission_reversals: Counter[str] = field(default_factory=Counter)
    link_clicks_by_link: Counter[str] = field(default_factory=Counter)
    unique_clicks_by_link: Counter[str] = field(default_factory=Counter)


COUNTER_COLUMNS = tuple(Counters.__dataclass_fields__)


def decimal_json(conn: psycopg.Connection[Any]) -> None:
    """Read json numbers on `conn` as Decimal, so money compares exactly."""
    set_json_loads(partial(json.loads, parse_float=Decimal), conn)


def make_distributor(conn: psycopg.Connection[Any], zone: str) -> uuid.UUID:
    """A new distributor (sign-up trigger) whose profile names `zone`."""
    user_id = uuid.uuid4()
    conn.execute(
        "insert into auth.users (id, email, raw_app_meta_data)"
        ' values (%s, %s, \'{"role": "distributor"}\')',
        (user_id, f"rollup-{user_id.hex[:12]}@test.example"),
    )
    conn.execute(
        "update public.distributor_profiles set timezone = %s where user_id = %s", (zone, user_id)
    )
    return user_id


def add_activity(
    conn: psycopg.Connection[Any],
    rng: random.Random,
    distributor: uuid.UUID,
    instants: Iterable[datetime],
) -> None:
    """At each instant, one random event of the distributor, of a random kind."""
    links = _links_of(conn, distributor)
    conn.execute(
        "insert into public.products (sku, name, price) values (%s, 'Rollup test', 10)"
        " on conflict (sku) do nothing",
        (PRODUCT_SKU,),
    )
    for at in instants:
        kind = rng.choice(_KINDS)
        kind(conn, rng, distributor, at, links)


def instants_around(
    rng: random.Random, centres: Sequence[datetime], count: int, spread: timedelta
) -> list[datetime]:
    """`count` random instants within `spread` of one of `centres` (e.g. clock changes)."""
    return [
        rng.choice(centres) + timedelta(seconds=rng.uniform(-1, 1) * spread.total_seconds())
        for _ in range(count)
    ]


def _links_of(conn: psycopg.Connection[Any], distributor: uuid.UUID) -> list[uuid.UUID]:
    rows = conn.execute(
        "select id from public.tracked_links where distributor_id = %s order by id", (distributor,)
    ).fetchall()
    if rows:
        return [row[0] for row in rows]
    return [
        conn.execute(
            "insert into public.tracked_links (distributor_id, short_code, destination_url)"
            " values (%s, %s, 'https://assessment.example/start') returning id",
            (distributor, f"r{uuid.uuid4().hex[:10]}"),
        ).fetchone()[0]  # type: ignore[index]
        for _ in range(3)
    ]


def _click(conn: Any, rng: random.Random, who: uuid.UUID, at: datetime, links: list[Any]) -> None:
    is_bot = rng.random() < 0.2
    conn.execute(
        "insert into public.link_clicks (session_id, link_id, distributor_id, clicked_at,"
        " browser_family, os_family, device_family, is_bot, is_unique, visitor_hash)"
        " values (gen_random_uuid(), %s, %s, %s, 'Chrome', 'Android', 'mobile', %s, %s,"
        " repeat('a', 64))",
        (rng.choice(links), who, at, is_bot, not is_bot and rng.random() < 0.5),
    )


def _session(conn: Any, rng: random.Random, who: uuid.UUID, at: datetime, links: list[Any]) -> None:
    """A session (a bot's, now and then), its events, and an AI analysis when completed."""
    completed_at = at + timedelta(minutes=rng.uniform(1, 600)) if rng.random() < 0.5 else None
    session_id = conn.execute(
        "insert into public.assessment_sessions (distributor_id, status, started_at, completed_at,"
        " is_bot) values (%s, %s, %s, %s, %s) returning id",
        (who, "completed" if completed_at else "started", at, completed_at, rng.random() < 0.2),
    ).fetchone()[0]
    for step in range(rng.randint(0, 3)):
        conn.execute(
            'insert into public.assessment_tracking (session_id, event_type, "timestamp")'
            " values (%s, %s, %s)",
            (session_id, rng.choice(TRACKING_EVENTS), at + timedelta(minutes=step * 7)),
        )
    if completed_at and rng.random() < 0.5:
        conn.execute(
            "insert into public.ai_analysis_results (input_hash, assessment_type, analysis_data,"
            " session_id, created_at, expires_at)"
            " values (md5(gen_random_uuid()::text), 'health_risk', '{}', %s, %s, %s)",
            (session_id, completed_at, completed_at + timedelta(days=7)),
        )


def _analytics_event(
    conn: Any, rng: random.Random, who: uuid.UUID, at: datetime, links: list[Any]
) -> None:
    conn.execute(
        "insert into public.analytics_events (user_id, distributor_id, event_type, occurred_at)"
        " values (%s, %s, %s, %s)",
        (who, who, rng.choice(ANALYTICS_EVENTS), at),
    )


def _client(conn: Any, rng: random.Random, who: uuid.UUID, at: datetime, links: list[Any]) -> None:
    conn.execute(
        "insert into public.clients (distributor_id, first_name, created_at) values (%s, 'R', %s)",
        (who, at),
    )


def _paid_order(
    conn: Any, rng: random.Random, who: uuid.UUID, at: datetime, links: list[Any]
) -> None:
    """A paid order and its seller's commission; some are refunded (in part) hours or days later."""
    currency = rng.choice(CURRENCIES)
    order_id, order_number = conn.execute(
        "insert into public.orders (distributor_id, status, currency, shipping_amount, placed_at,"
        " paid_at) values (%s, %s, %s, %s, %s, %s) returning id, order_number",
        (
            who,
            rng.choice(("paid", "fulfilled")),
            currency,
            Decimal(rng.randint(0, 900)) / 100,
            at - timedelta(minutes=5),
            at,
        ),
    ).fetchone()
    item_id = conn.execute(
        "insert into public.order_items (order_id, product_id, quantity, unit_price, currency)"
        " select %s, p.id, %s, %s, %s from public.products as p where p.sku = %s returning id",
        (order_id, rng.randint(1, 3), Decimal(rng.randint(100, 9999)) / 100, currency, PRODUCT_SKU),
    ).fetchone()[0]
    commission = Decimal(rng.randint(2, 5000)) / 100
    commission_id = conn.execute(
        "insert into public.commissions (order_item_id, order_id, distributor_id, level, rate,"
        " base_amount, amount, currency, status, earned_at)"
        " values (%s, %s, %s, 0, 25, 10, %s, %s, %s, %s) returning id",
        (item_id, order_id, who, commission, currency, rng.choice(("pending", "approved")), at),
    ).fetchone()[0]
    if rng.random() < 0.4:
        _refund(conn, rng, who, at, order_id, order_number, commission_id, commission)


def _refund(
    conn: Any,
    rng: random.Random,
    who: uuid.UUID,
    paid_at: datetime,
    order_id: uuid.UUID,
    order_number: str,
    commission_id: uuid.UUID,
    commission: Decimal,
) -> None:
    """All or part of the order back, and the commission's share with it, some time later."""
    (total, currency) = conn.execute(
        "select total_amount, currency from public.orders where id = %s", (order_id,)
    ).fetchone()
    in_full = rng.random() < 0.5
    amount = total if in_full else max(Decimal("0.01"), (total / 2).quantize(Decimal("0.01")))
    settled_at = paid_at + timedelta(hours=rng.uniform(1, 24 * 20))
    if in_full:
        conn.execute("update public.orders set status = 'refunded' where id = %s", (order_id,))
    if amount <= 0:
        return
    # A refund event may name no currency: it is then in its order's.
    named_currency = currency if rng.random() < 0.5 else None
    refund_id = conn.execute(
        "insert into public.order_refunds (event_id, order_reference, order_id, distributor_id,"
        " amount, currency, status, settled_at) values (%s, %s, %s, %s, %s, %s, 'applied', %s)"
        " returning id",
        (
            f"evt-{uuid.uuid4().hex}",
            order_number,
            order_id,
            who,
            amount,
            named_currency,
            settled_at,
        ),
    ).fetchone()[0]
    conn.execute(
        "insert into public.commission_reversals (commission_id, refund_id, distributor_id, amount,"
        " currency, is_clawback, created_at) values (%s, %s, %s, %s, %s, false, %s)",
        (
            commission_id,
            refund_id,
            who,
            commission if in_full else commission / 2,
            currency,
            settled_at,
        ),
    )


_KINDS = (_click, _click, _click, _session, _session, _analytics_event, _client, _paid_order)


# The oracle ------------------------------------------------------------------------------


def expected_days(conn: psycopg.Connection[Any]) -> dict[Day, Counters]:
    """Every distributor's local days with activity before the aggregator's watermark.

    Counted from the raw rows in Python. Rows at or after the watermark (the
    instant the last run started counting) are not in the rollups yet. Bots'
    sessions, their tracking events and their AI analyses count nowhere; bots'
    clicks only as bot_link_clicks.
    """
    row = conn.execute("select rolled_up_until from private.analytics_rollup_state").fetchone()
    until = row[0] if row else datetime.max.replace(tzinfo=UTC)
    zones = {
        user_id: _zone(name)
        for user_id, name in conn.execute(
            "select user_id, timezone from public.distributor_profiles"
        )
    }
    days: defaultdict[Day, Counters] = defaultdict(Counters)

    def day(distributor: uuid.UUID, at: datetime) -> Counters:
        if at >= until:
            return Counters()  # counted nowhere
        return days[(distributor, at.astimezone(zones[distributor]).date())]

    for who, at, link, is_bot, is_unique in conn.execute(
        "select distributor_id, clicked_at, link_id, is_bot, is_unique from public.link_clicks"
    ):
        counters = day(who, at)
        if is_bot:
            counters.bot_link_clicks += 1
        else:
            counters.link_clicks += 1
            counters.link_clicks_by_link[str(link)] += 1
        if is_unique:
            counters.unique_link_clicks += 1
            counters.unique_clicks_by_link[str(link)] += 1
    for who, started, completed in conn.execute(
        "select distributor_id, started_at, completed_at from public.assessment_sessions"
        " where distributor_id is not null and not is_bot"
    ):
        day(who, started).assessments_started += 1
        if completed is not None:
            day(who, completed).assessments_completed += 1
    _count_the_rest(conn, day)
    return dict(days)


def _count_the_rest(conn: psycopg.Connection[Any], day: Any) -> None:
    for who, at, event in conn.execute(
        'select distributor_id, "timestamp", event_type from public.assessment_tracking'
        " where distributor_id is not null and not is_bot"
    ):
        day(who, at).tracking_events[event] += 1
    for who, at, event in conn.execute(
        "select distributor_id, occurred_at, event_type from public.analytics_events"
        " where distributor_id is not null"
    ):
        day(who, at).analytics_events[event] += 1
    for who, at in conn.execute("select distributor_id, created_at from public.clients"):
        day(who, at).new_clients += 1
    for who, at, currency, total in conn.execute(
        "select distributor_id, paid_at, currency, total_amount from public.orders"
        " where paid_at is not null"
    ):
        day(who, at).paid_orders += 1
        day(who, at).sales[currency] += total
    for who, at, currency, amount in conn.execute(
        "select distributor_id, earned_at, currency, amount from public.commissions"
    ):
        day(who, at).commissions[currency] += amount
    for who, at, currency, amount in conn.execute(
        "select r.distributor_id, r.settled_at, o.currency, r.amount from public.order_refunds as r"
        " join public.orders as o on o.id = r.order_id where r.status = 'applied'"
    ):
        day(who, at).refunds[currency] += amount
    for who, at, currency, amount in conn.execute(
        "select distributor_id, created_at, currency, amount from public.commission_reversals"
    ):
        day(who, at).commission_reversals[currency] += amount
    for who, at in conn.execute(
        "select s.distributor_id, a.created_at from public.ai_analysis_results as a"
        " join public.assessment_sessions as s on s.id = a.session_id"
        " where s.distributor_id is not null and not s.is_bot"
    ):
        day(who, at).ai_analyses += 1


def _zone(name: str) -> ZoneInfo:
    """The zone PostgreSQL would use: the named one, else UTC (as private.valid_timezone)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def rollup_days(conn: psycopg.Connection[Any]) -> dict[Day, Counters]:
    """What distributor_daily_stats holds, in the oracle's shape."""
    decimal_json(conn)
    rows = conn.execute(
        f"select distributor_id, day, {', '.join(COUNTER_COLUMNS)} from public.distributor_daily_stats"
    ).fetchall()
    return {(row[0], row[1]): _counters(row[2:]) for row in rows}


def _counters(values: Sequence[Any]) -> Counters:
    fields = dict(zip(COUNTER_COLUMNS, values, strict=True))
    for name, value in fields.items():
        if isinstance(value, dict):
            fields[name] = Counter(value)
    return Counters(**fields)
