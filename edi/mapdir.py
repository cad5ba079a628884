"""Where our pyx12 maps live: ``maps/`` beside the packages, or ``$EDI_MAP_DIR``."""

from __future__ import annotations

import os
from pathlib import Path


def default_map_dir() -> Path:
    """The maps are data, kept at the top of the repository (see maps/README.md)."""
    env = os.environ.get("EDI_MAP_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "maps"
