"""How a SQL file is cut into transactions: one for the whole file, or steps when it must.

By default a file runs in one transaction together with its history row, so
a failure leaves nothing behind. A file leaves that default only for reasons
written in the file itself, the Supabase CLI's: a statement PostgreSQL refuses
to run in a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...)
runs on its own; a `COMMIT` (or `END`) ends a step; and a first line
`-- pg-delta: transaction=false` (the CLI's marker) makes every statement
outside `BEGIN ... COMMIT` a step of its own. The history row goes with the
last step, so the file is recorded only when all of it succeeded.

Planning is pure: statements in, steps out (or a refusal for a statement that
would roll back or hand over the transaction), so the rules are tested
without a database and `db push --dry-run` can show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from maxpulse_tools.errors import MigrationFailed
from maxpulse_tools.migrations.split import Statement
from maxpulse_tools.migrations.statements import Classified, Effect, classify

NO_TRANSACTION_MARKER = "-- pg-delta: transaction=false"
_TRANSACTION_MARKERS = (Effect.BEGIN, Effect.COMMIT)
_NO_WORK = (Effect.NOTHING, Effect.BEGIN, Effect.COMMIT)


@dataclass(frozen=True)
class Step:
    """Statements (1-based numbers) that commit together; `in_transaction` False: on their own."""

    numbers: tuple[int, ...]
    in_transaction: bool = True


@dataclass(frozen=True)
class ExecutionPlan:
    """The steps of a file and why it has more than one."""

    steps: tuple[Step, ...]
    effects: tuple[Classified, ...]
    reasons: tuple[str, ...] = ()

    @property
    def is_single_transaction(self) -> bool:
        return len(self.steps) == 1 and self.steps[0].in_transaction

    def runs(self, number: int) -> bool:
        """Whether statement `number` is sent to the server (BEGIN/COMMIT are the steps' own)."""
        return self.effects[number - 1].effect not in _TRANSACTION_MARKERS

    def describe(self) -> str:
        """The steps in words: "statements 1-2; statement 3 alone; statements 4-5 + history row"."""
        parts = []
        for step in self.steps:
            span = describe_numbers(step.numbers)
            parts.append(span if step.in_transaction else f"{span} alone")
        last = parts.pop()
        parts.append(f"{last} + history row" if last else "history row")
        return "; ".join(parts)


def has_no_transaction_marker(source: str) -> bool:
    """Whether the file's first line is the Supabase CLI's `-- pg-delta: transaction=false`."""
    first_line = source.removeprefix("\ufeff").split("\n", 1)[0].removesuffix("\r")
    return first_line == NO_TRANSACTION_MARKER


def plan_execution(label: str, source: str, statements: Sequence[Statement]) -> ExecutionPlan:
    """Cut a file into steps, or refuse it when a statement would undo or hand over its transaction."""
    effects = tuple(classify(statement.text) for statement in statements)
    for number, classified in enumerate(effects, start=1):
        if classified.effect is Effect.REFUSED:
            line, _ = statements[number - 1].location(source)
            raise MigrationFailed(
                f"{label}: statement {number} (line {line}) is {classified.keywords}, "
                "which a push does not run",
                hint="remove it: maxpulse commits each file (or each step of it) itself; "
                "nothing of this file was applied",
            )
    each_alone = has_no_transaction_marker(source)
    steps = _fold_idle_steps(_cut(effects, each_alone=each_alone), effects)
    return ExecutionPlan(tuple(steps), effects, _reasons(effects, each_alone, len(steps)))


def _cut(effects: Sequence[Classified], *, each_alone: bool) -> list[Step]:
    steps: list[Step] = []
    current: list[int] = []
    in_block = False

    def close(in_transaction: bool = True) -> None:
        nonlocal current
        if current:
            steps.append(Step(tuple(current), in_transaction))
            current = []

    for number, classified in enumerate(effects, start=1):
        effect = classified.effect
        if effect is Effect.OUTSIDE:
            close()
            steps.append(Step((number,), in_transaction=False))
            continue
        current.append(number)
        if effect is Effect.BEGIN:
            in_block = True
        elif effect is Effect.COMMIT:
            in_block = False
            close()
        elif each_alone and not in_block and effect is not Effect.NOTHING:
            close()
    close()
    return steps


def _fold_idle_steps(steps: list[Step], effects: Sequence[Classified]) -> list[Step]:
    """Fold steps of only comments, BEGIN or COMMIT into a neighbouring transaction.

    The last step is always a transaction: it carries the history row.
    """
    folded: list[Step] = []
    waiting: tuple[int, ...] = ()  # idle statements looking for the next transaction
    for step in steps:
        is_idle = step.in_transaction and all(
            effects[n - 1].effect in _NO_WORK for n in step.numbers
        )
        if is_idle and folded and folded[-1].in_transaction:
            folded[-1] = Step(folded[-1].numbers + step.numbers)
        elif is_idle:
            waiting += step.numbers
        elif step.in_transaction:
            folded.append(Step(waiting + step.numbers))
            waiting = ()
        else:
            if waiting:
                folded.append(Step(waiting))
                waiting = ()
            folded.append(step)
    if waiting or not folded or not folded[-1].in_transaction:
        folded.append(Step(waiting))
    return folded


def _reasons(effects: Sequence[Classified], each_alone: bool, step_count: int) -> tuple[str, ...]:
    if step_count == 1:
        return ()
    reasons = [f'its first line is "{NO_TRANSACTION_MARKER}"'] if each_alone else []
    for number, classified in enumerate(effects, start=1):
        commits = classified.effect is Effect.COMMIT and not each_alone
        if classified.effect is Effect.OUTSIDE or commits:
            reasons.append(f"statement {number} is {classified.keywords}")
    return tuple(reasons)


def describe_numbers(numbers: Sequence[int]) -> str:
    """`[1, 2, 3, 5]` -> "statements 1-3, 5"; `[4]` -> "statement 4"."""
    if not numbers:
        return ""
    ranges: list[str] = []
    first = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        ranges.append(str(first) if first == previous else f"{first}-{previous}")
        if number is not None:
            first = previous = number
    noun = "statement" if len(numbers) == 1 else "statements"
    return f"{noun} {', '.join(ranges)}"
