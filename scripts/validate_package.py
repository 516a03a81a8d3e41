#!/usr/bin/env python3
"""Check a plugin zip offline against the rules plugins.qgis.org applies on upload.

Why our own copy: the official validator (qgis-app/plugins/validator.py of the QGIS plugins
website) only runs on upload, needs Django and checks that the URLs answer. This applies the same
documented rules to the zip with the standard library, so `make validate-package` and the tests
catch a refused upload before anyone tries one. Placeholder URLs and e-mail (Claro has no public
home yet) are warnings here, not failures: the site would refuse them, but a local build is fine.

    usage: validate_package.py ZIP                 every rule; one sentence per failure, exit 1
           validate_package.py --metadata FILE     only the placeholder warnings of a metadata.txt
"""
from __future__ import annotations

import argparse
import configparser
import re
import sys
import zipfile
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

#: plugins.qgis.org refuses larger uploads (PLUGIN_MAX_UPLOAD_SIZE, bytes)
MAX_SIZE = 25_000_000
#: the keys the site requires in metadata.txt (PLUGIN_REQUIRED_METADATA)
REQUIRED_KEYS = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email",
                 "repository", "tracker")
#: keys holding web addresses: the site requires a scheme and a host and rejects its examples
URL_KEYS = {"repository": "http://repo", "tracker": "http://bugs", "homepage": "http://homepage"}
#: folders the site refuses anywhere in the zip
FORBIDDEN_FOLDERS = ("__MACOSX", ".git", "__pycache__")
#: a new plugin's top folder: a PEP 8 module name (the site's rule for new plugins)
TOP_FOLDER = re.compile(r"^[a-z_][a-z0-9_]*$")
#: The one definition of a placeholder: what metadata.txt holds until Claro has a public home
#: (example domains cannot receive the site's mail; the GitHub organisation does not exist).
#: When Claro's real home is known, set it in metadata.txt; drop an entry here only if the real
#: home turns out to be that very address.
PLACEHOLDERS = ("example.org", "example.com", "example.net", "github.com/claro-gis/")


def read_metadata(text: str) -> dict[str, str]:
    """[general] of a metadata.txt as QGIS and the site read it (keys case-sensitive)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    if not parser.has_section("general"):
        raise ValueError("it has no [general] section")
    return {key: value.strip() for key, value in parser.items("general")}


def placeholder_warnings(metadata: dict[str, str]) -> list[str]:
    """One sentence for each of email/repository/tracker/homepage that is still a placeholder."""
    warnings = []
    for key in ("email", "repository", "tracker", "homepage"):
        value = metadata.get(key, "")
        if any(marker in value.lower() + "/" for marker in PLACEHOLDERS):
            warnings.append(f"metadata.txt: {key}={value} is a placeholder; set Claro's real "
                            f"{'address' if key == 'email' else 'URL'} before uploading to plugins.qgis.org.")
    return warnings


def _path_failures(names: list[str]) -> list[str]:
    failures = []
    for name in names:
        parts = name.split("/")
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in name:
            failures.append(f"'{name}' is an absolute path or contains '..'; the zip may hold only "
                            "paths inside the plugin folder.")
        if ".pyc" in name:
            failures.append(f"'{name}' is compiled Python (.pyc); leave compiled files out of the zip.")
        for folder in FORBIDDEN_FOLDERS:
            if folder in parts:
                failures.append(f"'{name}' is inside a {folder} folder; leave {folder} out of the zip.")
                break
    return failures


def _metadata_failures(archive: zipfile.ZipFile, top: str, names: set[str]) -> tuple[list[str], list[str]]:
    """(failures, warnings) of <top>/metadata.txt and the icon it names."""
    path = f"{top}/metadata.txt"
    if path not in names:
        return [f"{path} is missing; the plugin folder needs a metadata.txt."], []
    try:
        metadata = read_metadata(archive.read(path).decode("utf-8"))
    except (UnicodeDecodeError, configparser.Error, ValueError) as error:
        return [f"{path} cannot be read ({str(error).splitlines()[0]}); write it as UTF-8 with a [general] section."], []
    failures = []
    missing = [key for key in REQUIRED_KEYS if not metadata.get(key)]
    if missing:
        failures.append(f"{path} lacks {', '.join(missing)}; plugins.qgis.org requires "
                        f"{', '.join(REQUIRED_KEYS)}.")
    for key, example in URL_KEYS.items():
        value = metadata.get(key)
        if value and (value == example or not all(urlparse(value)[:2])):
            failures.append(f"{path}: {key}={value} is not a web address; give a full https:// URL.")
    if "/" in metadata.get("author", ""):
        failures.append(f"{path}: author={metadata['author']} contains a slash, which plugins.qgis.org refuses.")
    icon = metadata.get("icon")
    if icon:
        icon_path = f"{top}/{icon[2:] if icon.startswith('./') else icon}"
        if icon_path not in names or not archive.read(icon_path):
            failures.append(f"{path} names the icon {icon}, but {icon_path} is missing or empty in the zip.")
    return failures, placeholder_warnings(metadata)


def check_zip(zip_path: str | Path) -> tuple[list[str], list[str]]:
    """(failures, warnings) for a plugin zip: one sentence each; no failures means the site's rules pass."""
    zip_path = Path(zip_path)
    if not zip_path.is_file():
        return [f"{zip_path} does not exist; build it with 'make package'."], []
    if zip_path.stat().st_size >= MAX_SIZE:
        return [f"{zip_path.name} is {zip_path.stat().st_size / 1e6:.1f} MB; plugins.qgis.org takes less "
                f"than {MAX_SIZE / 1e6:.0f} MB."], []
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as error:
        return [f"{zip_path.name} is not a readable zip ({error})."], []
    with archive:
        names = archive.namelist()
        if not names:
            return [f"{zip_path.name} is empty; it must hold the plugin folder."], []
        failures = _path_failures(names)
        broken = archive.testzip()
        if broken:
            failures.append(f"'{broken}' is damaged in the zip (CRC error); build the zip again.")
        tops = sorted({name.split("/")[0] for name in names})
        if len(tops) != 1 or all("/" not in name for name in names):
            failures.append(f"the zip must hold exactly one top folder (the plugin), not {', '.join(tops)}.")
            return failures, []
        top = tops[0]
        if not TOP_FOLDER.match(top):
            failures.append(f"the top folder '{top}' is not a Python module name (lowercase letters, digits, "
                            "underscores, not starting with a digit).")
        present = set(names)
        if f"{top}/__init__.py" not in present:
            failures.append(f"{top}/__init__.py is missing; QGIS imports the plugin folder as a Python package.")
        if f"{top}/LICENSE" not in present:
            failures.append(f"{top}/LICENSE is missing; plugins.qgis.org requires a LICENSE file in the plugin folder.")
        metadata_failures, warnings = _metadata_failures(archive, top, present)
        return failures + metadata_failures, warnings


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("zip", nargs="?", help="the plugin zip (dist/claro-<version>.zip)")
    parser.add_argument("--metadata", help="only warn about placeholders in this metadata.txt")
    args = parser.parse_args(argv)
    if args.metadata:
        try:
            warnings = placeholder_warnings(read_metadata(Path(args.metadata).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, configparser.Error, ValueError) as error:
            print(f"validate-package: {args.metadata} cannot be read ({error}).", file=sys.stderr)
            return 1
        for warning in warnings:
            print(f"WARNING: {warning}", file=sys.stderr)
        return 0
    if not args.zip:
        parser.error("give the zip to check (or --metadata FILE)")
    failures, warnings = check_zip(args.zip)
    for warning in warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    for failure in failures:
        print(f"validate-package: {failure}", file=sys.stderr)
    if failures:
        print(f"validate-package: {Path(args.zip).name} would be refused by plugins.qgis.org "
              f"({len(failures)} problem{'s' if len(failures) > 1 else ''}).", file=sys.stderr)
        return 1
    print(f"validate-package: {Path(args.zip).name} follows the plugin repository's rules"
          f"{' (placeholders aside, see the warnings)' if warnings else ''}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
