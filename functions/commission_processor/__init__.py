"""commission-processor: commissions of paid orders along the distributor's upline."""

from __future__ import annotations

from functions._shared.pending import PendingFunction


class CommissionProcessor(PendingFunction):
    name = "commission-processor"
    summary = "Compute commissions of paid orders"
    planned = "it will compute the commissions of paid orders along each distributor's upline."
