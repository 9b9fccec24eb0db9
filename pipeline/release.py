"""A versioned, self-contained release of the dataset.

    python -m pipeline.release [--db dist/vn_dx_plans.db] [--out dist/release] [--previous OLD]
    python -m pipeline.release --previous OLD --update-changelog   # write the generated section into CHANGELOG.md

writes dist/release/vn-dx-plans-<version>/ (the database, CSV and JSON of every table
and view, one Excel workbook, datapackage.json, CITATION.cff, LICENSE, LICENSE-CODE,
CHANGELOG.md, README.md, the source texts in sources/ and SHA256SUMS), its .zip, and
dist/release/manifest.json (every file with its size and SHA-256, for the site's
downloads page). The version and every other fact about the dataset are read from
the database's `dataset_info` table.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import stat
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from pipeline import citation
from pipeline.datapackage import dataset_info, descriptor, sha256
from pipeline.diff import changelog_section, compare_databases
from pipeline.export import export_tables, write_workbook
from pipeline.tables import open_database, relations

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "vn_dx_plans.db"
XLSX_NAME = "vn_dx_plans.xlsx"
CHANGELOG = ROOT / "CHANGELOG.md"
SOURCES = ROOT / "data" / "sources"
GENERATED = re.compile(r"<!-- generated: data changes -->.*?<!-- end generated -->\n?", re.S)


def created_at() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible releases)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.replace(microsecond=0)


# ---------------------------------------------------------------- CHANGELOG

def changelog(text: str, version: str, day: str, generated: str | None) -> str:
    """CHANGELOG.md with a section for `version`: the hand-written one if there is one, else a new one.
    `generated` (the data changes since the previous release) replaces the section's generated block."""
    block = f"<!-- generated: data changes -->\n{generated}<!-- end generated -->\n" if generated else ""
    heading = re.compile(rf"^## {re.escape(version)}\b.*$", re.M)
    match = heading.search(text)
    if match is None:
        earlier = re.search(r"^## ", text, re.M) is not None
        body = block or ("Changes since the previous release: run `make changelog PREVIOUS=<its folder or .db>`.\n"
                         if earlier else "First release.\n")
        section = f"## {version} ({day})\n\n{body}\n"
        first = re.search(r"^## ", text, re.M)
        at = first.start() if first else len(text)
        return text[:at].rstrip("\n") + "\n\n" + section + text[at:]
    end = re.search(r"^## ", text[match.end():], re.M)
    end = match.end() + end.start() if end else len(text)
    section = text[match.end():end]
    if block:
        section = (GENERATED.sub(lambda _: block, section) if GENERATED.search(section)
                   else "\n\n" + block + "\n" + section.lstrip("\n"))
    return text[:match.end()] + section + text[end:]


def release_changelog(version: str, moment: datetime, previous: Path | None, db: Path) -> str:
    """The repository's CHANGELOG.md with this version's section (and what changed since `previous`)."""
    generated = changelog_section(compare_databases(previous, db)) if previous else None
    current = CHANGELOG.read_text(encoding="utf-8") if CHANGELOG.exists() else "# Changelog\n"
    return changelog(current, version, moment.date().isoformat(), generated)


# ---------------------------------------------------------------- descriptions

def describe_files(folder: Path, found) -> dict[str, str]:
    """What each file of the release is (README and manifest.json use the same words)."""
    words = {
        DB_NAME: "The SQLite database: every table, view and full-text index (open with Datasette, sqlite-utils, "
                 "DB Browser for SQLite, R, Python…).",
        XLSX_NAME: "One Excel workbook: an 'about' sheet, then a sheet per table and view.",
        "README.md": "What the files are and how to open them.",
        "datapackage.json": "Frictionless data package descriptor: every CSV's fields, types, keys; the database and workbook with checksums.",
        "CITATION.cff": "How to cite this release (Citation File Format 1.2.0).",
        "LICENSE": "Licence of the data: CC BY 4.0 (full legal code); the source texts remain their publishers'.",
        "LICENSE-CODE": "Licence of the code that builds the dataset: MIT.",
        "CHANGELOG.md": "What changed in each release.",
        "SHA256SUMS": "SHA-256 of every file of the release (`sha256sum -c SHA256SUMS`).",
    }
    for relation in found:
        kind = "View" if relation.kind == "view" else "Table"
        words[f"{relation.name}.csv"] = f"{kind} {relation.name} as CSV (UTF-8 with BOM): {relation.description}"
        words[f"{relation.name}.json"] = f"{kind} {relation.name} as JSON (an array of objects)."
    order = list(words)  # the database, the workbook and the documents, then the tables and views, then sources/
    names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    names.sort(key=lambda n: (n.startswith("sources/"), order.index(n) if n in words else len(order), n))
    source_text = "Source text, kept so that every quote can be verified; it remains its publisher's."
    return {n: words.get(n) or (source_text if n.startswith("sources/") else n) for n in names}


def readme(info: dict, version: str, files: dict[str, str]) -> str:
    listing = "\n".join(f"| `{name}` | {text} |" for name, text in files.items() if not name.startswith("sources/"))
    return f"""# {info['title']} — release {version}

{info['title_vi']}

{info['description']}

Licence: **{info['license']}** ({info['license_url']}) for the data; the code that builds it is
{info['code_license']}-licensed (`LICENSE-CODE`). How to cite: see `CITATION.cff`, or

> {info['citation']} Version {version}.

## The files

| file | what it is |
|---|---|
{listing}
| `sources/` | The source texts and reference notes every quote and figure is checked against (see `sources/README.md`). |

Every table and view is in the database, as a CSV, as a JSON file and as a sheet of the
workbook; `datapackage.json` describes every column (also in the data dictionary of the
repository). Null (an empty cell) means the source does not say.

## The source texts

The texts in `sources/` **remain their publishers'**: neither this dataset's licence nor the
code's covers them. They are included, unchanged, so that every quote in the dataset can be
verified (each row's `source_id` and `locator` say where).

## Opening the CSV files in a spreadsheet

The CSV files are UTF-8 with a byte-order mark, comma-separated, with every text field in
double quotes (a field may hold a line break). Values such as `=` and `>=` in `comparator` are
comparators, not formulas — so import the file rather than double-click it:

- **Excel**: Data → From Text/CSV, File origin "65001: Unicode (UTF-8)", Delimiter "Comma",
  then Load. (This import does not evaluate formulas; double-clicking a CSV does.) Or simply
  open `{XLSX_NAME}`, where every text cell is stored as text.
- **LibreOffice Calc**: File → Open, Character set "Unicode (UTF-8)", Separator "Comma",
  String delimiter `"`, and tick **"Format quoted field as text"** (and leave "Evaluate
  formulas" unticked).
- **R**: `read.csv("targets.csv", fileEncoding = "UTF-8-BOM")`; **Python**:
  `pandas.read_csv("targets.csv", encoding="utf-8-sig")`.

## Checking the download

`sha256sum -c SHA256SUMS` in this folder checks every file; `frictionless validate
datapackage.json` checks every CSV against its schema and the database's and workbook's checksums.
"""


# ---------------------------------------------------------------- the release

def build_fresh(data_dir: Path | None, target: Path):
    import build

    args = ["--output", str(target)] + (["--data", str(data_dir)] if data_dir else [])
    if build.main(args) != 0:
        raise SystemExit("the build failed; no release written")


def copy_vacuumed(source: Path, target: Path):
    """The release's copy of the database, defragmented by VACUUM INTO (ANALYZE's statistics go along)."""
    conn = sqlite3.connect(f"file:{Path(source).resolve()}?mode=ro", uri=True)
    try:
        conn.execute("VACUUM INTO ?", (str(target),))
    finally:
        conn.close()


def inside_output(out: Path, name: str) -> Path:
    """out/name, refused (SystemExit, nothing deleted or written) unless it is a plain name whose path resolves to
    a direct child of `out`: dataset_info's name and version come from the data (dataset.yml's contract limits
    them to a file-name component; a database made otherwise, or a symbolic link in `out`, must not steer a
    deletion elsewhere)."""
    target = out / name
    try:
        plain = name not in ("", ".", "..") and "/" not in name and "\\" not in name and "\0" not in name
        resolved = target.resolve()
        ok = plain and resolved.parent == out.resolve() and resolved.name == name
    except (OSError, RuntimeError, ValueError):
        ok = False
    if not ok:
        raise SystemExit(f"{target}: refused: the release's name and version ({name!r}) must make a plain "
                         f"file name inside {out}; nothing deleted or written")
    return target


def write_release(out: Path, db: Path | None = None, previous: Path | None = None, data_dir: Path | None = None) -> Path:
    """Write the release folder, its zip and manifest.json into `out`; returns the release folder."""
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    moment = created_at()
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        if db is None:
            db = staging / ".fresh.db"
            build_fresh(data_dir, db)
        copy_vacuumed(db, staging / DB_NAME)
        if db.parent == staging:
            db.unlink()
        os.chmod(staging / DB_NAME, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # immutable: read-only
        database = open_database(staging / DB_NAME)
        info = dataset_info(database)
        version = info["version"]
        name = f"{info['name']}-{version}"
        folder = inside_output(out, name)  # before anything is deleted or written under that name
        inside_output(out, f"{name}.zip")

        data = export_tables(database, staging)
        write_workbook(staging / XLSX_NAME, database, info, data)
        shutil.copytree(SOURCES, staging / "sources")
        for file_name in ("LICENSE", "LICENSE-CODE"):
            shutil.copyfile(ROOT / file_name, staging / file_name)
        cff = citation.render(info, date_released=moment.date().isoformat())
        problems = citation.problems(cff)
        if problems:
            raise SystemExit(f"CITATION.cff is not valid CFF 1.2.0: {problems}")
        (staging / "CITATION.cff").write_text(cff, encoding="utf-8")
        (staging / "CHANGELOG.md").write_text(release_changelog(version, moment, previous, staging / DB_NAME),
                                              encoding="utf-8")
        files = {DB_NAME: ("vn_dx_plans_sqlite", "The SQLite database (every table, view and full-text index)."),
                 XLSX_NAME: ("vn_dx_plans_xlsx", "Every table and view as one Excel workbook, after an 'about' sheet.")}
        package = descriptor(database, staging, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), files)
        (staging / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        found = relations(database)
        database.conn.close()
        for placeholder in ("README.md", "SHA256SUMS"):  # so that the README's table of files lists them
            (staging / placeholder).touch()
        (staging / "README.md").write_text(readme(info, version, describe_files(staging, found)), encoding="utf-8")
        sums = [f"{sha256(p)}  {p.relative_to(staging).as_posix()}" for p in sorted(staging.rglob("*"))
                if p.is_file() and p.relative_to(staging).as_posix() != "SHA256SUMS"]
        (staging / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")

        if folder.exists() or folder.is_symlink():
            shutil.rmtree(inside_output(out, name))
        staging.rename(folder)
        folder.chmod(0o755)  # mkdtemp made it private
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    archive = write_zip(folder, out / f"{name}.zip", moment)
    write_manifest(out, folder, archive, info, describe_files(folder, found))
    print(f"wrote {folder} and {archive.name} ({archive.stat().st_size // 1024} KiB) in {time.monotonic() - started:.1f} s")
    return folder


def write_zip(folder: Path, archive: Path, moment: datetime) -> Path:
    """The release folder as one zip (the folder itself at its root); fixed timestamps, sorted entries."""
    stamp = moment.timetuple()[:6]
    temp = archive.with_suffix(".zip.tmp")
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (path.stat().st_mode & 0o777) << 16
            zf.writestr(entry, path.read_bytes())
    os.replace(temp, archive)
    return archive


def write_manifest(out: Path, folder: Path, archive: Path, info: dict, descriptions: dict[str, str]):
    """dist/release/manifest.json: what the site's downloads page lists (paths relative to dist/release/)."""
    def entry(path: Path, description: str) -> dict:
        return {"path": path.relative_to(out).as_posix(), "bytes": path.stat().st_size, "sha256": sha256(path),
                "description": description}

    files = [entry(archive, f"Everything below in one zip archive (the folder {folder.name}/).")]
    files += [entry(folder / name, text) for name, text in descriptions.items()]
    manifest = {"name": info["name"], "version": info["version"], "license": info["license"],
                "citation": info["citation"], "folder": folder.name, "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a database built from data/ (default: build a fresh one)")
    parser.add_argument("--data", type=Path, help="build from this data folder (default: data/)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "release", help="default: dist/release")
    parser.add_argument("--previous", type=Path, help="the previous release (folder or .db): the CHANGELOG says what changed")
    parser.add_argument("--update-changelog", action="store_true",
                        help="write this version's section into the repository's CHANGELOG.md (to edit by hand); no release")
    args = parser.parse_args(argv)
    if args.update_changelog:
        return update_changelog(args.previous, args.db)
    write_release(args.out, db=args.db, previous=args.previous, data_dir=args.data)
    return 0


def update_changelog(previous: Path | None, db: Path | None) -> int:
    with tempfile.TemporaryDirectory() as temp:
        if db is None:
            db = Path(temp) / DB_NAME
            build_fresh(None, db)
        database = open_database(db)
        version = dataset_info(database)["version"]
        database.conn.close()
        CHANGELOG.write_text(release_changelog(version, created_at(), previous, db), encoding="utf-8")
    print(f"wrote the {version} section of {CHANGELOG.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
