"""Platform users: accounts (create, list) and, for local testing, their tokens."""
