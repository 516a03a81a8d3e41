"""Shared test fixtures: real data every clone has, the real data only ../shared has, and a
summary line saying how many tests that second kind skipped.

Real Amazon tiles come from the sample bundled in resources/sample/ (the same files as in
../shared/data/amazon-forest), so training, resume, multi-device and dock tests run on any
checkout. Only data the repository cannot ship (Sen1Floods11, ee-aces-bhutan) lives in
../shared/data; tests needing it skip without it and fail under CI.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CLARO_SHARED_DATA", ROOT.parent / "shared" / "data"))
SAMPLE = ROOT / "resources" / "sample"
#: the bundled tile most tests use: 54 % cleared, 44 % in its top-left 256² (resources/sample/README.md)
SAMPLE_TILE = "Amazon_170_38"
#: words every "real data is missing" skip reason starts with, so the summary can count them
MISSING_SHARED = "real test data"


def require_shared(*parts: str) -> Path:
    """Path to a file in ../shared/data, for data the repository cannot ship. Skips with a reason
    on a machine without it, but fails under CI (CI=true), so a wrong path can never pass silently."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"{MISSING_SHARED} {path} is missing (../shared/data beside the checkout)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def sample_tile(name: str = SAMPLE_TILE) -> tuple[Path, Path]:
    """(image, mask) of an Amazon tile bundled in resources/sample/: 512², RGB uint8, EPSG:4326,
    mask 0 forest / 1 cleared. Part of every clone, so tests using it never skip."""
    image, mask = SAMPLE / "images" / f"{name}.tif", SAMPLE / "masks" / f"{name}.tif"
    for path in (image, mask):
        if not path.is_file():  # a broken checkout, not a missing optional download
            pytest.fail(f"bundled sample {path} is missing from the repository")
    return image, mask


@pytest.fixture
def amazon_tile():
    """(image, mask) of one real Amazon tile from the bundled sample."""
    return sample_tile()


@pytest.fixture
def sen1floods11():
    """(image, labels) of the 13-band Sen1Floods11 chip; labels int16 with -1 nodata."""
    return (require_shared("sen1floods11", "Spain_7370579_S2Hand.tif"),
            require_shared("sen1floods11", "Spain_7370579_LabelHand.tif"))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One closing line, after -ra's list of reasons: how many tests skipped because
    ../shared/data is missing, and how many for any other reason."""
    yield
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons = [str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
               for report in skipped]
    shared = sum(MISSING_SHARED in reason for reason in reasons)
    parts = []
    if shared:
        parts.append(f"{shared} because real test data in {SHARED_DATA} is missing "
                     "(Sen1Floods11 and ee-aces-bhutan are not in the repository)")
    if len(reasons) - shared:
        parts.append(f"{len(reasons) - shared} for the other reasons listed above")
    terminalreporter.write_line(f"claro: {len(reasons)} test{'s' if len(reasons) != 1 else ''} skipped: "
                                + "; ".join(parts) + ".", yellow=True)


def mount_tiny_disk(folder: Path, size: str) -> Path:
    """A tmpfs of `size` (e.g. "64k") at `folder`, so writes beyond it fail as on a full disk;
    skips where it cannot be mounted (not root, or no mount here). Unmount with unmount_tiny_disk."""
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs to fill needs root")
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    return folder


def unmount_tiny_disk(folder: Path) -> None:
    import subprocess

    subprocess.run(["umount", "-l", str(folder)], check=False)
