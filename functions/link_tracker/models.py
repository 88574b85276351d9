"""The JSON the events endpoint accepts and answers (camelCase, as the frontends send it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

EVENT_NAME = r"^[a-z][a-z0-9_]{1,63}$"
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_EVENT_AGE = timedelta(days=1)


def _recent(moment: datetime) -> datetime:
    now = datetime.now(UTC)
    if moment > now + MAX_CLOCK_SKEW:
        raise ValueError("must not be in the future")
    if moment < now - MAX_EVENT_AGE:
        raise ValueError("must be within the last 24 hours")
    return moment


class AssessmentEvent(BaseModel):
    """One step of an assessment, sent by the assessment page for the session its link started."""

    model_config = ConfigDict(extra="forbid")

    session_id: UUID = Field(alias="sessionId", description="The sessionId the redirect carried")
    event: str = Field(
        pattern=EVENT_NAME,
        description="assessment_started, question_answered, assessment_completed, ...",
        examples=["question_answered"],
    )
    data: dict[str, Any] = Field(
        default_factory=dict, description="Details of the event (a JSON object)"
    )
    timestamp: Annotated[AwareDatetime, AfterValidator(_recent)] | None = Field(
        default=None,
        description=(
            "When it happened (ISO 8601 with a time zone): within the last 24 hours and at most"
            " 5 minutes ahead of the server's clock, else 422; default: now"
        ),
    )


class TrackedEvent(BaseModel):
    """The stored event."""

    id: UUID
    session_id: UUID = Field(serialization_alias="sessionId")
    event: str
    tracked: bool = True
