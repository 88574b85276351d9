"""The request model: the seed's body parses; out-of-range, mistyped or missing values name their field."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from functions.ai_analysis.models import AnalysisRequest
from tests.support.assessments import SEED_BODY, body_with


def test_the_seed_frontends_body_parses() -> None:
    request = AnalysisRequest.model_validate(SEED_BODY)

    assert request.input.demographics.age == 30
    assert request.input.health_metrics.sleep == 6


@pytest.mark.parametrize(
    "body",
    [
        body_with("input.demographics.weight", ...),
        body_with("input.demographics.height", ...),
        body_with("input.demographics.gender", ...),
        body_with("input.demographics.gender", None),
        body_with("input.sessionId", "8b0c1f9e-5a8f-4c3e-9d3e-2f1a0b7c6d5e"),
    ],
    ids=["no weight", "no height", "no gender", "null gender", "an extra field"],
)
def test_optional_and_unknown_fields_are_accepted(body: dict[str, Any]) -> None:
    assert AnalysisRequest.model_validate(body).input.demographics.age == 30


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (body_with("input.demographics.age", 121), "input.demographics.age"),
        (body_with("input.demographics.age", -1), "input.demographics.age"),
        (body_with("input.demographics.age", ...), "input.demographics.age"),
        (body_with("input.healthMetrics.hydration", 11), "input.healthMetrics.hydration"),
        (body_with("input.healthMetrics.sleep", -0.5), "input.healthMetrics.sleep"),
        (body_with("input.healthMetrics.exercise", "8"), "input.healthMetrics.exercise"),
        (body_with("input.healthMetrics.nutrition", True), "input.healthMetrics.nutrition"),
        (body_with("input.healthMetrics.nutrition", float("nan")), "input.healthMetrics.nutrition"),
        (body_with("input.healthMetrics.sleep", ...), "input.healthMetrics.sleep"),
        (body_with("input.assessmentType", "wealth"), "input.assessmentType"),
        (body_with("input.assessmentType", ...), "input.assessmentType"),
        (body_with("input.demographics.weight", 0), "input.demographics.weight"),
        (body_with("input.healthMetrics", [7, 6, 8, 7]), "input.healthMetrics"),
        ({"assessmentType": "health"}, "input"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_values_name_their_field(body: dict[str, Any], location: str) -> None:
    with pytest.raises(pydantic.ValidationError) as raised:
        AnalysisRequest.model_validate(body)

    first = raised.value.errors()[0]
    assert ".".join(str(part) for part in first["loc"]) == location
