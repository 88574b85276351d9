"""maxpulse: the MAXPULSE Supabase backend toolkit (CLI, migrations, local stack)."""

__version__ = "0.1.0"
