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


def test_split_keeps_line_endings_inside_statements() -> None:
    assert texts("create table t (\r\n  a int\r\n);") == ["create table t (\r\n  a int\r\n)"]


def test_statement_location_points_into_the_file() -> None:
    source = "select 1;\n\n  create tabel x (a int);\n"
    second = split_statements(source)[1]
    assert second.location(source) == (3, 3)
    assert second.location(source, position=8) == (3, 10)  # the word "tabel"
