"""Shared test fixtures: where the real data lives, and a rule for when it is missing."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CLARO_SHARED_DATA", ROOT.parent / "shared" / "data"))


def require_shared(*parts: str) -> Path:
    """Path to a file in ../shared/data. Skips with a reason on a user's machine without it,
    but fails under CI (CI=true), so a wrong path can never pass silently."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"real test data {path} is missing (../shared/data beside the checkout)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def amazon_tile():
    """(image, mask) of one real Amazon tile: 512², RGB uint8, EPSG:4326, mask 0 forest / 1 cleared."""
    name = "Amazon_1110_25.tif"
    return require_shared("amazon-forest", "images", name), require_shared("amazon-forest", "masks", name)


@pytest.fixture
def sen1floods11():
    """(image, labels) of the 13-band Sen1Floods11 chip; labels int16 with -1 nodata."""
    return (require_shared("sen1floods11", "Spain_7370579_S2Hand.tif"),
            require_shared("sen1floods11", "Spain_7370579_LabelHand.tif"))
