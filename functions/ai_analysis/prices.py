"""What an LLM call cost, estimated from the price table in prices.toml (data, not code)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

PRICE_FILE = "prices.toml"
PER_TOKENS = Decimal(1_000_000)
COST_PLACES = Decimal("0.00000001")  # numeric(14, 8)
SNAPSHOT_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ModelPrice:
    """USD per million input and output tokens."""

    input_per_million: Decimal
    output_per_million: Decimal

    def cost(self, prompt_tokens: int, completion_tokens: int) -> Decimal:
        """The cost of one call, in USD, to 8 decimal places."""
        total = (
            prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million
        ) / PER_TOKENS
        return total.quantize(COST_PLACES)


def parse_price_table(text: str) -> dict[str, ModelPrice]:
    """The [models."<name>"] tables of a price file (ValueError when one is malformed)."""
    document = tomllib.loads(text, parse_float=Decimal)
    table: dict[str, ModelPrice] = {}
    for name, entry in document.get("models", {}).items():
        table[name] = ModelPrice(_price(name, entry, "input"), _price(name, entry, "output"))
    return table


def _price(name: str, entry: Any, kind: str) -> Decimal:
    value = entry.get(kind) if isinstance(entry, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or value < 0:
        raise ValueError(f"{PRICE_FILE}: models.{name}.{kind} must be a price >= 0")
    return value


def load_price_table() -> dict[str, ModelPrice]:
    """The price table shipped with the function."""
    text = resources.files(__package__).joinpath(PRICE_FILE).read_text(encoding="utf-8")
    return parse_price_table(text)


def price_of(model: str, table: dict[str, ModelPrice]) -> ModelPrice | None:
    """The price of `model`, or of the model it is a dated snapshot of (gpt-4o-2024-08-06)."""
    if model in table:
        return table[model]
    snapshot = SNAPSHOT_SUFFIX.search(model)
    return table.get(model[: snapshot.start()]) if snapshot else None


def estimate_cost(
    model: str,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    table: dict[str, ModelPrice],
) -> Decimal | None:
    """USD for one call, or None when the model has no price or the tokens are unknown."""
    price = price_of(model, table)
    if price is None or prompt_tokens is None or completion_tokens is None:
        return None
    return price.cost(prompt_tokens, completion_tokens)
