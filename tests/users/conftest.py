"""The users tests share the operations tests' fixtures: a database of their own and the CLI."""

from tests.ops.conftest import maxpulse, ops_db, ops_db_url

__all__ = ["maxpulse", "ops_db", "ops_db_url"]
