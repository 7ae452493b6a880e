# The minimal Pelican site bench/compare.py builds beside ours: one page per event (an article), an index, tag
# pages. compare.py writes content/ from the corpus. Nothing else: no categories, authors or archives pages, no
# feeds, no pagination, no static files, and no cache (every build is cold).
SITENAME = "Corpus de mesure"
SITEURL = ""
PATH = "content"
THEME = "theme"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
ARTICLE_ORDER_BY = "date"

# The slug is the file's name, as Hugo's (Pelican's default reads a date out of it, and slugifies the title).
FILENAME_METADATA = r"(?P<slug>.*)"
ARTICLE_URL = "events/{slug}/"
ARTICLE_SAVE_AS = "events/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
DIRECT_TEMPLATES = ["index"]
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
DEFAULT_PAGINATION = False
STATIC_PATHS = []

FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# The Python-Markdown extensions our generator's features match (Pelican adds `meta` itself, for the metadata);
# not Pelican's default codehilite.
MARKDOWN = {
    "extensions": [
        "markdown.extensions.toc",
        "markdown.extensions.tables",
        "markdown.extensions.footnotes",
        "markdown.extensions.def_list",
        "markdown.extensions.attr_list",
        "markdown.extensions.fenced_code",
        "markdown.extensions.abbr",
        "markdown.extensions.md_in_html",
        "markdown.extensions.admonition",
        "markdown.extensions.sane_lists",
    ],
    "extension_configs": {},
    "output_format": "html5",
}
