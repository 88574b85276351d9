"""link-tracker: tracked short links with click analytics, and assessment progress events."""

from functions.link_tracker.tracker import LinkTracker

__all__ = ["LinkTracker"]
