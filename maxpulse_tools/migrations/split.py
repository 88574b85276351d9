"""Split a migration file into statements the way the Supabase CLI does.

The Supabase CLI stores each applied file as the list of its statements
(`supabase_migrations.schema_migrations.statements`). To share a history with
it, and to detect an edited file by comparing those lists, we must cut a file
exactly where it does: on `;` outside quotes, comments, dollar-quoted bodies,
parentheses and `BEGIN ATOMIC ... END` bodies; each piece keeps its leading
comments, loses trailing semicolons and surrounding white space, and empty
pieces are dropped.

The splitter is a small state machine with the CLI's states and transitions,
quirks included (a backslash outside quotes escapes the next character; a
closing parenthesis ends every open one; any `END` closes an atomic body).
Matching those quirks matters more than being a full SQL lexer: PostgreSQL
parses each piece afterwards anyway. Since version 2 the CLI is written in
TypeScript, so "white space" is JavaScript's (`trim()`, `\\s`: the byte-order
mark U+FEFF included, U+0085 not), and the identifier test before `BEGIN` and
`ATOMIC` looks at one UTF-16 unit (a letter outside the Basic Multilingual
Plane does not count as one there). `tests/tools/parity/` holds files whose
expected split was recorded from the real CLI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What JavaScript's String.prototype.trim() and the regex class \s treat as white space.
_JS_SPACE = (
    "\t\n\v\f\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_BEGIN, _ATOMIC, _END = "BEGIN", "ATOMIC", "END"
# Where something can happen outside quotes and comments: the characters that open
# one, `;`, `(`, and the `c` of a word that upper-cases to ATOMIC (JavaScript
# upper-cases the dotless i, U+0131, to I). Everything between is skipped in one search.
_READY_EVENTS = r"[$'\"\-/\\;(]|[aA][tT][oO][mM][iI\u0131](?=[cC])"
_READY_EVENT = re.compile(_READY_EVENTS)
_ENCLOSED_EVENT = {
    ")": re.compile(_READY_EVENTS + r"|\)"),
    _END: re.compile(_READY_EVENTS + "|[dD]"),
}


@dataclass(frozen=True)
class Statement:
    """One statement of a file and where it starts in that file."""

    text: str
    offset: int

    def location(self, source: str, position: int | None = None) -> tuple[int, int]:
        """Line and column (1-based) in `source` of 1-based `position` inside this statement."""
        absolute = self.offset + (position - 1 if position else 0)
        line = source.count("\n", 0, absolute) + 1
        column = absolute - (source.rfind("\n", 0, absolute) + 1) + 1
        return line, column


def _is_identifier_char(char: str) -> bool:
    """The CLI's /[\\p{L}\\p{Nd}_$]/u applied to a single UTF-16 unit."""
    return ord(char) <= 0xFFFF and (char.isalpha() or char.isdecimal() or char in "_$")


def _opens_atomic_body(text: str, start: int, end: int) -> bool:
    """Whether the statement `text[start:end]` ends with the keywords `BEGIN ATOMIC`."""
    keyword = end - len(_ATOMIC)
    if keyword < start or text[keyword:end].upper() != _ATOMIC:
        return False
    if keyword > start and _is_identifier_char(text[keyword - 1]):
        return False  # a name such as `is_atomic`
    prefix_end = keyword
    while prefix_end > start and text[prefix_end - 1] in _JS_SPACE:
        prefix_end -= 1
    begin = prefix_end - len(_BEGIN)
    if begin < start or text[begin:prefix_end].upper() != _BEGIN:
        return False  # a column or alias named `atomic`
    return begin == start or not _is_identifier_char(text[begin - 1])


class _State:
    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        """Consume `char` (= text[end - 1]); None ends the statement at `end`."""
        raise NotImplementedError

    def next_event(self, text: str, index: int) -> int:
        """The first index from `index` on whose character can change this state.

        Every character before it would leave the state as it is, so the
        splitter jumps there: the same result as stepping through each one.
        """
        return index


class _Ready(_State):
    """Outside any quote, comment or body: `;` ends the statement."""

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        if char == "$":
            return _Tag(end - 1)
        if char in "'\"":
            return _Quote(char)
        if char == "-":
            return _CommentStart()
        if char == "/":
            return _Block()
        if char == "\\":
            return _Escape()
        if char == ";":
            return None
        if char == "(":
            return _Enclosed(_READY, ")")
        if char in "cC" and _opens_atomic_body(text, start, end):
            return _Enclosed(_READY, _END)
        return self

    def next_event(self, text: str, index: int) -> int:
        return _event(_READY_EVENT, text, index)


_READY = _Ready()


class _CommentStart(_State):
    """Saw `-`: a second one opens a line comment."""

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        if char == "-":
            return _Dollar("\n")
        return _READY.step(char, text, start, end)


class _Block(_State):
    """Saw `/`: `*` opens a (nestable) block comment."""

    def __init__(self) -> None:
        self.depth = 0

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        window = text[end - 2 : end]
        if window == "/*":
            self.depth += 1
            return self
        if self.depth == 0:
            return _READY.step(char, text, start, end)
        if window == "*/":
            self.depth -= 1
            if self.depth == 0:
                return _READY
        return self


class _Quote(_State):
    """Inside '...' or "...": a doubled delimiter stays inside."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.maybe_closed = False

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        if self.maybe_closed:
            if char == self.delimiter:
                self.maybe_closed = False
                return self
            return _READY.step(char, text, start, end)
        if char == self.delimiter:
            self.maybe_closed = True
        return self

    def next_event(self, text: str, index: int) -> int:
        if self.maybe_closed:
            return index
        found = text.find(self.delimiter, index)
        return len(text) if found < 0 else found


class _Dollar(_State):
    """Inside a body that only `terminator` ends (dollar quotes, line comments)."""

    def __init__(self, terminator: str) -> None:
        self.terminator = terminator

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        if text[end - len(self.terminator) : end] == self.terminator:
            return _READY
        return self

    def next_event(self, text: str, index: int) -> int:
        # The terminator may overlap characters already read (`$$$` closes at once).
        found = text.find(self.terminator, max(index + 1 - len(self.terminator), 0))
        return len(text) if found < 0 else found + len(self.terminator) - 1


class _Tag(_State):
    """Saw `$`: letters, decimal digits and `_` up to the next `$` make a dollar-quote tag."""

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        if char == "$":
            return _Dollar(text[self.offset : end])
        if char.isalpha() or char.isdecimal() or char == "_":
            return self
        return _READY.step(char, text, start, end)


class _Escape(_State):
    """Saw a backslash outside quotes: the next character is taken as is."""

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        return _READY


class _Enclosed(_State):
    """Inside parentheses or BEGIN ATOMIC: `;` does not end the statement."""

    def __init__(self, inner: _State, closer: str) -> None:
        self.inner = inner
        self.closer = closer

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        following = self.inner.step(char, text, start, end)
        if following is not None:
            self.inner = following
        if isinstance(self.inner, _Ready):
            window = text[end - len(self.closer) : end]
            if window.upper() == self.closer:
                return _READY
        return self

    def next_event(self, text: str, index: int) -> int:
        if isinstance(self.inner, _Ready):
            return _event(_ENCLOSED_EVENT[self.closer], text, index)
        return self.inner.next_event(text, index)


def _event(pattern: re.Pattern[str], text: str, index: int) -> int:
    found = pattern.search(text, index)
    if found is None:
        return len(text)
    return found.end() if len(found.group()) > 1 else found.start()  # "atomi" -> its "c"


def split_statements(source: str) -> list[Statement]:
    """The statements of `source`, as the Supabase CLI splits and trims them."""
    statements: list[Statement] = []
    state: _State = _READY
    start, index, length = 0, 0, len(source)
    while (index := state.next_event(source, index)) < length:
        following = state.step(source[index], source, start, index + 1)
        if following is None:
            _emit(source, start, index + 1, statements)
            start, state = index + 1, _READY
        else:
            state = following
        index += 1
    if start < length:
        _emit(source, start, length, statements)
    return statements


def _emit(source: str, start: int, end: int, into: list[Statement]) -> None:
    piece = source[start:end].rstrip(";")
    text = piece.strip(_JS_SPACE)
    if text:
        into.append(Statement(text, start + len(piece) - len(piece.lstrip(_JS_SPACE))))
