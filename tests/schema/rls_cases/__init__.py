"""The RLS matrix's cases, one module per area of the schema.

Every module here that does not start with an underscore exports `CASES`, a
list of `tests.support.rls_matrix.RlsCase`; a new area adds a module, nothing
else changes.
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.support.rls_matrix import RlsCase


def all_cases() -> list[RlsCase]:
    """The cases of every module of this package, module by module."""
    cases: list[RlsCase] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        cases.extend(module.CASES)
    return cases
