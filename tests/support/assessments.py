"""Assessments as the seed's frontend sends them, and variations of them for the ai-analysis tests."""

from __future__ import annotations

import copy
from typing import Any

from functions.ai_analysis.models import AssessmentInput

SEED_BODY: dict[str, Any] = {
    "input": {
        "assessmentType": "health",
        "demographics": {"age": 30, "weight": 70, "height": 175, "gender": "other"},
        "healthMetrics": {"hydration": 7, "sleep": 6, "exercise": 8, "nutrition": 7},
    }
}


def body_with(path: str, value: Any) -> dict[str, Any]:
    """SEED_BODY with the value at a dotted path replaced (`...` removes it)."""
    body = copy.deepcopy(SEED_BODY)
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return body


def assessment(
    *, age: float | None = None, demographics: dict[str, Any] | None = None, **metrics: float
) -> AssessmentInput:
    """The seed's assessment with some demographics or metrics changed."""
    seed = SEED_BODY["input"]
    people = {**seed["demographics"], **(demographics or {})}
    if age is not None:
        people["age"] = age
    return AssessmentInput.model_validate(
        {**seed, "demographics": people, "healthMetrics": {**seed["healthMetrics"], **metrics}}
    )
