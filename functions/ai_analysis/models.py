"""The JSON ai-analysis accepts and answers, camelCase as the seed's frontend sends and reads it.

request:  {"input": {"assessmentType", "demographics": {...}, "healthMetrics": {...}}}
response: {"analysis": {...}, "cached": bool, "source": "llm" | "rules", "processingTime": ms}
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

AREAS: tuple[str, ...] = ("hydration", "sleep", "exercise", "nutrition")
GRADES: tuple[str, ...] = ("A", "B", "C", "D", "F")

Area = Literal["hydration", "sleep", "exercise", "nutrition"]
Grade = Literal["A", "B", "C", "D", "F"]
Source = Literal["llm", "rules"]
MAX_TEXT_LENGTH = 600
MAX_LIST_ITEMS = 5

# JSON numbers only: strict keeps "7" and true out; NaN and infinities are refused too.
Metric = Annotated[float, Field(strict=True, ge=0, le=10, allow_inf_nan=False)]


class _Input(BaseModel):
    # Fields the seed's frontend may add later are ignored, not refused: they
    # never reach the prompt or the cache. What is declared is checked strictly.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class Demographics(_Input):
    """Who answered. Only the age (floored to the decade) reaches the LLM."""

    age: Annotated[float, Field(strict=True, ge=0, le=120, description="Years, 0-120")]
    weight: Annotated[float, Field(strict=True, gt=0, le=500)] | None = Field(
        default=None, description="Kilograms"
    )
    height: Annotated[float, Field(strict=True, gt=0, le=300)] | None = Field(
        default=None, description="Centimetres"
    )
    gender: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class HealthMetrics(_Input):
    """Self-assessed scores, 0 (worst) to 10 (best)."""

    hydration: Metric
    sleep: Metric
    exercise: Metric
    nutrition: Metric


class AssessmentInput(_Input):
    """One completed assessment, as the seed's frontend sends it."""

    assessment_type: Literal["health"] = Field(alias="assessmentType")
    demographics: Demographics
    health_metrics: HealthMetrics = Field(alias="healthMetrics")


class AnalysisRequest(_Input):
    """The body of POST /functions/v1/ai-analysis."""

    input: AssessmentInput


def _sentence(text: str) -> str:
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT_LENGTH:
        raise ValueError(f"must be 1 to {MAX_TEXT_LENGTH} characters")
    return text


def _short_list(items: list[str]) -> list[str]:
    if not 1 <= len(items) <= MAX_LIST_ITEMS:
        raise ValueError(f"must hold 1 to {MAX_LIST_ITEMS} items")
    return [_sentence(item) for item in items]


# The bounds are checked here, after parsing, and not written into the JSON
# schema the LLM gets: OpenAI-compatible servers differ in which JSON Schema
# keywords their structured output enforces; types, enums and required keys
# they all do.
Sentence = Annotated[str, AfterValidator(_sentence)]
Sentences = Annotated[list[str], AfterValidator(_short_list)]


class AreaText(BaseModel):
    """The words about one area, the same for everyone in a pattern."""

    model_config = ConfigDict(extra="forbid")

    area: Area
    message: Sentence
    recommendation: Sentence


class AnalysisText(BaseModel):
    """An analysis without the person's own scores: what the LLM writes and the cache keeps."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    overall_grade: Grade = Field(alias="overallGrade")
    overall_message: Sentence = Field(alias="overallMessage")
    area_insights: list[AreaText] = Field(alias="areaInsights")
    priority_actions: Sentences = Field(alias="priorityActions")
    key_insights: Sentences = Field(alias="keyInsights")
    improvement_potential: Sentence = Field(alias="improvementPotential")

    @model_validator(mode="after")
    def _every_area_once(self) -> AnalysisText:
        areas = sorted(insight.area for insight in self.area_insights)
        if areas != sorted(AREAS):
            raise ValueError(f"areaInsights must cover {', '.join(AREAS)} once each")
        order = {area: index for index, area in enumerate(AREAS)}
        self.area_insights.sort(key=lambda insight: order[insight.area])
        return self

    def as_json(self) -> dict[str, Any]:
        """The JSON the cache stores (camelCase, areas in a fixed order)."""
        return self.model_dump(by_alias=True)


class AreaInsight(BaseModel):
    """What one area's score means and what to do about it."""

    area: Area
    score: float = Field(description="The person's own score for this area, 0-10")
    message: str
    recommendation: str


class Analysis(BaseModel):
    """The analysis shown to the person, as the seed's frontend reads it."""

    model_config = ConfigDict(populate_by_name=True)

    overall_grade: Grade = Field(alias="overallGrade")
    overall_message: str = Field(alias="overallMessage")
    area_insights: list[AreaInsight] = Field(alias="areaInsights")
    priority_actions: list[str] = Field(alias="priorityActions")
    key_insights: list[str] = Field(alias="keyInsights")
    improvement_potential: str = Field(alias="improvementPotential")


class AnalysisResponse(BaseModel):
    """The answer: the analysis, whether it came from the cache, who wrote it, how long it took."""

    analysis: Analysis
    cached: bool = Field(description="True when no LLM call was made for this request")
    source: Source = Field(description="llm (from the pattern cache or a new call) or rules")
    processing_time: float = Field(alias="processingTime", description="Milliseconds")
