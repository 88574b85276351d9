"""What all functions of one process share, started and stopped with the server."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

import httpx

from functions._shared.auth import JwksCache, TokenVerifier
from functions._shared.database import Database
from functions._shared.metrics import RequestTimings
from functions._shared.settings import FunctionSettings


def package_version() -> str:
    """The installed maxpulse version, shown by every health endpoint."""
    try:
        return metadata.version("maxpulse")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass
class Runtime:
    """Settings, the database pool, the token verifier and the request timings of this process."""

    settings: FunctionSettings
    database: Database
    verifier: TokenVerifier
    http: httpx.AsyncClient
    timings: RequestTimings

    @classmethod
    def create(cls, settings: FunctionSettings) -> Runtime:
        """Build (not yet start) the shared services from `settings`."""
        http = httpx.AsyncClient(timeout=10.0)
        jwks = JwksCache(settings.jwks_url, http) if settings.jwks_url else None
        secret = settings.supabase_jwt_secret
        database = Database(settings.supabase_db_url.get_secret_value())
        return cls(
            settings=settings,
            database=database,
            verifier=TokenVerifier(secret.get_secret_value() if secret else None, jwks),
            http=http,
            timings=RequestTimings(database),
        )

    async def start(self) -> None:
        await self.database.open()
        self.timings.start()

    async def stop(self) -> None:
        await self.timings.stop()
        await self.database.close()
        await self.http.aclose()
