"""Migrations in the Supabase CLI's layout: files, splitting, history, push, seeds.

`files` reads `supabase/migrations/`, `split` cuts a file into statements as
the Supabase CLI does, `history` reads and writes its history tables, `push`
plans and applies, `seeds` loads `supabase/seed.sql`.
"""
