"""Interface strings and date labels in the site's language (French by default, English too).

Month names come from Babel's CLDR data, never from the operating system's locale.
"""

from __future__ import annotations

import datetime as dt
import functools

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from .dates import EventDate, PartialDate
from .typography import french

LANGUAGES = ("fr", "en")

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "skip_to_content": "Aller au contenu",
        "timeline": "Chronologie",
        "years": "Années",
        "year_nav": "Navigation par année",
        "tags": "Thèmes",
        "all_tags": "Tous les thèmes",
        "tag_title": "Thème : {name}",
        "events_count_one": "{n} événement",
        "events_count_other": "{n} événements",
        "sources": "Sources",
        "source_lang": "langue : {lang}",
        "menu": "Menu principal",
        "overview": "Vue d’ensemble de la chronologie, à l’échelle du temps",
        "era": "Période",
        "legend": "Couleurs des thèmes",
        "context": "Contexte",
        "context_note": "signale un événement de contexte : il ne relève pas directement du sujet, mais situe le cadre (concurrence, régulation, presse) dans lequel s’inscrit le récit.",
        "colon": " :",
        "exports": "Données :",
        "filtered": "Thème « {name} » : {n} événement(s).",
        "show_all": "Tout afficher",
        "calendar": "Agenda",
        "previous": "Événement précédent",
        "next": "Événement suivant",
        "event_nav": "Navigation chronologique",
        "back_to_timeline": "Retour à la chronologie",
        "draft": "Brouillon",
        "not_found_title": "Page introuvable",
        "not_found_text": "Cette page n’existe pas ou a été déplacée.",
        "feed": "Flux Atom",
        "approximate": "vers {date}",
        "approximate_range": "{date} (dates approximatives)",
        "read_more": "Lire la suite",
        "no_events": "Aucun événement pour l’instant.",
    },
    "en": {
        "skip_to_content": "Skip to content",
        "timeline": "Timeline",
        "years": "Years",
        "year_nav": "Jump to a year",
        "tags": "Topics",
        "all_tags": "All topics",
        "tag_title": "Topic: {name}",
        "events_count_one": "{n} event",
        "events_count_other": "{n} events",
        "sources": "Sources",
        "source_lang": "language: {lang}",
        "menu": "Main menu",
        "overview": "Overview of the timeline, to scale",
        "era": "Era",
        "legend": "Topic colours",
        "context": "Background",
        "context_note": "marks an event that is not one of the subject's own moves: it sets the scene (rivals, regulation, the press) those moves belong to.",
        "colon": ":",
        "exports": "Data:",
        "filtered": "Topic “{name}”: {n} event(s).",
        "show_all": "Show all",
        "calendar": "Calendar",
        "previous": "Previous event",
        "next": "Next event",
        "event_nav": "Chronological navigation",
        "back_to_timeline": "Back to the timeline",
        "draft": "Draft",
        "not_found_title": "Page not found",
        "not_found_text": "This page does not exist or has moved.",
        "feed": "Atom feed",
        "approximate": "circa {date}",
        "approximate_range": "{date} (approximate)",
        "read_more": "Read more",
        "no_events": "No events yet.",
    },
}

# OpenGraph wants a territory as well as a language.
OG_LOCALES = {"fr": "fr_FR", "en": "en_US"}

# Written with plain spaces for legibility; printed with French typography (« Données : » with its no-break space).
STRINGS["fr"] = {key: french(text) for key, text in STRINGS["fr"].items()}


def _day(point: PartialDate, lang: str) -> str:
    """The day number, with the French ordinal for the first of the month."""
    assert point.day is not None
    return "1er" if lang == "fr" and point.day == 1 else str(point.day)


def _month_name(point: PartialDate, lang: str) -> str:
    assert point.month is not None
    return _month_names(lang, "MMMM")[point.month]


@functools.lru_cache(maxsize=None)
def _month_names(lang: str, pattern: str) -> dict[int, str]:
    # Babel formats a date slowly (a pattern, a locale lookup): ask it once per month, not once per event.
    return {month: format_date(dt.date(2000, month, 1), pattern, locale=lang) for month in range(1, 13)}


def format_point(point: PartialDate, lang: str) -> str:
    """'5 décembre 2023', 'mai 2024' or '2025', by precision."""
    if point.precision == "year":
        return str(point.year)
    if point.precision == "month":
        return f"{_month_names(lang, 'LLLL')[point.month or 1]} {point.year}"  # Babel's "LLLL y"
    return f"{_day(point, lang)} {_month_name(point, lang)} {point.year}"


def _shorten_start(start: PartialDate, end: PartialDate, lang: str) -> str:
    """Drop from the start label what the end label already says (same year, same month)."""
    if start.precision != end.precision or start.year != end.year:
        return format_point(start, lang)
    if start.precision == "month":
        return _month_name(start, lang)
    if start.precision == "day":
        if start.month == end.month:
            return _day(start, lang)
        return f"{_day(start, lang)} {_month_name(start, lang)}"
    return format_point(start, lang)


def _french_range(start: PartialDate, start_label: str, end: PartialDate, end_label: str) -> str:
    # A day takes "du … au …"; a month or a year "de … à …", and "de" elides before a vowel ("d'avril").
    if start.precision == "day":
        opening = f"du {start_label}"
    else:
        opening = ("d’" if start_label[:1].lower() in "aeiouâàéèêîôûœ" else "de ") + start_label
    closing = f"au {end_label}" if end.precision == "day" else f"à {end_label}"
    return f"{opening} {closing}"


@functools.lru_cache(maxsize=4096)  # a list page labels thousands of dates, most of them alike
def format_event_date(date: EventDate, lang: str) -> str:
    """A human label for an event date in ``lang``: '5 décembre 2023', 'vers mai 2024', 'du 1er au 30 novembre 2023'."""
    if date.end is None or date.end == date.start:
        label = format_point(date.start, lang)
        return STRINGS[lang]["approximate"].format(date=label) if date.approximate else label
    start_label = _shorten_start(date.start, date.end, lang)
    end_label = format_point(date.end, lang)
    if lang == "fr":
        label = _french_range(date.start, start_label, date.end, end_label)
    else:
        label = f"{start_label} – {end_label}"
    return STRINGS[lang]["approximate_range"].format(date=label) if date.approximate else label


def language_name(code: str, lang: str) -> str:
    """The name of language ``code`` in ``lang``: 'fr' → 'français'; unknown codes are shown as they are."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(lang) or code
    except (ValueError, UnknownLocaleError):
        return code


def count_label(n: int, lang: str) -> str:
    """'1 événement', '5 événements'."""
    key = "events_count_one" if n == 1 or (lang == "fr" and n == 0) else "events_count_other"
    return STRINGS[lang][key].format(n=n)
