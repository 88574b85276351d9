"""Benchmark: sales booked exactly once per second, next to plain one-row INSERTs.

16 concurrent clients (by default), alternating rounds in one run, on one
throw-away cluster with fsync on:

- baseline: each client inserts one row (the event's JSON) into a plain table
  and waits for its commit, one statement per transaction, through the
  functions' psycopg pool (`functions._shared.database.Database`);
- sales through the pool: each client books a new sale event by calling
  `private.process_payment_event` through that same pool, one statement per
  event: the event log, the order and its item at catalogue price, the sale
  entry, two commissions (seller and upline) with their entries, both
  distributors' totals, the tier check;
- sales over HTTP: wrk with 16 connections POSTs new sale events (service_role
  token) to the commission-processor served by uvicorn (one worker), the
  function's real path. Needs wrk (installed with apt-get when missing and
  root; skipped otherwise).

400 sellers under 50 uplines share the load. Afterwards every booked order
must have been booked once (one event, two commissions), every answered sale
booked, and the ledger check (`private.commission_ledger_mismatches`) empty.

    python bench/bench_commission_processor.py [--seconds 10] [--rounds 2] [--clients 16]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jwt
import psycopg
from psycopg.types.json import Jsonb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import REPO_ROOT, ensure_wrk, migrate, run_wrk, served, throwaway_cluster
from functions._shared.database import Database

RATIO_GOAL = 0.40
UPLINES = 50
SELLERS = UPLINES * 8
JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123456789"
PATH = "/functions/v1/commission-processor"
PLAIN_INSERT = "insert into bench.plain_inserts (event_id, payload) values (%s, %s) returning id"
PROCESS_EVENT = "select private.process_payment_event(%s)"
WORLD = [
    "create schema bench",
    "create table bench.plain_inserts (id bigint generated always as identity primary key,"
    " event_id text not null, payload jsonb not null, received_at timestamptz not null default now())",
    "insert into public.products (sku, name, price) values ('BENCH-30', 'Bench bundle', 49.00)",
    # uplines BU-0000..BU-0049, sellers BS-0000..BS-0399; seller n sells under upline n % 50
    "insert into auth.users (id, email, raw_app_meta_data)"
    " select gen_random_uuid(), format('bench-upline-%s@maxpulse.example', n), jsonb_build_object("
    "   'role', 'distributor', 'distributor_code', format('BU-%s', lpad(n::text, 4, '0')))"
    f" from generate_series(0, {UPLINES - 1}) as n",
    "insert into auth.users (id, email, raw_app_meta_data)"
    " select gen_random_uuid(), format('bench-seller-%s@maxpulse.example', n), jsonb_build_object("
    "   'role', 'distributor', 'distributor_code', format('BS-%s', lpad(n::text, 4, '0')))"
    f" from generate_series(0, {SELLERS - 1}) as n",
    "update public.distributor_profiles as s set upline_id = u.user_id"
    " from public.distributor_profiles as u where s.distributor_code like 'BS-%'"
    f" and u.distributor_code = format('BU-%s', lpad((substr(s.distributor_code, 4)::integer % {UPLINES})::text, 4, '0'))",
]
# New sale events for wrk: the run's nonce (its argument) and a counter make each order new.
WRK_SCRIPT = """
local counter, prefix = 0, ""
function init(args)
  prefix = args[1]
end
function request()
  counter = counter + 1
  local id = prefix .. "-" .. counter
  local body = string.format('{"eventId":"evt_%s","type":"sale","orderId":"bench-%s",'
    .. '"distributorCode":"BS-%04d","currency":"USD","amount":"49.00",'
    .. '"items":[{"sku":"BENCH-30","quantity":1}]}', id, id, counter % SELLERS)
  return wrk.format("POST", PATH, HEADERS, body)
end
"""


@dataclass(frozen=True)
class Round:
    """One measured round: how many operations completed in how long, and how many failed."""

    name: str
    operations: int
    seconds: float
    errors: int = 0

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each measured round")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of each")
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    has_wrk = ensure_wrk()
    with benchmark_database() as db_url:
        rounds = measure(db_url, args, has_wrk)
        problems = check_bookings(db_url, rounds)
    print_figures(rounds, args, has_wrk)
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


@contextmanager
def benchmark_database() -> Iterator[str]:
    """A throw-away cluster with fsync on, every migration, 50 uplines with 8 sellers each."""
    with throwaway_cluster(durable=True) as cluster:
        url = cluster.dsn()
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
            for statement in WORLD:
                conn.execute(statement.encode())
        yield url


def measure(db_url: str, args: argparse.Namespace, has_wrk: bool) -> dict[str, list[Round]]:
    """Alternating rounds: plain inserts, sales through the pool, sales over HTTP."""
    rounds: dict[str, list[Round]] = {"insert": [], "pool": [], "http": []}
    env = {
        "SUPABASE_DB_URL": db_url,
        "SUPABASE_JWT_SECRET": JWT_SECRET,
        "MAXPULSE_PROJECT_DIR": str(REPO_ROOT),
        "MAXPULSE_FUNCTION": "commission-processor",
    }
    app = ["--factory", "functions.gateway:create_gateway"]
    script = wrk_script()
    with served(app, env, f"{PATH}/health") as base:
        asyncio.run(pool_round(db_url, insert_plain, args.clients, 2))  # warm-up
        asyncio.run(pool_round(db_url, book_sale, args.clients, 2))
        if has_wrk:
            http_round(base, script, args.clients, 2)
        for _ in range(args.rounds):
            rounds["insert"].append(
                asyncio.run(pool_round(db_url, insert_plain, args.clients, args.seconds))
            )
            rounds["pool"].append(
                asyncio.run(pool_round(db_url, book_sale, args.clients, args.seconds))
            )
            if has_wrk:
                rounds["http"].append(http_round(base, script, args.clients, args.seconds))
    return rounds


async def pool_round(
    db_url: str,
    operation: Callable[[Database, int], Awaitable[None]],
    clients: int,
    seconds: float,
) -> Round:
    """`clients` tasks repeating `operation` through one pool until `seconds` are over."""
    db = Database(db_url, min_size=clients, max_size=clients)
    await db.open()
    await asyncio.gather(*(db.ping() for _ in range(clients)))  # connections made before timing
    counts = [0] * clients
    deadline = time.perf_counter() + seconds

    async def client(index: int) -> None:
        while time.perf_counter() < deadline:
            await operation(db, index)
            counts[index] += 1

    started = time.perf_counter()
    try:
        await asyncio.gather(*(client(index) for index in range(clients)))
    finally:
        await db.close()
    return Round(operation.__name__, sum(counts), time.perf_counter() - started)


def sale_event(client: int) -> dict[str, object]:
    """A new sale of one bundle by one of the sellers, with an order id never used before."""
    number = uuid.uuid4()
    return {
        "eventId": f"evt_{number.hex}",
        "type": "sale",
        "orderId": f"bench-{number.hex}",
        "distributorCode": f"BS-{(number.int + client) % SELLERS:04d}",
        "currency": "USD",
        "occurredAt": None,
        "amount": "49.00",
        "items": [{"sku": "BENCH-30", "quantity": 1}],
    }


async def insert_plain(db: Database, client: int) -> None:
    event = sale_event(client)
    await db.fetch_all(PLAIN_INSERT, (event["eventId"], Jsonb(event)))


async def book_sale(db: Database, client: int) -> None:
    [(answer,)] = await db.fetch_all(PROCESS_EVENT, (Jsonb(sale_event(client)),))
    if answer["duplicate"] or len(answer["commissions"]) != 2:
        raise RuntimeError(f"unexpected answer: {answer}")


def wrk_script() -> str:
    """The Lua script of the HTTP rounds: sales by the service_role (it reads its run's id from its arguments)."""
    token = jwt.encode({"role": "service_role", "exp": int(time.time()) + 86_400}, JWT_SECRET)
    headers = f'{{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {token}"}}'
    return f'PATH = "{PATH}"\nSELLERS = {SELLERS}\nHEADERS = {headers}\n' + WRK_SCRIPT


def http_round(base: str, script: str, connections: int, seconds: float) -> Round:
    """wrk with `connections` connections for `seconds`: 200s answered per second, and errors."""
    run = run_wrk(
        base + PATH, connections, seconds, script=script, script_args=[uuid.uuid4().hex[:12]]
    )
    return Round("http", run.requests - run.errors, run.seconds, run.errors)


def check_bookings(db_url: str, rounds: dict[str, list[Round]]) -> list[str]:
    """Each order booked once, every answered sale booked, and the ledger check empty."""
    with psycopg.connect(db_url) as conn:
        counts = conn.execute(
            "select (select count(*) from public.orders where external_reference like 'bench-%'),"
            " (select count(*) from public.commissions),"
            " (select count(*) from private.payment_events),"
            " (select count(*) from private.commission_ledger_mismatches())"
        ).fetchone()
    orders, commissions, events, mismatches = counts or (0, 0, 0, -1)
    answered = sum(r.operations for name in ("pool", "http") for r in rounds[name])
    errors = sum(r.errors for r in rounds["http"])
    print(
        f"booked: {orders} orders, {commissions} commissions, {events} events;"
        f" {answered} sales answered in measured rounds ({errors} HTTP errors);"
        f" ledger check: {mismatches} mismatches"
    )
    problems = []
    if not (orders == events and commissions == 2 * orders):
        problems.append("an order was not booked exactly once")
    if orders < answered:
        problems.append("fewer orders booked than sales answered")
    if errors:
        problems.append(f"{errors} HTTP requests failed")
    if mismatches != 0:
        problems.append(f"the ledger check found {mismatches} mismatch(es)")
    return problems


def print_figures(rounds: dict[str, list[Round]], args: argparse.Namespace, has_wrk: bool) -> None:
    print(
        f"commission-processor: {args.clients} concurrent clients, {args.rounds} alternating rounds"
        f" of {args.seconds:g} s, fsync on"
    )
    rates = {name: _rate(runs) for name, runs in rounds.items() if runs}
    labels = {
        "insert": "plain one-row INSERT (pool)",
        "pool": "sale booked, SQL function (pool)",
        "http": "sale booked, HTTP (uvicorn, wrk)",
    }
    for name, runs in rounds.items():
        for number, run in enumerate(runs, 1):
            print(f"  {labels[name]:34} round {number}: {run.per_second:>7.0f}/s")
    if not has_wrk:
        print(f"{labels['http']}: SKIPPED (wrk is not installed and cannot be installed here)")
    for name in ("pool", "http"):
        if name not in rates:
            continue
        ratio = rates[name] / rates["insert"]
        mark = "meets" if ratio >= RATIO_GOAL else "BELOW"
        print(
            f"{labels[name]}: {rates[name]:.0f}/s | baseline ({labels['insert']}):"
            f" {rates['insert']:.0f}/s | ratio {ratio:.1%} ({mark} the {RATIO_GOAL:.0%} goal)"
        )


def _rate(runs: list[Round]) -> float:
    return sum(r.operations for r in runs) / sum(r.seconds for r in runs)


if __name__ == "__main__":
    sys.exit(main())
