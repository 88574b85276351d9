"""Platform users: accounts (create, list) and tokens to act as them locally (`users token`)."""
