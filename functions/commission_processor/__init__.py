"""commission-processor: paid sales into commissions exactly once, refunds into reversals."""

from __future__ import annotations

from functions._shared.function import Function
from functions.commission_processor.routes import router

function = Function(
    name="commission-processor",
    summary="Book payment events into commissions",
    router=router,
)
