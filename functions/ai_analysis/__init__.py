"""ai-analysis: analysis of a completed assessment by an LLM, or by rules without an API key."""

from __future__ import annotations

from functions._shared.pending import pending_function

function = pending_function(
    "ai-analysis",
    "Analyse a completed assessment",
    "it will analyse completed assessments with an LLM or, without a key, by rules.",
)
