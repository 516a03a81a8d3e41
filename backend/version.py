"""The version has one home, metadata.txt (QGIS reads it there); everything else reads it."""
from pathlib import Path


def _read_version() -> str:
    metadata = Path(__file__).resolve().parents[1] / "metadata.txt"
    for line in metadata.read_text(encoding="utf-8").splitlines():
        if line.startswith("version="):
            return line.split("=", 1)[1].strip()
    return "0+unknown"


__version__ = _read_version()
