"""Static timeline generator: Markdown events with YAML front matter → a sorted static timeline site."""

__version__ = "0.2.0"
