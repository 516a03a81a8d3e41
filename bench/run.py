"""Run the benchmarks: every bench/bench_*.py module's `run() -> dict`, merged into bench/results.json.

Each module's result is stored under the module's name (e.g. "bench_patches") with the time
and machine it was measured on; modules not run keep their previous results. The file is
written atomically. Benchmarks take minutes; they never run during tests.

Usage: python bench/run.py [NAME ...] [--quick] [--only PART,...]   (NAME: e.g. patches or bench_patches)

--only runs some parts of a module whose run() takes `parts` (e.g. predict --only tta,aoi); the
module's other parts keep their previous results, and its `summarize(result)` (if any) rewrites
the summary line from all of them.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import inspect
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results.json"


def modules(names: list[str]) -> list[Path]:
    found = sorted(BENCH.glob("bench_*.py"))
    if not names:
        return found
    wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in names}
    unknown = wanted - {p.stem for p in found}
    if unknown:
        sys.exit(f"No benchmark named {', '.join(sorted(unknown))}; have {', '.join(p.stem for p in found)}.")
    return [p for p in found if p.stem in wanted]


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def machine() -> dict:
    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}


def write_atomically(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def summary_lines(name: str, result: dict) -> list[str]:
    """The module's own 'summary' if it gives one, else its top-level numbers."""
    if isinstance(result.get("summary"), str):
        return [f"{name}: {result['summary']}"]
    numbers = {k: v for k, v in result.items() if isinstance(v, (int, float, bool, str)) and k not in ("measured_at",)}
    return [f"{name}: " + ", ".join(f"{k}={v}" for k, v in numbers.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for trying a benchmark out")
    parser.add_argument("--only", default="", help="comma-separated parts of the module(s) to run, e.g. tta,aoi")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(BENCH.parent.parent))  # `import claro` without the .venv link, when the checkout folder is named claro
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    failed = 0
    for path in modules(args.names):
        print(f"running {path.stem} …", flush=True)
        started = time.monotonic()
        try:
            module = load(path)
            accepted = inspect.signature(module.run).parameters
            kwargs = {"quick": True} if args.quick and "quick" in accepted else {}
            parts = tuple(p for p in args.only.split(",") if p)
            if parts and "parts" not in accepted:
                print(f"{path.stem} has no parts; --only ignored", flush=True)
            elif parts:
                kwargs["parts"] = parts
            result = dict(module.run(**kwargs))
            if "parts" in kwargs:  # keep the parts not run, then one summary line over all of them
                previous = results.get(path.stem, {})
                kept = {k: v for k, v in previous.items() if k not in ("summary", "quick")}
                for part in kept.values():  # the parts not run keep the date they were measured
                    if isinstance(part, dict) and "measured_at" in previous:
                        part.setdefault("measured_at", previous["measured_at"])
                result = {**kept, **result}
                if hasattr(module, "summarize"):
                    result["summary"] = module.summarize(result)
        except Exception:
            traceback.print_exc()
            failed += 1
            continue
        result["measured_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        result["seconds"] = round(time.monotonic() - started, 1)
        result["machine"] = machine()
        if args.quick:
            result["quick"] = True
        results[path.stem] = result
        write_atomically(RESULTS, results)  # after each module, so a later failure keeps this one
        for line in summary_lines(path.stem, result):
            print(line, flush=True)
    print(f"results in {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
