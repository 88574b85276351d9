"""Helpers shared by the test suites: running SQL as PostgREST does, the seeded world."""
