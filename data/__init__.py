"""Bundled datasets (data only): the Nationaal Techniekpact 2020 letters and curated records."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

BUNDLED = "techniekpact"


def bundled_dataset(name: str = BUNDLED) -> Traversable:
    """The folder of a bundled dataset, holding ``letters/`` and ``records/``."""
    return files("pactgraph.data").joinpath(name)
