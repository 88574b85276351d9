"""The rule-based analyzer: a deterministic analysis when there is no LLM answer.

It answers when no API key is configured and whenever the LLM fails (timeout,
refusal, output that fails the schema). It works from the person's own values
(exact scores, age, and weight and height when given) because its answer is
never cached: the same input always gives the same analysis, and nothing of it
is stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from functions.ai_analysis.models import AREAS, AnalysisText, AreaText, AssessmentInput

# Score bands, lowest first: (band, lowest score in it).
BANDS: tuple[tuple[str, float], ...] = (("low", 0), ("fair", 4), ("good", 7), ("excellent", 9))
# Overall grade from the mean score, best first.
GRADE_FLOORS: tuple[tuple[str, float], ...] = (("A", 8.5), ("B", 7), ("C", 5.5), ("D", 4))
TARGET_SCORE = 8

MESSAGES: dict[str, dict[str, str]] = {
    "hydration": {
        "low": "A hydration score of {score} suggests you often go through the day without drinking enough, which shows up as tiredness, headaches and poor concentration.",
        "fair": "A hydration score of {score} is fair: you drink some water, but probably not steadily through the day.",
        "good": "A hydration score of {score} is good: you drink regularly on most days.",
        "excellent": "A hydration score of {score} is excellent: drinking enough is already a habit.",
    },
    "sleep": {
        "low": "A sleep score of {score} points to short or restless nights, which affect mood, energy, appetite and recovery.",
        "fair": "A sleep score of {score} suggests your sleep is often shorter or lighter than it should be.",
        "good": "A sleep score of {score} means you sleep well on most nights.",
        "excellent": "A sleep score of {score} is excellent: your sleep is a real strength.",
    },
    "exercise": {
        "low": "An exercise score of {score} suggests you move little during the week; even small amounts of activity bring quick benefits.",
        "fair": "An exercise score of {score} shows some activity, though probably less than your body needs.",
        "good": "An exercise score of {score} means you are active on most days.",
        "excellent": "An exercise score of {score} is excellent: regular activity is part of your life.",
    },
    "nutrition": {
        "low": "A nutrition score of {score} suggests your meals are often irregular or low in fresh foods.",
        "fair": "A nutrition score of {score} is fair: some of your meals are balanced, others less so.",
        "good": "A nutrition score of {score} shows mostly balanced eating.",
        "excellent": "A nutrition score of {score} is excellent: you eat a varied, balanced diet.",
    },
}

RECOMMENDATIONS: dict[str, dict[str, str]] = {
    "hydration": {
        "low": "Keep a water bottle within reach and drink a glass with every meal; aim for {fluid} a day.",
        "fair": "Add a glass of water mid-morning and mid-afternoon; aim for {fluid} a day.",
        "good": "Drink a little extra on hot or active days; aim for {fluid} a day.",
        "excellent": "Keep your routine of about {fluid} a day, and more in the heat.",
    },
    "sleep": {
        "low": "Set fixed times to go to bed and get up that allow {sleep_hours} hours of sleep, and put screens away 30 minutes before bed.",
        "fair": "Move your bedtime 15 to 30 minutes earlier and aim for {sleep_hours} hours a night at regular times.",
        "good": "Keep regular sleep times, weekends included, to stay within {sleep_hours} hours a night.",
        "excellent": "Protect the routine that gives you {sleep_hours} hours of sleep a night.",
    },
    "exercise": {
        "low": "Start with a brisk 10-minute walk every day and build up towards {activity}.",
        "fair": "Add two or three 30-minute sessions a week to reach {activity}.",
        "good": "Keep going, and make sure your week includes {activity}.",
        "excellent": "Keep variety in your training and plan rest days for recovery.",
    },
    "nutrition": {
        "low": "Add a portion of vegetables or fruit to every meal and plan tomorrow's meals the evening before.",
        "fair": "Fill half your plate with vegetables and swap one processed snack a day for fruit or nuts.",
        "good": "Keep your balanced meals and add whole grains and pulses for more fibre.",
        "excellent": "Keep your habits and vary your sources of protein across the week.",
    },
}

GRADE_MESSAGES = {
    "A": "Your habits are in excellent shape, with a mean score of {mean} out of 10.",
    "B": "Your habits are good overall, with a mean score of {mean} out of 10.",
    "C": "Your habits are fair, with a mean score of {mean} out of 10, and there is clear room to improve.",
    "D": "Several of your habits need attention: your mean score is {mean} out of 10.",
    "F": "Your answers show that your daily habits need attention in most areas: your mean score is {mean} out of 10.",
}


@dataclass(frozen=True)
class Guidance:
    """Targets that depend on the person: fluid, sleep hours, weekly activity."""

    fluid: str
    sleep_hours: str
    activity: str


def band(score: float) -> str:
    """low (0-3.9), fair (4-6.9), good (7-8.9) or excellent (9-10)."""
    return next(name for name, floor in reversed(BANDS) if score >= floor)


def grade(mean: float) -> str:
    """The overall grade of a mean score: A >= 8.5, B >= 7, C >= 5.5, D >= 4, else F."""
    return next((letter for letter, floor in GRADE_FLOORS if mean >= floor), "F")


def shown(score: float) -> str:
    """A score as people write it: 7, 7.5."""
    return f"{score:g}" if score == round(score, 1) else f"{score:.1f}"


def guidance(age: float, weight: float | None) -> Guidance:
    """Fluid, sleep and activity targets for an age (and a weight, for fluid)."""
    fluid = f"{weight * 0.033:.1f} litres" if weight else "2 litres"
    if age < 13:
        sleep_hours, activity = "9 to 12", "an hour of active play every day"
    elif age < 18:
        sleep_hours, activity = "8 to 10", "an hour of activity every day"
    elif age < 65:
        sleep_hours = "7 to 9"
        activity = "150 minutes of moderate activity and two strength sessions a week"
    else:
        sleep_hours = "7 to 8"
        activity = "150 minutes of moderate activity a week, with balance and strength exercises twice a week"
    return Guidance(fluid=fluid, sleep_hours=sleep_hours, activity=activity)


def area_text(area: str, score: float, targets: Guidance) -> AreaText:
    """Message and recommendation for one area's score."""
    level = band(score)
    return AreaText(
        area=area,  # type: ignore[arg-type]  # one of AREAS
        message=MESSAGES[area][level].format(score=shown(score)),
        recommendation=RECOMMENDATIONS[area][level].format(
            fluid=targets.fluid, sleep_hours=targets.sleep_hours, activity=targets.activity
        ),
    )


def analyse_by_rules(assessment: AssessmentInput) -> AnalysisText:
    """The rule-based analysis of one assessment."""
    demographics = assessment.demographics
    scores = {area: float(getattr(assessment.health_metrics, area)) for area in AREAS}
    targets = guidance(demographics.age, demographics.weight)
    insights = [area_text(area, scores[area], targets) for area in AREAS]
    ranked = sorted(AREAS, key=lambda area: scores[area])  # stable: AREAS order breaks ties
    mean = sum(scores.values()) / len(scores)
    recommendation: dict[str, str] = {i.area: i.recommendation for i in insights}
    return AnalysisText(
        overallGrade=grade(mean),  # type: ignore[arg-type]  # one of GRADES
        overallMessage=overall_message(scores, ranked, mean),
        areaInsights=insights,
        priorityActions=[recommendation[area] for area in ranked[:3]],
        keyInsights=key_insights(
            scores, ranked, demographics.weight, demographics.height, demographics.age
        ),
        improvementPotential=improvement_potential(scores, ranked, mean),
    )


def overall_message(scores: dict[str, float], ranked: list[str], mean: float) -> str:
    """The grade's sentence, then the strongest and the weakest area."""
    opening = GRADE_MESSAGES[grade(mean)].format(mean=shown(round(mean, 1)))
    weakest, strongest = ranked[0], ranked[-1]
    if scores[weakest] == scores[strongest]:
        return f"{opening} All four areas score {shown(scores[weakest])}."
    return (
        f"{opening} Your strongest area is {strongest} ({shown(scores[strongest])}); "
        f"{weakest} ({shown(scores[weakest])}) is where a change would help most."
    )


def key_insights(
    scores: dict[str, float],
    ranked: list[str],
    weight: float | None,
    height: float | None,
    age: float,
) -> list[str]:
    """The balance between areas, how two of them interact, and the BMI when it can be told."""
    weakest, strongest = ranked[0], ranked[-1]
    gap = scores[strongest] - scores[weakest]
    if gap >= 3:
        balance = (
            f"There are {shown(gap)} points between your strongest area ({strongest}) and your "
            f"weakest ({weakest}): closing that gap lifts your overall result the most."
        )
    else:
        balance = (
            f"Your four areas are within {shown(gap)} points of each other: a balanced profile."
        )
    insights = [balance, interaction(scores)]
    body_mass = bmi_insight(weight, height, age)
    if body_mass:
        insights.append(body_mass)
    return insights


def interaction(scores: dict[str, float]) -> str:
    """One way the areas affect each other, chosen by the scores."""
    if scores["sleep"] < 7 and scores["exercise"] < 7:
        return "Sleep and exercise reinforce each other: regular activity tends to deepen sleep, and rested days make activity easier."
    if scores["exercise"] >= 7 and scores["hydration"] < 7:
        return "Being active raises how much fluid your body needs, so hydration matters more for you than for most."
    if scores["exercise"] >= 7 and scores["nutrition"] < 7:
        return "Your activity level asks for good fuel: balanced meals help you recover and keep your energy steady."
    if scores["sleep"] < 7:
        return "Short sleep makes sugary snacks and skipped workouts more likely, so better nights help the other areas too."
    return "Your habits support each other: good sleep, food, fluid and activity make each other easier to keep."


def bmi_insight(weight: float | None, height: float | None, age: float) -> str | None:
    """The body-mass index and its adult range, for adults who gave weight and height."""
    if not weight or not height or age < 18:
        return None
    squared_metres = (height / 100) ** 2
    # The model allows any positive number: a height of 5e-324 squares to 0.0,
    # and a tiny height can make the index infinite. Neither is a body.
    if squared_metres == 0 or not math.isfinite(bmi := weight / squared_metres):
        return None
    if bmi < 18.5:
        category = "underweight"
    elif bmi < 25:
        category = "healthy"
    elif bmi < 30:
        category = "overweight"
    else:
        category = "obese"
    return (
        f"Your weight and height give a body-mass index of {bmi:.1f}, in the {category} range "
        "for adults; it is a rough guide that does not account for muscle mass."
    )


def improvement_potential(scores: dict[str, float], ranked: list[str], mean: float) -> str:
    """How far raising the two weakest areas to 8 would take the mean and the grade."""
    current = grade(mean)
    if current == "A":
        return "Little room left: you are at grade A, and the aim now is to keep these habits."
    lifted = [area for area in ranked[:2] if scores[area] < TARGET_SCORE]
    raised = {
        area: max(score, TARGET_SCORE) if area in lifted else score
        for area, score in scores.items()
    }
    new_mean = sum(raised.values()) / len(raised)
    level = "High" if mean < 5.5 else "Moderate" if mean < 7 else "Some"
    if not lifted:
        return f"{level}: small gains in every area would move you from grade {current} towards A."
    changed = " and ".join(lifted)
    sentence = (
        f"{level}: raising {changed} to {TARGET_SCORE} would lift your mean score from "
        f"{shown(round(mean, 1))} to {shown(round(new_mean, 1))}"
    )
    new_grade = grade(new_mean)
    return (
        f"{sentence}, from grade {current} to {new_grade}."
        if new_grade != current
        else f"{sentence}."
    )
