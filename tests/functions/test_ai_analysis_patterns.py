"""The pattern cache's key: decade floor, even rounding as JavaScript's Math.round, versions."""

from __future__ import annotations

from typing import Any

import pytest

from functions.ai_analysis.patterns import (
    age_decade,
    cache_key,
    js_round,
    key_version,
    nearest_even,
    pattern_of,
)
from functions.ai_analysis.prompt import user_message
from tests.support.assessments import assessment


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.5, 3),  # halves go up, as in JavaScript
        (3.5, 4),  # not to the even neighbour, as Python's round() would
        (2.4999, 2),
        (0.49999999999999994, 0),  # floor(x + 0.5) would say 1
        (0, 0),
        (-0.5, 0),  # towards +infinity
        (-1.5, -1),
    ],
)
def test_js_round_matches_math_round(value: float, expected: int) -> None:
    assert js_round(value) == expected


@pytest.mark.parametrize(
    ("score", "even"),
    [
        (0, 0),
        (1, 2),
        (2, 2),
        (3, 4),
        (4.9, 4),
        (5, 6),
        (6.99, 6),
        (7, 8),
        (9, 10),
        (10, 10),
    ],
)
def test_scores_round_to_the_nearest_even_number_halves_up(score: float, even: int) -> None:
    assert nearest_even(score) == even


@pytest.mark.parametrize(
    ("age", "decade"), [(0, 0), (9.99, 0), (29, 20), (30, 30), (39.9, 30), (120, 120)]
)
def test_age_is_floored_to_its_decade(age: float, decade: int) -> None:
    assert age_decade(age) == decade


def test_pattern_keeps_only_the_bucket() -> None:
    pattern = pattern_of(assessment(age=34, hydration=7, sleep=6, exercise=8, nutrition=5))

    assert pattern.as_json() == {
        "assessmentType": "health",
        "ageDecade": 30,
        "healthMetrics": {"hydration": 8, "sleep": 6, "exercise": 8, "nutrition": 6},
    }


def test_people_in_one_bucket_share_a_key() -> None:
    first = pattern_of(assessment(age=31, hydration=7, sleep=5))
    second = pattern_of(assessment(age=38.5, hydration=8, sleep=6.2))

    assert cache_key("0123456789abcdef", first) == cache_key("0123456789abcdef", second)


@pytest.mark.parametrize(
    "other",
    [{"age": 40}, {"sleep": 4}, {"nutrition": 9}],
    ids=["next decade", "sleep bucket", "nutrition bucket"],
)
def test_another_bucket_is_another_key(other: dict[str, Any]) -> None:
    base = cache_key("0123456789abcdef", pattern_of(assessment()))
    changed = cache_key("0123456789abcdef", pattern_of(assessment(**other)))

    assert changed != base
    assert len(changed) == 64


def test_a_new_key_version_changes_every_key() -> None:
    pattern = pattern_of(assessment())

    assert cache_key("0123456789abcdef", pattern) != cache_key("fedcba9876543210", pattern)


@pytest.mark.parametrize(
    "change",
    [
        {"prompt": "another prompt"},
        {"model": "gpt-5-mini"},
        {"output_schema": {"type": "object", "properties": {"grade": {"type": "string"}}}},
    ],
    ids=["prompt", "model", "schema"],
)
def test_key_version_changes_with_prompt_model_and_schema(change: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "prompt": "a prompt",
        "model": "gpt-4.1-mini",
        "output_schema": {"type": "object"},
    }

    version = key_version(**base)

    assert key_version(**{**base, **change}) != version
    assert key_version(**base) == version
    assert len(version) == 16


def test_prompt_holds_the_pattern_and_nothing_personal() -> None:
    person = assessment(age=37, hydration=7, sleep=5, exercise=9, nutrition=3)

    message = user_message(pattern_of(person))

    assert "Age group: 30-39" in message
    assert "hydration 8, sleep 6, exercise 10, nutrition 4" in message
    for personal in ("37", "175", "70", "other"):
        assert personal not in message
