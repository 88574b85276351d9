"""The JSON the aggregator's routes accept and answer (camelCase, as the frontends expect)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


def _date_string(value: object) -> object:
    """Only a YYYY-MM-DD string is a day here: pydantic would read the number 0 as 1970-01-01."""
    if value is not None and not isinstance(value, str):
        raise ValueError("must be a date string, YYYY-MM-DD")
    return value


class AggregateRequest(BaseModel):
    """Optional body of POST: a backfill from a day on."""

    model_config = ConfigDict(extra="forbid")

    since: Annotated[date, BeforeValidator(_date_string)] | None = Field(
        default=None,
        description="Also recount every day from this one on (YYYY-MM-DD), e.g. after fixing old rows",
    )


class AggregationSummary(BaseModel):
    """What one run of the aggregator did."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    rolled_up_until: datetime = Field(
        description="The new watermark: rollups hold what happened before it"
    )
    previously_rolled_up_until: datetime | None = Field(
        description="The watermark the run resumed from"
    )
    recounted_from: datetime | None = Field(
        description="Each distributor's days were recounted from the local day of this instant (null: all)"
    )
    distributors: int
    retimed_distributors: int = Field(
        description="Distributors whose days were recounted in a new time zone"
    )
    days_counted: int
    days_written: int = Field(description="Daily rows whose numbers changed")
    days_removed: int = Field(description="Daily rows without activity any more")
    seconds: float


# The RPC's document, passed through as the database made it (snake_case keys).
AnalyticsDocument = dict[str, Any]
