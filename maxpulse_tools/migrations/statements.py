"""What a statement does to the transaction it runs in, read from its leading keywords.

A migration file runs in one transaction unless it holds statements that
cannot (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...) or commits by itself
(`COMMIT`, `END`). Recognising those must not depend on spelling: keywords
are read past comments, case and line breaks (`commit /* note */ and chain`
is a commit), so a file never commits where we think it does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9$]*")
_QUOTED = "<quoted>"
_WORDS_READ = 12
_WHOLE_OBJECT_COMMANDS = (
    ["create", "database"],
    ["drop", "database"],
    ["create", "tablespace"],
    ["drop", "tablespace"],
)


class Effect(Enum):
    """How a statement relates to the transaction around it."""

    ORDINARY = "ordinary"  # runs inside a transaction like any other
    NOTHING = "nothing"  # only comments: the server has nothing to run
    BEGIN = "begin"  # opens a transaction block
    COMMIT = "commit"  # ends the transaction block, keeping its work
    OUTSIDE = "outside"  # PostgreSQL refuses to run it inside a transaction block
    REFUSED = "refused"  # undoes or hands over the transaction: never run by a push


@dataclass(frozen=True)
class Classified:
    """A statement's effect and the keywords that decided it (e.g. "CREATE INDEX CONCURRENTLY")."""

    effect: Effect
    keywords: str = ""


def leading_words(text: str, limit: int = _WORDS_READ) -> list[str]:
    """The first `limit` words of `text`, lower case, skipping comments and punctuation.

    Quoted names and strings count as one word, `<quoted>`.
    """
    words: list[str] = []
    index, length = 0, len(text)
    while index < length and len(words) < limit:
        char = text[index]
        if text.startswith("--", index):
            newline = text.find("\n", index)
            index = length if newline < 0 else newline + 1
        elif text.startswith("/*", index):
            index = _block_comment_end(text, index)
        elif char in "'\"":
            index = _quote_end(text, index)
            words.append(_QUOTED)
        elif match := _WORD.match(text, index):
            words.append(match.group().lower())
            index = match.end()
        else:
            index += 1
    return words


def has_content(text: str) -> bool:
    """Whether `text` holds anything besides comments and white space."""
    index, length = 0, len(text)
    while index < length:
        if text.startswith("--", index):
            newline = text.find("\n", index)
            index = length if newline < 0 else newline + 1
        elif text.startswith("/*", index):
            index = _block_comment_end(text, index)
        elif text[index].isspace():
            index += 1
        else:
            return True
    return False


def classify(text: str) -> Classified:
    """The effect of statement `text` on the transaction it would run in."""
    words = leading_words(text)
    if not words and not has_content(text):
        return Classified(Effect.NOTHING)
    for rule in (_transaction_control, _outside_transaction):
        found = rule(words)
        if found is not None:
            return found
    return Classified(Effect.ORDINARY)


def _transaction_control(words: list[str]) -> Classified | None:
    first, second = [*words, "", ""][:2]
    if first == "begin" or (first == "start" and second == "transaction"):
        return Classified(Effect.BEGIN, "BEGIN" if first == "begin" else "START TRANSACTION")
    if first in ("commit", "end", "rollback", "abort") and second == "prepared":
        return Classified(Effect.REFUSED, f"{first.upper()} PREPARED")
    if first in ("commit", "end"):
        chain = " AND CHAIN" if "chain" in words[:5] and "no" not in words[:5] else ""
        return Classified(Effect.COMMIT, first.upper() + chain)
    if first == "rollback" and "to" in words[1:3]:
        return None  # ROLLBACK TO SAVEPOINT stays inside the transaction
    if first in ("rollback", "abort"):
        return Classified(Effect.REFUSED, first.upper())
    if first == "prepare" and second == "transaction":
        return Classified(Effect.REFUSED, "PREPARE TRANSACTION")
    return None


def _outside_transaction(words: list[str]) -> Classified | None:
    head = words[:4]
    if head[:3] == ["create", "index", "concurrently"]:
        return Classified(Effect.OUTSIDE, "CREATE INDEX CONCURRENTLY")
    if head == ["create", "unique", "index", "concurrently"]:
        return Classified(Effect.OUTSIDE, "CREATE UNIQUE INDEX CONCURRENTLY")
    if head[:3] == ["drop", "index", "concurrently"]:
        return Classified(Effect.OUTSIDE, "DROP INDEX CONCURRENTLY")
    if words[:1] == ["reindex"] and (
        "concurrently" in words or words[1:2] in (["schema"], ["database"], ["system"])
    ):
        return Classified(Effect.OUTSIDE, "REINDEX" + (" CONCURRENTLY" * ("concurrently" in words)))
    if words[:1] in (["vacuum"], ["cluster"]):
        return Classified(Effect.OUTSIDE, words[0].upper())
    if head[:2] in (["alter", "system"], *_WHOLE_OBJECT_COMMANDS):
        return Classified(Effect.OUTSIDE, " ".join(head[:2]).upper())
    if head[:2] == ["alter", "database"] and words[3:5] == ["set", "tablespace"]:
        return Classified(Effect.OUTSIDE, "ALTER DATABASE SET TABLESPACE")
    if head[:2] == ["alter", "table"] and _detaches_concurrently(words):
        return Classified(Effect.OUTSIDE, "DETACH PARTITION CONCURRENTLY")
    return None


def _detaches_concurrently(words: list[str]) -> bool:
    if "detach" not in words:
        return False
    return "concurrently" in words[words.index("detach") :]


def _block_comment_end(text: str, index: int) -> int:
    depth = 0
    length = len(text)
    while index < length:
        if text.startswith("/*", index):
            depth += 1
            index += 2
        elif text.startswith("*/", index):
            depth -= 1
            index += 2
            if depth == 0:
                return index
        else:
            index += 1
    return length


def _quote_end(text: str, index: int) -> int:
    delimiter = text[index]
    index += 1
    while index < len(text):
        if text[index] == delimiter:
            if text.startswith(delimiter * 2, index):
                index += 2
                continue
            return index + 1
        index += 1
    return len(text)
