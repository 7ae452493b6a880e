"""``python -m chronologie``: the same command line as ``chronologie`` and ``build.py``."""

from .cli import run

if __name__ == "__main__":
    run(prog="python -m chronologie")
