"""Plumbing shared by all functions: settings, auth, CORS, errors, the database, the runtime.

What a function package imports comes from here.
"""

from functions._shared.auth import Claims
from functions._shared.database import Database
from functions._shared.dependencies import caller, require_role
from functions._shared.errors import (
    BadRequest,
    DatabaseUnavailable,
    Forbidden,
    FunctionError,
    Gone,
    NotFound,
    NotImplementedYet,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
)
from functions._shared.function import FastRoute, Function
from functions._shared.runtime import Runtime
from functions._shared.settings import FunctionSettings, get_settings

__all__ = [
    "BadRequest",
    "Claims",
    "Database",
    "DatabaseUnavailable",
    "FastRoute",
    "Forbidden",
    "Function",
    "FunctionError",
    "FunctionSettings",
    "Gone",
    "NotFound",
    "NotImplementedYet",
    "PayloadTooLarge",
    "RateLimited",
    "Runtime",
    "ServiceUnavailable",
    "Unauthorized",
    "ValidationFailed",
    "caller",
    "get_settings",
    "require_role",
]
