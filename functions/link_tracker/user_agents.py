"""Browser, OS and device family of a User-Agent header, and whether it is a bot.

A small rule list covering what shared links meet: the big browsers on phones
and computers, in-app browsers, and the crawlers and link-preview fetchers of
social networks and chat apps (which open every shared link once and must not
count as visitors). Families are coarse on purpose; no version is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_BOT = re.compile(
    r"\bbot\b|bot[/;_-]|\+https?://|crawl|spider|slurp|archiver|facebookexternalhit|facebookcatalog|meta-externalagent"
    r"|whatsapp|telegram|skypeuripreview|embedly|vkshare|redditbot|quora link preview"
    r"|preview|headless|phantomjs|lighthouse|pagespeed|uptime|curl/|wget/|python-|httpx"
    r"|aiohttp|go-http-client|java/|okhttp|libwww|node-fetch|axios/|postman|insomnia|scrapy",
    re.IGNORECASE,
)

# First match wins: order matters (Edge and Opera say "Chrome", Chrome says "Safari").
_BROWSERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Facebook", re.compile(r"FBAN|FBAV|FB_IAB")),
    ("Instagram", re.compile(r"Instagram")),
    ("Samsung Internet", re.compile(r"SamsungBrowser")),
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/")),
    ("Safari", re.compile(r"Safari/")),
    ("Internet Explorer", re.compile(r"MSIE |Trident/")),
)
_OPERATING_SYSTEMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("macOS", re.compile(r"Macintosh|Mac OS X")),
    ("Linux", re.compile(r"Linux|X11")),
)
_TABLET = re.compile(r"iPad|Tablet|Android(?!.*Mobile)", re.IGNORECASE)
_MOBILE = re.compile(r"Mobi|iPhone|iPod|Android.*Mobile|Windows Phone", re.IGNORECASE)

UNKNOWN = "Other"


@dataclass(frozen=True)
class ClientInfo:
    """What a click records about the client software."""

    browser_family: str
    os_family: str
    device_family: str
    is_bot: bool


@lru_cache(maxsize=4096)
def classify_user_agent(user_agent: str) -> ClientInfo:
    """Families of `user_agent`; an empty or automated one is a bot."""
    if not user_agent.strip() or _BOT.search(user_agent):
        return ClientInfo(
            _first(_BROWSERS, user_agent), _first(_OPERATING_SYSTEMS, user_agent), "bot", True
        )
    if _TABLET.search(user_agent):
        device = "tablet"
    elif _MOBILE.search(user_agent):
        device = "mobile"
    else:
        device = "desktop"
    return ClientInfo(
        _first(_BROWSERS, user_agent), _first(_OPERATING_SYSTEMS, user_agent), device, False
    )


def _first(rules: tuple[tuple[str, re.Pattern[str]], ...], user_agent: str) -> str:
    for family, pattern in rules:
        if pattern.search(user_agent):
            return family
    return UNKNOWN
