"""The price table: data in prices.toml, costs as Decimal, dated snapshots priced as their model."""

from __future__ import annotations

from decimal import Decimal

import pytest

from functions.ai_analysis.prices import (
    ModelPrice,
    estimate_cost,
    load_price_table,
    parse_price_table,
    price_of,
)

TABLE = parse_price_table(
    """
    [models."gpt-4.1-mini"]
    input = 0.40
    output = 1.60

    [models."gpt-4.1"]
    input = 2
    output = 8
    """
)


def test_shipped_table_prices_the_default_model() -> None:
    table = load_price_table()

    assert table["gpt-4.1-mini"] == ModelPrice(Decimal("0.40"), Decimal("1.60"))
    assert all(isinstance(p.input_per_million, Decimal) for p in table.values())


def test_cost_is_exact_decimal_per_million_tokens() -> None:
    cost = estimate_cost("gpt-4.1-mini", 350, 420, TABLE)

    assert cost == Decimal("0.00081200")  # 350 * 0.40e-6 + 420 * 1.60e-6


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4.1-mini", "gpt-4.1-mini"),
        ("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"),
        ("gpt-4.1-2025-04-14", "gpt-4.1"),
        ("gpt-4.1-mini-preview", None),
        ("llama-3.1-8b-instruct", None),
    ],
)
def test_dated_snapshots_are_priced_as_their_model(model: str, expected: str | None) -> None:
    assert price_of(model, TABLE) == (TABLE[expected] if expected else None)


@pytest.mark.parametrize(
    ("model", "prompt_tokens", "completion_tokens"),
    [("unknown-model", 10, 10), ("gpt-4.1-mini", None, 10), ("gpt-4.1-mini", 10, None)],
)
def test_cost_is_unknown_without_a_price_or_tokens(
    model: str, prompt_tokens: int | None, completion_tokens: int | None
) -> None:
    assert estimate_cost(model, prompt_tokens, completion_tokens, TABLE) is None


@pytest.mark.parametrize(
    "text",
    [
        '[models."m"]\ninput = 1',
        '[models."m"]\ninput = -1\noutput = 1',
        '[models."m"]\ninput = "1"\noutput = 1',
    ],
    ids=["missing output", "negative", "string"],
)
def test_malformed_prices_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"models\.m\."):
        parse_price_table(text)
