"""The HTTP functions of maxpulse, served at `/functions/v1/<name>` like Supabase Edge Functions.

One package per function (`link_tracker`, `ai_analysis`, `commission_processor`,
`analytics_aggregator`), their shared plumbing in `_shared`, and the gateway
(`functions.gateway`) that serves all of them, or one, as a single ASGI app.
"""
