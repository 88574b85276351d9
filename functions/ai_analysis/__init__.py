"""ai-analysis: the analysis of a completed health assessment, by an LLM through a pattern cache, or by rules."""

from __future__ import annotations

from functions._shared.function import Function
from functions.ai_analysis.lifespan import lifespan
from functions.ai_analysis.routes import router

function = Function(
    name="ai-analysis",
    summary="Analyse a completed health assessment",
    router=router,
    lifespan=lifespan,
)
