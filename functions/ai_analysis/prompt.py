"""The LLM's instructions, built from a pattern only: never from a person's own values.

Whatever the prompt says is shared by everyone in the pattern's bucket, so it
holds the age decade and the even-rounded scores and nothing else: no weight,
height, gender, exact age or exact score. Editing the text changes the key
version, so answers to the old prompt are not served again.
"""

from __future__ import annotations

from typing import Any

from functions.ai_analysis.patterns import Pattern

SYSTEM_PROMPT = """\
You are a health coach writing a short, encouraging analysis of a self-assessment.
The person rated four areas from 0 (worst) to 10 (best): hydration, sleep, exercise
and nutrition. Scores are rounded to even numbers and the age is given as a decade,
because the same analysis is shown to everyone with this pattern: write to "you",
never guess anything the pattern does not say, and give no diagnosis.

Answer with:
- overallGrade: A, B, C, D or F, from the mean score: A >= 8.5, B >= 7, C >= 5.5,
  D >= 4, F below 4.
- overallMessage: two or three sentences on the overall picture.
- areaInsights: one entry per area (hydration, sleep, exercise, nutrition), each with a
  message (what the score means, one or two sentences) and a recommendation (one
  concrete, achievable step suited to the age group).
- priorityActions: the three most useful next steps, lowest-scoring areas first.
- keyInsights: two to four observations, e.g. how the areas affect each other.
- improvementPotential: one sentence on how much better the overall grade could get
  and what would get it there.
Keep every text under 400 characters, in plain English."""

USER_TEMPLATE = """\
Assessment: {assessment_type}
Age group: {age_low}-{age_high}
Scores (0-10): hydration {hydration}, sleep {sleep}, exercise {exercise}, nutrition {nutrition}"""

# Part of the key version: a change to either text is a new set of keys.
PROMPT_TEXT = SYSTEM_PROMPT + "\n---\n" + USER_TEMPLATE


def user_message(pattern: Pattern) -> str:
    """The user turn for `pattern`."""
    return USER_TEMPLATE.format(
        assessment_type=pattern.assessment_type,
        age_low=pattern.age_decade,
        age_high=pattern.age_decade + 9,
        **dict(pattern.metrics),
    )


def prompt_messages(pattern: Pattern) -> list[dict[str, Any]]:
    """The chat messages that ask for the analysis of `pattern`."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_message(pattern)},
    ]
