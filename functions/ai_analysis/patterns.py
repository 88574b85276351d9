"""The pattern cache's key: which bucket an assessment falls in, and the hash that names it.

Everyone in a bucket gets the same cached analysis, so the bucket, not the
person, is what the LLM sees: the assessment type, the age floored to the
decade, and each metric rounded to the nearest even number (halves up, as
JavaScript's `Math.round` rounds, so keys match the seed's). The key version
changes whenever the prompt, the model or the output schema does, so a change
of any of them starts a fresh set of keys instead of serving old answers.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import orjson

from functions.ai_analysis.models import AREAS, AssessmentInput


def js_round(value: float) -> int:
    """Round as JavaScript's Math.round does: to the nearest integer, halves towards +infinity."""
    # Not floor(value + 0.5): that addition rounds 0.49999999999999994 up to 1.
    whole = math.floor(value)
    return whole + 1 if value - whole >= 0.5 else whole


def nearest_even(score: float) -> int:
    """`score` rounded to the nearest even number, halves up (7 -> 8, 5 -> 6, 4.9 -> 4)."""
    return js_round(score / 2) * 2


def age_decade(age: float) -> int:
    """`age` floored to its decade (39.9 -> 30)."""
    return math.floor(age / 10) * 10


@dataclass(frozen=True)
class Pattern:
    """The bucket of an assessment: all an LLM prompt or a cache key may depend on."""

    assessment_type: str
    age_decade: int
    metrics: tuple[tuple[str, int], ...]  # (area, even score) in AREAS order

    def as_json(self) -> dict[str, Any]:
        """The pattern as stored next to its cached analysis."""
        return {
            "assessmentType": self.assessment_type,
            "ageDecade": self.age_decade,
            "healthMetrics": dict(self.metrics),
        }


def pattern_of(assessment: AssessmentInput) -> Pattern:
    """The bucket `assessment` falls in."""
    metrics = assessment.health_metrics
    return Pattern(
        assessment_type=assessment.assessment_type,
        age_decade=age_decade(assessment.demographics.age),
        metrics=tuple((area, nearest_even(getattr(metrics, area))) for area in AREAS),
    )


def key_version(prompt: str, model: str, output_schema: dict[str, Any]) -> str:
    """16 hex digits that change with the prompt, the model or the output schema."""
    material = orjson.dumps(
        {"prompt": prompt, "model": model, "schema": output_schema}, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(material).hexdigest()[:16]


def cache_key(version: str, pattern: Pattern) -> str:
    """The input_hash of a pattern under a key version: SHA-256, 64 hex digits."""
    material = (
        version.encode() + b"\n" + orjson.dumps(pattern.as_json(), option=orjson.OPT_SORT_KEYS)
    )
    return hashlib.sha256(material).hexdigest()
