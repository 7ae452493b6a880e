"""Where a site's sources live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def _theme_dir() -> Path:
    """The default theme: in the installed package, or the checkout's templates/ when run from a clone."""
    here = Path(__file__).resolve().parent
    packaged = here / "theme"  # the wheel puts templates/ there (pyproject.toml, force-include)
    return packaged if packaged.is_dir() else here.parent / "templates"


THEME_DIR = _theme_dir()


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
        """``templates/``: the site's own templates and ``static/`` assets, each overriding the theme's file of that name."""
        return self.root / "templates"

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Where a template or asset is looked for, first match wins: the site's templates/, then the default theme."""
        if self.templates_dir.resolve() == THEME_DIR:
            return (self.templates_dir,)  # this checkout's own site: its templates/ is the theme
        return (self.templates_dir, THEME_DIR)

    @property
    def default_output(self) -> Path:
        """``output/``: where the site goes unless ``--output`` says otherwise."""
        return self.root / "output"
