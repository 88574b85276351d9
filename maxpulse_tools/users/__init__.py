"""Users of the target database's `auth.users`: tokens to act as them locally (`users token`)."""
