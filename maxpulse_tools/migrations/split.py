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
closing parenthesis ends every open one). Matching those quirks matters more
than being a full SQL lexer: PostgreSQL parses each piece afterwards anyway.
"""

from __future__ import annotations

from dataclasses import dataclass


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


class _State:
    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        """Consume `char` (= text[end - 1]); None ends the statement at `end`."""
        raise NotImplementedError


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
            return _Enclosed(self, ")")
        if char in "cC":
            keyword = end - len("ATOMIC")
            if (
                keyword > start
                and text[keyword:end].upper() == "ATOMIC"
                and text[keyword - 1].isspace()
            ):
                return _Enclosed(self, "END")
        return self


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


class _Dollar(_State):
    """Inside a body that only `terminator` ends (dollar quotes, line comments)."""

    def __init__(self, terminator: str) -> None:
        self.terminator = terminator

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        if text[end - len(self.terminator) : end] == self.terminator:
            return _READY
        return self


class _Tag(_State):
    """Saw `$`: letters, digits and `_` up to the next `$` make a dollar-quote tag."""

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def step(self, char: str, text: str, start: int, end: int) -> _State | None:
        if char == "$":
            return _Dollar(text[self.offset : end])
        if char.isalpha() or char.isdigit() or char == "_":
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


def split_statements(source: str) -> list[Statement]:
    """The statements of `source`, as the Supabase CLI splits and trims them."""
    statements: list[Statement] = []
    state: _State = _READY
    start = 0
    for index, char in enumerate(source):
        following = state.step(char, source, start, index + 1)
        if following is None:
            _emit(source, start, index + 1, statements)
            start, state = index + 1, _READY
        else:
            state = following
    if start < len(source):
        _emit(source, start, len(source), statements)
    return statements


def _emit(source: str, start: int, end: int, into: list[Statement]) -> None:
    piece = source[start:end].rstrip(";")
    text = piece.strip()
    if text:
        into.append(Statement(text, start + len(piece) - len(piece.lstrip())))
