"""The hosted project's REST (PostgREST) and Auth (GoTrue) checks, through supabase-py's clients."""

from __future__ import annotations

import time

from maxpulse_tools.ops.checks import CheckResult, Status, by_latency

API_DEGRADED_AFTER_MS = 1000.0


def api_headers(api_key: str) -> dict[str, str]:
    """The headers supabase-js sends with an API key."""
    return {"apikey": api_key, "Authorization": f"Bearer {api_key}"}


async def check_rest(supabase_url: str, api_key: str, timeout: float) -> CheckResult:
    """Count `users` through PostgREST (the seed's check); degraded past 1 s."""
    import httpx
    from postgrest import APIError, AsyncPostgrestClient
    from postgrest.types import CountMethod

    started = time.perf_counter()
    client = AsyncPostgrestClient(
        f"{supabase_url}/rest/v1",
        headers=api_headers(api_key),
        http_client=httpx.AsyncClient(timeout=timeout, follow_redirects=True),
    )
    try:
        async with client:
            response = (
                await client.from_("users")
                .select("id", count=CountMethod.exact, head=True)
                .retry(False)
                .execute()
            )
    except APIError as exc:
        return _failed("rest", f"PostgREST refused the query: {exc.message}", started)
    except Exception as exc:  # transport errors of every kind: the API did not answer
        return _failed("rest", f"PostgREST did not answer: {_describe(exc)}", started)
    result = by_latency("rest", _elapsed_ms(started), API_DEGRADED_AFTER_MS, Status.degraded)
    return _with_detail(result, f"{response.count} users; {result.detail}")


async def check_auth(supabase_url: str, api_key: str, timeout: float) -> CheckResult:
    """GET /auth/v1/health through the Auth client; degraded past 1 s."""
    import httpx
    from supabase_auth import AsyncGoTrueClient
    from supabase_auth.errors import AuthError

    started = time.perf_counter()
    http = httpx.AsyncClient(timeout=timeout)
    client = AsyncGoTrueClient(
        url=f"{supabase_url}/auth/v1",
        headers={"apikey": api_key},
        http_client=http,
        auto_refresh_token=False,
        persist_session=False,
    )
    try:
        # The Auth client has no public health method; its request helper adds
        # the API version header and turns HTTP errors into AuthError.
        response = await client._request("GET", "health")
        body = response.json()
    except AuthError as exc:
        return _failed("auth", f"Auth answered with an error: {exc.message}", started)
    except Exception as exc:
        return _failed("auth", f"Auth did not answer: {_describe(exc)}", started)
    finally:
        await http.aclose()
    result = by_latency("auth", _elapsed_ms(started), API_DEGRADED_AFTER_MS, Status.degraded)
    version = body.get("version") if isinstance(body, dict) else None
    return _with_detail(
        result,
        f"{body.get('name', 'GoTrue')} {version}; {result.detail}" if version else result.detail,
    )


def _failed(name: str, detail: str, started: float) -> CheckResult:
    return CheckResult(name, Status.unhealthy, detail, _elapsed_ms(started))


def _with_detail(result: CheckResult, detail: str) -> CheckResult:
    return CheckResult(result.name, result.status, detail, result.latency_ms)


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _describe(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
