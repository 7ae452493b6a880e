"""Writing the rendered site: into a fresh folder beside the output, then swapped in whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .problems import Problem, display_path

# Every build writes this file, so its presence tells a previous build from a folder of the user's.
MARKER = ".nojekyll"


def check_output_dir(output: Path, root: Path, protected: list[Path]) -> list[Problem]:
    """Refuse an output folder that would replace the project, its sources, or a folder we did not build."""
    out = output.resolve()
    shown = display_path(output, root)
    for source in [root, *protected]:
        source = source.resolve()
        if out == source or source.is_relative_to(out):
            return [Problem(shown, 1, f"refusing to build into {shown}: it is or contains {display_path(source, root)}, which the build reads; choose another --output")]
        if out.is_relative_to(source) and source != root.resolve():
            return [Problem(shown, 1, f"refusing to build into {shown}: it lies inside {display_path(source, root)}, which the build reads; choose another --output")]
    if out.exists() and not out.is_dir():
        return [Problem(shown, 1, f"{shown} exists and is not a folder; remove it or choose another --output")]
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        return [Problem(shown, 1, f"{shown} is not empty and was not made by this tool (no {MARKER}); empty it or choose another --output")]
    return []


def write_site(files: dict[str, bytes], output: Path) -> None:
    """Write ``files`` into a temporary sibling of ``output``, then swap it in; on failure the old output stays."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.new-{os.getpid()}")
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for relative, data in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if output.exists():
            os.replace(output, retired)
        os.replace(staging, output)
    except BaseException:
        if retired.exists() and not output.exists():
            os.replace(retired, output)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
