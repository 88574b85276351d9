"""Plumbing shared by all functions: settings, auth, CORS, errors, the database, the runtime.

What a function package imports comes from here.
"""

from functions._shared.auth import Claims
from functions._shared.database import Database
from functions._shared.dependencies import (
    AppRuntime,
    Caller,
    Db,
    ServiceCaller,
    Settings,
    caller,
    require_role,
)
from functions._shared.errors import (
    BadRequest,
    DatabaseBusy,
    DatabaseUnavailable,
    Forbidden,
    FunctionError,
    Gone,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
)
from functions._shared.function import Function, FunctionLifespan
from functions._shared.openapi import error_responses
from functions._shared.runtime import Runtime
from functions._shared.settings import FunctionSettings, get_settings

__all__ = [
    "AppRuntime",
    "BadRequest",
    "Caller",
    "Claims",
    "Database",
    "DatabaseBusy",
    "DatabaseUnavailable",
    "Db",
    "Forbidden",
    "Function",
    "FunctionError",
    "FunctionLifespan",
    "FunctionSettings",
    "Gone",
    "NotFound",
    "PayloadTooLarge",
    "RateLimited",
    "Runtime",
    "ServiceCaller",
    "ServiceUnavailable",
    "Settings",
    "Unauthorized",
    "ValidationFailed",
    "caller",
    "error_responses",
    "get_settings",
    "require_role",
]
