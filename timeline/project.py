"""Where a site's sources live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """Where a site's sources live; every path derives from the project root."""

    root: Path

    @property
    def config_file(self) -> Path:
        """``site.yaml``."""
        return self.root / "site.yaml"

    @property
    def content_dir(self) -> Path:
        """``content/``: one Markdown file per event."""
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        """``templates/``: Jinja templates and ``static/`` assets."""
        return self.root / "templates"

    @property
    def default_output(self) -> Path:
        """``output/``: where the site goes unless ``--output`` says otherwise."""
        return self.root / "output"
