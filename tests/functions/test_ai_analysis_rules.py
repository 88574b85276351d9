"""The rule-based analyzer: grades, messages and recommendations that follow from the numbers."""

from __future__ import annotations

from typing import Any

import pytest

from functions.ai_analysis.models import AREAS
from functions.ai_analysis.rules import analyse_by_rules, band, grade
from tests.support.assessments import assessment


@pytest.mark.parametrize(
    ("mean", "letter"),
    [(10, "A"), (8.5, "A"), (8.49, "B"), (7, "B"), (5.5, "C"), (4, "D"), (3.99, "F"), (0, "F")],
)
def test_grade_follows_the_mean_score(mean: float, letter: str) -> None:
    assert grade(mean) == letter


@pytest.mark.parametrize(
    ("score", "expected"), [(0, "low"), (3.9, "low"), (4, "fair"), (7, "good"), (9, "excellent")]
)
def test_scores_fall_in_bands(score: float, expected: str) -> None:
    assert band(score) == expected


def test_same_input_gives_the_same_analysis() -> None:
    assert analyse_by_rules(assessment()).as_json() == analyse_by_rules(assessment()).as_json()


def test_every_area_is_described_with_its_own_score() -> None:
    analysis = analyse_by_rules(assessment(hydration=2, sleep=5.5, exercise=8, nutrition=10))

    insights = {insight.area: insight for insight in analysis.area_insights}
    assert list(insights) == list(AREAS)
    assert "score of 2 " in insights["hydration"].message
    assert "score of 5.5 " in insights["sleep"].message
    assert "excellent" in insights["nutrition"].message


def test_grade_and_message_reflect_the_scores() -> None:
    analysis = analyse_by_rules(assessment(hydration=3, sleep=4, exercise=6, nutrition=7))

    assert analysis.overall_grade == "D"  # mean 5.0
    assert "mean score is 5 out of 10" in analysis.overall_message
    assert "strongest area is nutrition (7)" in analysis.overall_message
    assert "hydration (3) is where a change would help most" in analysis.overall_message


def test_priority_actions_start_with_the_weakest_areas() -> None:
    analysis = analyse_by_rules(assessment(hydration=9, sleep=2, exercise=5, nutrition=4))
    recommendation = {i.area: i.recommendation for i in analysis.area_insights}

    assert analysis.priority_actions == [
        recommendation["sleep"],
        recommendation["nutrition"],
        recommendation["exercise"],
    ]


@pytest.mark.parametrize(("age", "hours"), [(15, "8 to 10"), (30, "7 to 9"), (70, "7 to 8")])
def test_sleep_advice_depends_on_age(age: float, hours: str) -> None:
    analysis = analyse_by_rules(assessment(age=age, sleep=3))

    sleep = next(i for i in analysis.area_insights if i.area == "sleep")
    assert f"{hours} hours" in sleep.recommendation


def test_fluid_target_follows_body_weight() -> None:
    heavy = analyse_by_rules(assessment(demographics={"weight": 100}, hydration=3))
    unknown = analyse_by_rules(assessment(demographics={"weight": None}, hydration=3))

    assert "3.3 litres" in heavy.area_insights[0].recommendation
    assert "2 litres" in unknown.area_insights[0].recommendation


@pytest.mark.parametrize(
    ("demographics", "expected"),
    [
        ({"weight": 70, "height": 175}, "body-mass index of 22.9, in the healthy range"),
        ({"weight": 95, "height": 175}, "body-mass index of 31.0, in the obese range"),
        ({"weight": None, "height": 175}, None),
        ({"age": 12, "weight": 40, "height": 150}, None),
        ({"weight": 5e-324, "height": 5e-324}, None),  # found by schemathesis: a 500
        ({"weight": 500, "height": 1e-160}, None),
    ],
    ids=["healthy", "obese", "no weight", "child", "height-squares-to-zero", "infinite-index"],
)
def test_bmi_is_told_to_adults_who_gave_weight_and_height(
    demographics: dict[str, Any], expected: str | None
) -> None:
    insights = analyse_by_rules(assessment(demographics=demographics)).key_insights

    told = [insight for insight in insights if "body-mass index" in insight]
    if expected is None:
        assert told == []
    else:
        assert len(told) == 1 and expected in told[0]


def test_improvement_potential_names_the_next_grade() -> None:
    analysis = analyse_by_rules(assessment(hydration=4, sleep=4, exercise=8, nutrition=8))

    assert analysis.improvement_potential == (
        "Moderate: raising hydration and sleep to 8 would lift your mean score from 6 to 8, "
        "from grade C to B."
    )


def test_top_scores_leave_little_room() -> None:
    analysis = analyse_by_rules(assessment(hydration=10, sleep=9, exercise=9, nutrition=10))

    assert analysis.overall_grade == "A"
    assert analysis.improvement_potential.startswith("Little room left")


@pytest.mark.parametrize("score", [0, 3, 4.5, 7, 8.5, 10])
def test_every_text_fits_the_output_schema(score: float) -> None:
    analysis = analyse_by_rules(
        assessment(age=80, hydration=score, sleep=score, exercise=score, nutrition=score)
    )

    texts = [analysis.overall_message, analysis.improvement_potential]
    texts += analysis.priority_actions + analysis.key_insights
    texts += [i.message for i in analysis.area_insights] + [
        i.recommendation for i in analysis.area_insights
    ]
    assert all(0 < len(text) <= 600 for text in texts)
