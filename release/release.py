"""A versioned, self-contained release of the dataset.

    python -m release.release [--db dist/vn_dx_plans.db] [--out dist/release] [--previous OLD]
    python -m release.release --previous OLD --update-changelog   # write the generated section into CHANGELOG.md

writes dist/release/vn-dx-plans-<version>/ (the database, CSV, JSON and Parquet of every
table and view, one Excel workbook, datapackage.json, the data dictionary, CITATION.cff,
CITATION.bib, .zenodo.json, LICENSE, LICENSE-CODE, CHANGELOG.md, README.md, the source texts
in sources/ and SHA256SUMS), its .zip, and dist/release/manifest.json (every file with its size
and SHA-256, for the site's downloads page). The version and every other fact about the
dataset are read from the database's `dataset_info` table.

Reproducible: the same database and repository files give the same bytes, on any machine and at
any time. Every date is the release's (`released` in data/dataset.yml, else SOURCE_DATE_EPOCH),
never the clock; the zip's entries have that date, fixed permissions and a sorted order; JSON keys
are sorted. A release whose inputs have not changed is not rewritten (dist/release/.inputs holds
their digest): `make serve` serves the same files again.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path

from release import citation
from release.datapackage import dataset_info, descriptor, release_moment, sha256
from release.diff import changelog_section, compare_databases
from release.export import export_tables, write_workbook
from release.parquet import write_parquet
from release.tables import open_database, relations

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "vn_dx_plans.db"
XLSX_NAME = "vn_dx_plans.xlsx"
CHANGELOG = ROOT / "CHANGELOG.md"
SOURCES = ROOT / "data" / "sources"
GENERATED = re.compile(r"<!-- generated: data changes -->.*?<!-- end generated -->\n?", re.S)
DICTIONARY_NAME = "data-dictionary.md"
STAMP = ".inputs"  # in the output folder: the digest of the last release's inputs
# What a release reads besides the database (with the code that writes it): a change to any rewrites it.
INPUTS = ("data/sources/**/*", "LICENSE", "LICENSE-CODE", "CHANGELOG.md", "release/**/*.py", "release/schemas/*",
          "schema/*.py", "requirements.lock")
FILE_MODE = 0o644  # of every file in the zip (the database: read-only, 0o444)


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
        "README.md": "What the files are, how to open them (pandas, R, DuckDB, sqlite3, spreadsheets) and how to cite them.",
        "datapackage.json": "Frictionless data package descriptor: every CSV's fields, types, keys; the database and workbook with checksums.",
        DICTIONARY_NAME: "The data dictionary: every table, view and column, generated from the models.",
        "CITATION.cff": "How to cite this release (Citation File Format 1.2.0).",
        "CITATION.bib": "How to cite this release (BibTeX).",
        ".zenodo.json": "The release's metadata for archiving it on Zenodo (the same facts as CITATION.cff).",
        "LICENSE": "Licence of the data: CC BY 4.0 (full legal code); the source texts remain their publishers'.",
        "LICENSE-CODE": "Licence of the code that builds the dataset: MIT.",
        "CHANGELOG.md": "What changed in each release.",
        "SHA256SUMS": "SHA-256 of every file of the release (`sha256sum -c SHA256SUMS`).",
    }
    for relation in found:
        kind = "View" if relation.kind == "view" else "Table"
        words[f"{relation.name}.csv"] = f"{kind} {relation.name} as CSV (UTF-8 with BOM): {relation.description}"
        words[f"{relation.name}.json"] = f"{kind} {relation.name} as JSON (an array of objects)."
        words[f"{relation.name}.parquet"] = f"{kind} {relation.name} as Parquet, typed as in datapackage.json."
    order = list(words)  # the database, the workbook and the documents, then the tables and views, then sources/
    names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    names.sort(key=lambda n: (n.startswith("sources/"), order.index(n) if n in words else len(order), n))
    source_text = "Source text, kept so that every quote can be verified; it remains its publisher's."
    return {n: words.get(n) or (source_text if n.startswith("sources/") else n) for n in names}


def readme(info: dict, version: str, files: dict[str, str], released: str) -> str:
    listing = "\n".join(f"| `{name}` | {text} |" for name, text in files.items() if not name.startswith("sources/"))
    return f"""# {info['title']} — release {version}

{info['title_vi']}

{info['description']}

Version **{version}**, released {released}. Licence: **{info['license']}** ({info['license_url']}) for the
data; the code that builds it is {info['code_license']}-licensed (`LICENSE-CODE`).

## How to cite

> {citation.cite(info)}

The same in `CITATION.cff` (Citation File Format) and, for BibTeX, in `CITATION.bib`:

```bibtex
{citation.bibtex(info, released).rstrip()}
```

A release is reproducible byte for byte: the same version built again from the same data gives the same
files, so `SHA256SUMS` identifies exactly what you cite.

## The files

| file | what it is |
|---|---|
{listing}
| `sources/` | The source texts and reference notes every quote and figure is checked against (see `sources/README.md`). |

Every table and view is in the database, as a CSV, as a JSON file, as a Parquet file and as a sheet
of the workbook; `datapackage.json` types every column, and `{DICTIONARY_NAME}` describes every table,
view and column. Null (an empty cell) means the source does not say. `row_history` says what changed in
each row since the release that first had it.

## Reading the data

Each example counts the targets of each jurisdiction; run it in this folder.

**Python (pandas)**: the Parquet files keep every column's type (the CSVs need `encoding="utf-8-sig"`):

```python
import pandas as pd
targets = pd.read_parquet("targets.parquet")
print(targets.groupby("jurisdiction_id").size().to_string())
```

**R**: with the `arrow` package, or `readr` for the CSVs (it skips the byte-order mark):

```r
library(arrow)
targets <- read_parquet("targets.parquet")
# or: targets <- readr::read_csv("targets.csv")
table(targets$jurisdiction_id)
```

**DuckDB** (the `duckdb` command, or `duckdb.sql(...)` in Python) reads the Parquet files as tables:

```sql
SELECT jurisdiction_id, count(*) AS targets FROM 'targets.parquet' GROUP BY jurisdiction_id ORDER BY jurisdiction_id;
```

**sqlite3** (the command-line shell) reads the database:

```sh
sqlite3 -header -csv vn_dx_plans.db "SELECT jurisdiction_id, count(*) AS targets FROM targets GROUP BY jurisdiction_id ORDER BY jurisdiction_id"
```

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
    args = ["--output", str(target)] + (["--data", str(data_dir)] if data_dir else [])
    if subprocess.run([sys.executable, str(ROOT / "build.py"), *args], check=False).returncode != 0:  # nothing of the build imported
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


def inputs_digest(db: Path, previous: Path | None) -> str:
    """The digest of everything a release is made of: the database's bytes, the repository files it copies, the
    code that writes it, the previous release it is compared with and SOURCE_DATE_EPOCH."""
    digest = hashlib.sha256()
    files = [("database", db)] + [(path.relative_to(ROOT).as_posix(), path) for pattern in INPUTS
                                  for path in sorted(ROOT.glob(pattern)) if path.is_file()]
    if previous is not None:
        from release.diff import database_path
        files.append(("previous", database_path(previous)))
    for name, path in files:
        digest.update(f"{name}\0{sha256(path)}\0".encode())
    digest.update(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())
    return digest.hexdigest()


def up_to_date(out: Path, digest: str) -> Path | None:
    """The release folder, when the last release written into `out` had these inputs and its files are intact."""
    stamp = out / STAMP
    if not stamp.is_file():
        return None
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if not isinstance(recorded, dict):
        return None
    names = [str(recorded.get("folder") or ""), str(recorded.get("zip") or "")]
    if not all(names) or any("/" in n or "\\" in n or n in (".", "..") for n in names):  # only names inside `out`
        return None
    folder, archive = out / names[0], out / names[1]
    if recorded.get("inputs") != digest or not (folder / "SHA256SUMS").is_file() or not archive.is_file() \
            or not (out / "manifest.json").is_file():
        return None
    if sha256(folder / "SHA256SUMS") != recorded.get("sha256sums") or sha256(archive) != recorded.get("zip_sha256"):
        return None
    return folder


def write_release(out: Path, db: Path | None = None, previous: Path | None = None, data_dir: Path | None = None,
                  force: bool = False) -> Path:
    """Write the release folder, its zip and manifest.json into `out`; returns the release folder. A release
    whose inputs (inputs_digest) have not changed since the last one written into `out` is left as it is."""
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        if db is None:
            db = staging / ".fresh.db"
            build_fresh(data_dir, db)
        digest = inputs_digest(db, previous)
        current = None if force else up_to_date(out, digest)
        if current is not None:
            print(f"{current} is up to date (its inputs have not changed); not rewritten")
            return current
        copy_vacuumed(db, staging / DB_NAME)
        if db.parent == staging:
            db.unlink()
        os.chmod(staging / DB_NAME, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # immutable: read-only
        database = open_database(staging / DB_NAME)
        info = dataset_info(database)
        moment = release_moment(info)  # every date of the release: the data's, never the clock
        released = moment.date().isoformat()
        version = info["version"]
        name = f"{info['name']}-{version}"
        folder = inside_output(out, name)  # before anything is deleted or written under that name
        inside_output(out, f"{name}.zip")

        data = export_tables(database, staging)
        write_parquet(database, staging, data)
        write_workbook(staging / XLSX_NAME, database, info, data, created=moment)
        shutil.copytree(SOURCES, staging / "sources")
        for file_name in ("LICENSE", "LICENSE-CODE"):
            shutil.copyfile(ROOT / file_name, staging / file_name)
        from schema.docs import render_dictionary
        (staging / DICTIONARY_NAME).write_text(render_dictionary(), encoding="utf-8")
        cff = citation.render(info, date_released=released)
        problems = citation.problems(cff)
        if problems:
            raise SystemExit(f"CITATION.cff is not valid CFF 1.2.0: {problems}")
        (staging / "CITATION.cff").write_text(cff, encoding="utf-8")
        (staging / "CITATION.bib").write_text(citation.bibtex(info, released), encoding="utf-8")
        (staging / ".zenodo.json").write_text(citation.zenodo(info, released), encoding="utf-8")
        (staging / "CHANGELOG.md").write_text(release_changelog(version, moment, previous, staging / DB_NAME),
                                              encoding="utf-8")
        files = {DB_NAME: ("vn_dx_plans_sqlite", "The SQLite database (every table, view and full-text index)."),
                 XLSX_NAME: ("vn_dx_plans_xlsx", "Every table and view as one Excel workbook, after an 'about' sheet.")}
        package = descriptor(database, staging, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), files)
        write_json(staging / "datapackage.json", package)
        found = relations(database)
        database.conn.close()
        for placeholder in ("README.md", "SHA256SUMS"):  # so that the README's table of files lists them
            (staging / placeholder).touch()
        (staging / "README.md").write_text(readme(info, version, describe_files(staging, found), released),
                                           encoding="utf-8")
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
    write_manifest(out, folder, archive, info, describe_files(folder, found), released)
    write_json(out / STAMP, {"inputs": digest, "folder": folder.name, "zip": archive.name,
                             "sha256sums": sha256(folder / "SHA256SUMS"), "zip_sha256": sha256(archive)})
    print(f"wrote {folder} and {archive.name} ({archive.stat().st_size // 1024} KiB) in {time.monotonic() - started:.1f} s")
    return folder


def write_json(path: Path, document):
    """JSON as the release writes it: keys sorted, so that the same facts give the same bytes."""
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def release_files(folder: Path) -> list[str]:
    """Every file of a release folder, by its path inside it, sorted (the order of SHA256SUMS and the zip)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def write_zip(folder: Path, archive: Path, moment: datetime) -> Path:
    """The release folder as one zip (the folder itself at its root): entries in sorted order, each with the
    release's date, fixed permissions (the database read-only) and made on Unix, whatever the machine."""
    stamp = moment.timetuple()[:6]
    temp = archive.with_suffix(".zip.tmp")
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in release_files(folder):
            entry = zipfile.ZipInfo(f"{folder.name}/{name}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, so that the permissions below are read
            mode = 0o444 if name == DB_NAME else FILE_MODE
            entry.external_attr = (stat.S_IFREG | mode) << 16
            zf.writestr(entry, (folder / name).read_bytes())
    os.replace(temp, archive)
    return archive


def write_manifest(out: Path, folder: Path, archive: Path, info: dict, descriptions: dict[str, str], released: str):
    """dist/release/manifest.json: what the site's downloads page lists (paths relative to dist/release/)."""
    def entry(path: Path, description: str) -> dict:
        return {"path": path.relative_to(out).as_posix(), "bytes": path.stat().st_size, "sha256": sha256(path),
                "description": description}

    files = [entry(archive, f"Everything below in one zip archive (the folder {folder.name}/).")]
    files += [entry(folder / name, text) for name, text in descriptions.items()]
    manifest = {"name": info["name"], "version": info["version"], "released": released, "license": info["license"],
                "citation": citation.cite(info), "bibtex": citation.bibtex(info, released),
                "doi": info.get("doi"), "repository": info.get("repository"), "folder": folder.name, "files": files}
    write_json(out / "manifest.json", manifest)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a database built from data/ (default: build a fresh one)")
    parser.add_argument("--data", type=Path, help="build from this data folder (default: data/)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "release", help="default: dist/release")
    parser.add_argument("--previous", type=Path, help="the previous release (folder or .db): the CHANGELOG says what changed")
    parser.add_argument("--update-changelog", action="store_true",
                        help="write this version's section into the repository's CHANGELOG.md (to edit by hand); no release")
    parser.add_argument("--force", action="store_true", help="write the release even if its inputs have not changed")
    args = parser.parse_args(argv)
    if args.update_changelog:
        return update_changelog(args.previous, args.db)
    write_release(args.out, db=args.db, previous=args.previous, data_dir=args.data, force=args.force)
    return 0


def update_changelog(previous: Path | None, db: Path | None) -> int:
    with tempfile.TemporaryDirectory() as temp:
        if db is None:
            db = Path(temp) / DB_NAME
            build_fresh(None, db)
        database = open_database(db)
        info = dataset_info(database)
        database.conn.close()
        version = info["version"]
        CHANGELOG.write_text(release_changelog(version, release_moment(info), previous, db), encoding="utf-8")
    print(f"wrote the {version} section of {CHANGELOG.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
