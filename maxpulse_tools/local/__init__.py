"""The local stack: a private PostgreSQL cluster, its Supabase bootstrap, keys, and the functions server.

`cluster` runs PostgreSQL binaries on a data directory, `database` is the
project's local database (start, stop, migrate, reset), `bootstrap` applies
the Supabase surface, `keys` makes the JWT secret and API keys,
`functions_server` serves the functions under uvicorn, `state` remembers what
a start chose (`.maxpulse/stack.json`), and `stack` reports and stops the
whole stack for `status` and `stop`.
"""
