"""JSON-LD for search engines and share cards: a NewsArticle per event page, an ItemList for the index."""

from __future__ import annotations

from collections.abc import Callable

from .config import SiteConfig
from .content import Event
from .feed import added_at
from .model import Timeline

SHARE_IMAGE = "static/og-default.png"  # 1200×630, shipped in templates/static/ (tests/tools/og_image.py makes it)


def news_article(event: Event, config: SiteConfig, abs_url: Callable[[str], str]) -> dict:
    """An event page as a schema.org NewsArticle, with the articles it rests on."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": event.title,
        "description": event.summary,
        "url": abs_url(event.url_path),
        "mainEntityOfPage": abs_url(event.url_path),
        "inLanguage": config.language,
        "datePublished": added_at(event).date().isoformat(),
        "temporalCoverage": event.date.iso().lstrip("~"),
        "image": abs_url(SHARE_IMAGE),
        "keywords": [tag.name for tag in event.tags],
        "publisher": {"@type": "Organization", "name": config.author or config.title, "url": abs_url("")},
        "isBasedOn": [
            {"@type": "NewsArticle", "headline": s.title, "publisher": {"@type": "Organization", "name": s.publisher}, "inLanguage": s.lang, **({"url": s.url} if s.url else {})}
            for s in event.sources
        ],
    }
    if config.author:
        data["author"] = {"@type": "Organization", "name": config.author}
    return data


def item_list(timeline: Timeline, config: SiteConfig, abs_url: Callable[[str], str], paged: bool = False) -> dict:
    """The index as a schema.org ItemList of the event pages in the order shown (of the year pages, when paged)."""
    if paged:
        elements = [{"@type": "ListItem", "position": position, "url": abs_url(f"{group.year:04d}/"), "name": str(group.year)} for position, group in enumerate(timeline.years, start=1)]
        return {"@context": "https://schema.org", "@type": "ItemList", "name": config.title, "url": abs_url(""), "numberOfItems": len(elements), "itemListElement": elements}
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": config.title,
        "description": config.description,
        "url": abs_url(""),
        "numberOfItems": len(timeline.events),
        "itemListElement": [
            {"@type": "ListItem", "position": position, "url": abs_url(event.url_path), "name": event.title}
            for position, event in enumerate(timeline.events, start=1)
        ],
    }
