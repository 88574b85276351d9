"""The splitter cuts files exactly where the Supabase CLI does."""

from __future__ import annotations

import pytest

from maxpulse_tools.migrations.split import split_statements


def texts(source: str) -> list[str]:
    return [statement.text for statement in split_statements(source)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("select 1; select 2;", ["select 1", "select 2"]),
        ("select 1;;\n\n;", ["select 1"]),
        ("-- about a\ncreate table a (x int);", ["-- about a\ncreate table a (x int)"]),
        ("select 'a;b'; select 'it''s;';", ["select 'a;b'", "select 'it''s;'"]),
        ('select 1 as "odd;name";', ['select 1 as "odd;name"']),
        ("select $$ a; b $$;", ["select $$ a; b $$"]),
        ("select $fn$ x $$; $fn$; select 2", ["select $fn$ x $$; $fn$", "select 2"]),
        ("select 1 -- not ; the end\n; select 2", ["select 1 -- not ; the end", "select 2"]),
        (
            "/* a; /* nested; */ still; */ select 1; select 2",
            ["/* a; /* nested; */ still; */ select 1", "select 2"],
        ),
        (
            "create table t (a int default 1; b int); select 2",
            ["create table t (a int default 1; b int)", "select 2"],
        ),
        ("select E'x' \\; still; select 2", ["select E'x' \\; still", "select 2"]),
        ("select $1; select 2", ["select $1", "select 2"]),
        (
            "create function f() returns int begin atomic select 1; select 2; end; select 3",
            [
                "create function f() returns int begin atomic select 1; select 2; end",
                "select 3",
            ],
        ),
        ("select 1;\n-- closing remark\n", ["select 1", "-- closing remark"]),
        ("select 1;\r\nselect 2;\r\n", ["select 1", "select 2"]),
    ],
)
def test_split_matches_supabase_cli(source: str, expected: list[str]) -> None:
    assert texts(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "create table jobs (id int, atomic boolean); create table jobs2 (x int);",
            ["create table jobs (id int, atomic boolean)", "create table jobs2 (x int)"],
        ),
        ("select 1 as atomic; select 2", ["select 1 as atomic", "select 2"]),
        ("select x.atomic from x; select 2", ["select x.atomic from x", "select 2"]),
        (
            "create function f() returns int language sql BEGIN\n\tATOMIC select 1; end; select 2",
            [
                "create function f() returns int language sql BEGIN\n\tATOMIC select 1; end",
                "select 2",
            ],
        ),
        (
            "f() xbegin atomic select 1; end; select 2",
            ["f() xbegin atomic select 1", "end", "select 2"],
        ),
        ("f() begin/**/atomic select 1; end", ["f() begin/**/atomic select 1", "end"]),
        # Any END closes the body, as in the CLI: even one inside CASE ... END or end_date.
        (
            "f() begin atomic select case when true then 1 end; select 2; end; select 3",
            ["f() begin atomic select case when true then 1 end", "select 2", "end", "select 3"],
        ),
    ],
)
def test_only_begin_atomic_opens_an_atomic_body(source: str, expected: list[str]) -> None:
    assert texts(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("\ufeffselect 1; select 2", ["select 1", "select 2"]),
        ("\ufeff-- about\nselect 1", ["-- about\nselect 1"]),
        ("\ufeff", []),
        ("select 1;\u3000\u2028 select 2 \ufeff", ["select 1", "select 2"]),
        ("select 1;\u0085", ["select 1", "\u0085"]),  # not white space to JavaScript
        ("select 1;\x1c", ["select 1", "\x1c"]),
    ],
)
def test_white_space_and_byte_order_marks_are_trimmed_as_the_cli_trims_them(
    source: str, expected: list[str]
) -> None:
    assert texts(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # A letter or decimal digit right before BEGIN makes it part of a name...
        (
            "f() \u017fbegin atomic select 1; end; x",
            ["f() \u017fbegin atomic select 1", "end", "x"],
        ),
        (
            "f() \u0661begin atomic select 1; end; x",
            ["f() \u0661begin atomic select 1", "end", "x"],
        ),
        # ...a superscript digit or a letter outside the BMP (two UTF-16 units) does not.
        ("f() \u00b2begin atomic select 1; end; x", ["f() \u00b2begin atomic select 1; end", "x"]),
        (
            "f() \U0001d400begin atomic select 1; end; x",
            ["f() \U0001d400begin atomic select 1; end", "x"],
        ),
        ("f() begin\ufeffatomic select 1; end; x", ["f() begin\ufeffatomic select 1; end", "x"]),
        ("f() begin\x1catomic select 1; end; x", ["f() begin\x1catomic select 1", "end", "x"]),
        ("select $\u00b2$ a; $\u00b2$; select 2", ["select $\u00b2$ a", "$\u00b2$", "select 2"]),
        ("select $\u0661$ a; $\u0661$; select 2", ["select $\u0661$ a; $\u0661$", "select 2"]),
    ],
)
def test_unicode_is_classified_as_the_cli_classifies_it(source: str, expected: list[str]) -> None:
    assert texts(source) == expected


def test_split_keeps_line_endings_inside_statements() -> None:
    assert texts("create table t (\r\n  a int\r\n);") == ["create table t (\r\n  a int\r\n)"]


def test_a_byte_order_mark_does_not_shift_locations() -> None:
    source = "\ufeffselect 1;\ncreate tabel x (a int);"
    second = split_statements(source)[1]
    assert second.location(source, position=8) == (2, 8)


def test_statement_location_points_into_the_file() -> None:
    source = "select 1;\n\n  create tabel x (a int);\n"
    second = split_statements(source)[1]
    assert second.location(source) == (3, 3)
    assert second.location(source, position=8) == (3, 10)  # the word "tabel"
