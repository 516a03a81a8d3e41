"""dataset.json: what a patch dataset holds, beside its TFRecord shards.

Training reads it for band names, patch size, classes and normalisation statistics; `claro
info` prints it. Keys:

  format          "claro-patch-dataset/1"
  bands           feature names in the records, in order: ["b1", …, "bN"]; read BY NAME (an
                  export's own names, e.g. ["B2", "B3", "B4"]), other features are skipped
  label           the feature holding the class values (default "class")
  source_bands    1-based band numbers read from the image rasters, same order
  band_descriptions  the rasters' own band descriptions (may be empty strings)
  patch_size      k: every feature is a float32 [k, k] array
  classes         [{"value", "name", "color"}]; class index i (what the reader yields) ↔ classes[i]
  ignore_value    value of `class` meaning "not labelled"
  statistics      per band, over valid pixels of the TRAINING split:
                  {"mean", "std", "p2", "p98", "min", "max"} (lists, one value per band)
  counts          patches per split {"train", "validation", "test"}
  class_pixels    per split, pixel counts aligned with classes; ignored_pixels per split
  split           how the split was made (spatial blocks: block size, seed, fractions, stride,
                  blocks per split, left_out_at_boundaries: windows dropped for crossing splits);
                  from `claro describe`: {"method": "names" | "shards" | "records", "seed",
                  "fractions"}; "records" keeps record j of the i-th listed file in the split
                  records.split_of_draw(records.record_draw(seed, i, j), fractions) names
  sources         [{"image", "labels", "crs", "wkt", "geotransform", "size", "patches"}]
  shards          files per split, relative to this folder (`../` allowed) or absolute; the
                  reader takes these when present, else the files named train*/validation*/test*
  compression     {"type": "GZIP", "compressor": "isal" or "zlib", "level"}
  order           {"shuffled": true, "seed", "target_shard_bytes"}: patches shuffled at write time
  parameters      the PatchParams used, and `command` (the argv that reproduces them)
  software        claro, GDAL, numpy and TensorFlow versions

Pure Python + numpy (no TensorFlow), so the plugin can read summaries too.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .errors import ClaroError

SUMMARY_NAME = "dataset.json"
SUMMARY_FORMAT = "claro-patch-dataset/1"
SPLITS = ("train", "validation", "test")
REQUIRED_KEYS = ("bands", "patch_size", "classes")


def write_summary(folder: str | os.PathLike, summary: dict[str, Any]) -> Path:
    path = Path(folder) / SUMMARY_NAME
    path.write_text(json.dumps({"format": SUMMARY_FORMAT, **summary}, indent=2) + "\n", encoding="utf-8")
    return path


def read_summary(folder: str | os.PathLike) -> dict[str, Any]:
    """The dataset.json of a patch dataset folder; a ClaroError says what is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ClaroError(f"Patch dataset {folder} does not exist; make one with 'claro patches'.")
    path = folder / SUMMARY_NAME
    if not path.is_file():
        raise ClaroError(f"{folder} is not a patch dataset: it has no {SUMMARY_NAME}; make one with 'claro patches'.")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ClaroError(f"{path} is not valid JSON ({error}); rebuild the dataset with 'claro patches'.")
    missing = [key for key in REQUIRED_KEYS if key not in summary] if isinstance(summary, dict) else list(REQUIRED_KEYS)
    if missing:
        raise ClaroError(f"{path} lacks {', '.join(missing)}; rebuild the dataset with 'claro patches'.")
    return summary


def describe(summary: dict[str, Any], path: str = "") -> str:
    """Human-readable summary for `claro info` and the dock."""
    k = summary["patch_size"]
    bands = summary["bands"]
    lines = [f"Patch dataset {path}".rstrip()]
    source_bands = summary.get("source_bands")
    lines.append(f"  patches: {k} × {k} pixels, {len(bands)} band{'s' if len(bands) != 1 else ''} "
                 f"({', '.join(bands)}" + (f" = image bands {', '.join(map(str, source_bands))})" if source_bands else ")"))
    counts = summary.get("counts") or {}
    if counts:
        lines.append("  counts: " + ", ".join(f"{split} {counts.get(split, 0)}" for split in SPLITS)
                     + f" (total {sum(counts.values())})")
    split = summary.get("split") or {}
    if split.get("block_size"):
        lines.append(f"  split: spatial blocks of {split['block_size']} × {split['block_size']} pixels, seed {split.get('seed')}")
    lines.append(f"  ignore value: {summary.get('ignore_value')}")
    class_pixels = summary.get("class_pixels") or {}
    lines.append("  classes:" + ("" if not class_pixels else "   (labelled pixels per split: " + ", ".join(SPLITS) + ")"))
    for i, c in enumerate(summary["classes"]):
        pixels = "  ".join(f"{class_pixels.get(s, [0] * (i + 1))[i]:>10}" for s in SPLITS) if class_pixels else ""
        lines.append(f"    {c['value']:>4}  {c['name']:<20} {c.get('color') or '':<8} {pixels}".rstrip())
    stats = summary.get("statistics") or {}
    if stats.get("mean"):
        lines.append("  band statistics (training split): mean / std / 2% / 98%")
        for i, name in enumerate(bands):
            lines.append(f"    {name:<6} {stats['mean'][i]:>12.4g} {stats['std'][i]:>12.4g} "
                         f"{stats['p2'][i]:>12.4g} {stats['p98'][i]:>12.4g}")
    for source in summary.get("sources") or []:
        lines.append(f"  source: {source.get('image')} + {source.get('labels')} ({source.get('crs') or 'no CRS'}, "
                     f"{source.get('patches', '?')} patches)")
    software = summary.get("software") or {}
    if software:
        lines.append("  software: " + ", ".join(f"{k} {v}" for k, v in software.items()))
    return "\n".join(lines)


class BandStatistics:
    """Per-band mean/std (Chan's parallel update across patches in float64; float32 pairwise
    sums within a patch, ~1e-6 relative) and 2 %/98 % percentiles (from a uniform sample of
    valid pixels, at most about `sample_limit` per band) over patches."""

    def __init__(self, n_bands: int, sample_limit: int = 1 << 18, seed: int = 0) -> None:
        self.n = 0
        self.mean = np.zeros(n_bands)
        self.m2 = np.zeros(n_bands)
        self.min = np.full(n_bands, np.inf)
        self.max = np.full(n_bands, -np.inf)
        self.sample_limit = sample_limit
        self.quota = 4096  # pixels sampled per patch; halved whenever the sample gets too big
        self.samples: list[np.ndarray] = []
        self.sampled = 0
        self.rng = np.random.default_rng(seed)

    def add(self, values: np.ndarray, valid: Optional[np.ndarray] = None) -> None:
        """`values` [bands, h, w]; `valid` [h, w] marks pixels with data."""
        pixels = values.reshape(values.shape[0], -1).astype(np.float32, copy=False)
        if valid is not None and not valid.all():
            pixels = pixels[:, valid.reshape(-1)]
        n = pixels.shape[1]
        if n == 0:
            return
        # Within a patch float32 is enough (numpy sums pairwise); patches combine in float64.
        mean32 = pixels.mean(axis=1)
        mean = mean32.astype(np.float64)
        m2 = ((pixels - mean32[:, None]) ** 2).sum(axis=1).astype(np.float64)
        total = self.n + n
        delta = mean - self.mean
        self.mean = self.mean + delta * n / total
        self.m2 = self.m2 + m2 + delta ** 2 * self.n * n / total
        self.n = total
        self.min = np.minimum(self.min, pixels.min(axis=1))
        self.max = np.maximum(self.max, pixels.max(axis=1))
        take = pixels.copy() if n <= self.quota else pixels[:, self.rng.integers(0, n, self.quota)]
        self.samples.append(take)
        self.sampled += take.shape[1]
        if self.sampled > self.sample_limit:  # thin every kept sample by half: stays uniform
            self.samples = [s[:, self.rng.random(s.shape[1]) < 0.5] for s in self.samples]
            self.sampled = sum(s.shape[1] for s in self.samples)
            self.quota = max(16, self.quota // 2)

    def result(self) -> dict[str, list[float]]:
        if self.n == 0:
            raise ValueError("no valid pixels were added")
        std = np.sqrt(self.m2 / self.n)
        sample = np.concatenate(self.samples, axis=1)
        p2, p98 = np.percentile(sample, [2, 98], axis=1)
        return {"mean": self.mean.tolist(), "std": std.tolist(), "p2": p2.tolist(), "p98": p98.tolist(),
                "min": self.min.tolist(), "max": self.max.tolist(), "pixels": int(self.n)}
