"""The request model: the seed's body parses; out-of-range, mistyped or missing values name their field."""

from __future__ import annotations

import copy
from typing import Any

import pydantic
import pytest

from functions.ai_analysis.models import AnalysisRequest

SEED_BODY: dict[str, Any] = {
    "input": {
        "assessmentType": "health",
        "demographics": {"age": 30, "weight": 70, "height": 175, "gender": "other"},
        "healthMetrics": {"hydration": 7, "sleep": 6, "exercise": 8, "nutrition": 7},
    }
}


def changed(path: str, value: Any) -> dict[str, Any]:
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


def test_the_seed_frontends_body_parses() -> None:
    request = AnalysisRequest.model_validate(SEED_BODY)

    assert request.input.demographics.age == 30
    assert request.input.health_metrics.sleep == 6


@pytest.mark.parametrize(
    "body",
    [
        changed("input.demographics.weight", ...),
        changed("input.demographics.height", ...),
        changed("input.demographics.gender", ...),
        changed("input.demographics.gender", None),
        changed("input.sessionId", "8b0c1f9e-5a8f-4c3e-9d3e-2f1a0b7c6d5e"),
    ],
    ids=["no weight", "no height", "no gender", "null gender", "an extra field"],
)
def test_optional_and_unknown_fields_are_accepted(body: dict[str, Any]) -> None:
    assert AnalysisRequest.model_validate(body).input.demographics.age == 30


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (changed("input.demographics.age", 121), "input.demographics.age"),
        (changed("input.demographics.age", -1), "input.demographics.age"),
        (changed("input.demographics.age", ...), "input.demographics.age"),
        (changed("input.healthMetrics.hydration", 11), "input.healthMetrics.hydration"),
        (changed("input.healthMetrics.sleep", -0.5), "input.healthMetrics.sleep"),
        (changed("input.healthMetrics.exercise", "8"), "input.healthMetrics.exercise"),
        (changed("input.healthMetrics.nutrition", True), "input.healthMetrics.nutrition"),
        (changed("input.healthMetrics.nutrition", float("nan")), "input.healthMetrics.nutrition"),
        (changed("input.healthMetrics.sleep", ...), "input.healthMetrics.sleep"),
        (changed("input.assessmentType", "wealth"), "input.assessmentType"),
        (changed("input.assessmentType", ...), "input.assessmentType"),
        (changed("input.demographics.weight", 0), "input.demographics.weight"),
        (changed("input.healthMetrics", [7, 6, 8, 7]), "input.healthMetrics"),
        ({"assessmentType": "health"}, "input"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_values_name_their_field(body: dict[str, Any], location: str) -> None:
    with pytest.raises(pydantic.ValidationError) as raised:
        AnalysisRequest.model_validate(body)

    first = raised.value.errors()[0]
    assert ".".join(str(part) for part in first["loc"]) == location
