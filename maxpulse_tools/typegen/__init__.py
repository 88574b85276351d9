"""`maxpulse gen types typescript`: the `Database` type supabase-js expects, from the live schema."""
