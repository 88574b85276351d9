"""ai-analysis: analysis of a completed assessment by an LLM, or by rules without an API key."""

from __future__ import annotations

from functions._shared.pending import PendingFunction


class AiAnalysis(PendingFunction):
    name = "ai-analysis"
    summary = "Analyse a completed assessment"
    planned = "it will analyse completed assessments with an LLM or, without a key, by rules."
