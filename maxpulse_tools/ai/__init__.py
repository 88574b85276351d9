"""The ai-analysis function's cache and costs, for `maxpulse ai ...`: statistics and clearing."""
