"""commission-processor: commissions of paid orders along the distributor"s upline."""

from __future__ import annotations

from functions._shared.pending import pending_function

function = pending_function(
    "commission-processor",
    "Compute commissions of paid orders",
    "it will compute the commissions of paid orders along each distributor's upline.",
)
