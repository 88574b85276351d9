"""Commissions after booking: approving them, paying them out, checking the ledger.

The rules live in SQL functions of the database (schema `private`); each
module here calls one of them in one statement and shapes its answer for the
`maxpulse commissions` and `maxpulse payouts` commands.
"""
