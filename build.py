#!/usr/bin/env python3
"""Build the vn-dx-plans SQLite database from the YAML in data/.

    python build.py                          # data/ -> dist/vn_dx_plans.db
    python build.py --data DIR --output PATH
    python build.py --check                  # validate only, write nothing
    python build.py --sources DIR            # source texts elsewhere (default: DATA/sources)

Parse (libyaml, plain YAML only) -> validate everything -> load -> index.
Every problem is reported at once as `file:line: field: message`; on any
problem nothing is written and the previous database stays as it was.

The pipeline, top to bottom, each stage a module of pipeline/:
    parse      pipeline/parse.py      every data file read (read.py), checked against its contract (contract.py,
                                      validate.py) and parsed into the Dataset, in processes and cached (cache.py)
    validate   pipeline/validate.py   references resolved across files, rows given their inherited source and unit
    evidence   pipeline/evidence.py   quotes verbatim in their source texts, numbers in their quotes
    claims     pipeline/claims.py     each figure's claims ranked by authority, the best one written as the figure
    load       pipeline/load.py       the schema template, the rows, foreign keys, ANALYZE; renamed into place
    index      pipeline/search.py     full-text search; schema/views.py derives the comparison rows
An incremental rebuild (load_changes, pipeline/incremental.py) runs the same checks on fewer parsed files.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from pipeline import contract, history, incremental, outputs
from pipeline.cache import cache_key, cache_problems, parse_files, read_summary
from pipeline.claims import settle_claims
from pipeline.evidence import check_evidence
from pipeline.load import CACHE, _table_keys, schema_template, write_database
from pipeline.parse import Dataset, data_paths, merge_part, parse_file
from pipeline.progress import Progress
from pipeline.read import Problem, Problems, display_path
from pipeline.text import fold, nfc_norm, number_in_text, quote_in_text, slug, written_number  # noqa: F401  (used by tests)
from pipeline.validate import fill_defaults, resolve_references
from schema import views  # noqa: F401  (build.views: used by tests)
from schema.yaml_schema import VOCABULARY_FILES

ROOT = Path(__file__).resolve().parent
DEFAULT_DATA = ROOT / "data"
DEFAULT_OUTPUT = ROOT / "dist" / "vn_dx_plans.db"


def load_dataset(data_dir: Path, sources_dir: Path | None = None, jobs: int | None = None,
                 cache: Path | None = None, progress=None, paths: tuple | None = None,
                 keys: dict | None = None) -> tuple[Dataset, Problems]:
    """Parse and validate every file of data_dir (in `jobs` processes, each file's result cached in `cache` by
    its content), then run the whole-dataset checks; quotes are checked against the texts in sources_dir
    (default: data_dir/sources). `paths`: (paths, problems) of data_paths, when already listed; `keys`: their
    cache keys, when already computed."""
    ds, refs = Dataset(), []
    if paths is None:
        problems = Problems()
        paths = data_paths(data_dir, problems)
    else:
        paths, problems = paths[0], Problems(paths[1])
    if not data_dir.is_dir():
        return ds, problems
    for part in parse_files(parse_file, paths, jobs=jobs, cache=cache, progress=progress, keys=keys):
        merge_part(ds, part, problems, refs)
    check_whole(ds, refs, problems, data_dir, sources_dir, progress=progress)
    return ds, problems


def load_changes(data_dir: Path, sources_dir: Path | None, jobs: int | None, cache: Path, output: Path | None,
                 paths: list[Path], keys: dict, progress=None) -> tuple[Dataset | None, incremental.Changes | str]:
    """An incremental rebuild (pipeline/incremental.py says when it is taken and why it equals a clean build):
    the changed jurisdiction files parsed and checked afresh, every other one from its cached summary, and every
    whole-dataset check run again on the result. (None, why) when the build must be done in full."""
    try:
        code = incremental.version(schema_template().name)
    except Exception:  # noqa: BLE001 (the full build reports why the schema cannot be made)
        return None, "no schema"
    changes = incremental.plan(incremental.read_manifest(incremental.manifest_path(cache, data_dir, output)),
                               keys, code, output, set(VOCABULARY_FILES))
    if isinstance(changes, str):
        return None, changes
    summaries = {}
    for path in paths:
        name = display_path(path)
        if name not in changes.changed and path.name not in VOCABULARY_FILES:
            summary = read_summary(cache, keys[name])
            if summary is None or summary.problems:
                return None, f"no summary of {name}"
            summaries[name] = summary
    fresh = iter(parse_files(parse_file, [p for p in paths if display_path(p) not in summaries], jobs=jobs,
                             cache=cache, progress=progress, keys=keys))
    problems, refs, ds = Problems(), [], Dataset()
    for path in paths:
        merge_part(ds, summaries.get(display_path(path)) or next(fresh), problems, refs)
    check_whole(ds, refs, problems, data_dir, sources_dir, frozenset(summaries), progress)
    if problems:
        return None, "a problem (the full build reports it)"
    previous = changes.previous
    if ds.texts_digest != previous.texts:
        return None, "the source texts changed"
    doc_source = {d["id"]: d["source_id"] for d in ds.rows["documents"]}
    figures = {(c["figure_kind"], c["figure_id"]) for c in ds.rows["claims"]}
    for name in changes.changed + changes.removed:  # and the figures the changed files stated before the edit
        if name in previous.keys:
            earlier = read_summary(cache, previous.keys[name])
            if earlier is None:
                return None, f"no summary of the earlier {name}"
            figures |= earlier.figures
    for name, summary in summaries.items():
        if any(doc_source.get(d) != previous.doc_source.get(d) for d in summary.inherits):
            return None, f"rows of {name} inherit the source of a document that changed its source"
        if not summary.figures.isdisjoint(figures):
            return None, f"a figure of {name} is also stated in a changed file"
    return ds, changes


def check_whole(ds: Dataset, refs: list, problems: Problems, data_dir: Path, sources_dir: Path | None,
                checked: frozenset = frozenset(), progress=None):
    """The whole-dataset checks, after every file's part is merged (`checked`: see check_evidence)."""
    if progress:
        progress.say(f"checking {sum(map(len, ds.rows.values())):,} rows across files (references, ids, evidence)")
    resolve_references(ds, refs, problems)
    fill_defaults(ds, problems)
    sources_dir = sources_dir or data_dir / "sources"
    if sources_dir.is_dir():  # before settle_claims: the texts are let go before the figures' rows are made
        check_evidence(ds, sources_dir, problems, checked)
    else:
        problems.append(Problem(display_path(sources_dir), 0, "sources", "folder of source texts not found"))
    settle_claims(ds, problems)
    contract.check_dataset(ds, problems, _table_keys())


# ---------------------------------------------------------------- command line

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of YAML files (default: data/)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="database to write (default: dist/vn_dx_plans.db)")
    parser.add_argument("--sources", type=Path,
                        help="folder of the source texts that sources.yml's file_name is relative to (default: DATA/sources)")
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    parser.add_argument("--jobs", type=int, help="processes that parse files (default: one per core; 1: none)")
    parser.add_argument("--cache", type=Path,
                        help="folder to cache each file's parsed and validated part in, by its content (default: "
                             ".cache/parsed/ for the project's own data/, none for another data folder)")
    parser.add_argument("--no-cache", action="store_true", help="parse every file afresh")
    parser.add_argument("--vacuum", action="store_true", help="VACUUM the database (a release does)")
    args = parser.parse_args(argv)

    progress = Progress() if sys.stderr.isatty() else None
    output = None if args.check else args.output
    changes = None
    try:
        own_data = args.data.resolve() == DEFAULT_DATA.resolve()
        store = None if args.no_cache else args.cache or (CACHE / "parsed" if own_data else None)
        listed = Problems(cache_problems(store))
        paths = data_paths(args.data, listed)
        keys = {display_path(p): cache_key(p) for p in paths} if store is not None else {}
        ds = None
        if store is not None and not listed and not args.vacuum:  # a release is always built in full
            ds, changes = load_changes(args.data, args.sources, args.jobs, store, output, paths, keys, progress)
        if ds is None:
            changes = None
            ds, problems = load_dataset(args.data, args.sources, jobs=args.jobs, cache=store, progress=progress,
                                        paths=(paths, listed), keys=keys)
        else:
            problems = Problems()
    except (MemoryError, RecursionError) as exc:  # reported, not a traceback (the reader stops these in a file)
        problems = Problems([Problem(display_path(args.data), 0, "data", f"cannot be checked: {type(exc).__name__}")])
    if progress:
        progress.close()
    if not args.check:  # the output may not be an input nor inside the data or sources folder
        problems.extend(outputs.output_problems(args.output, args.data, args.sources or args.data / "sources"))
    if problems:
        for problem in sorted(problems, key=lambda p: (p.file, p.line)):  # stable: same-line problems keep their order
            print(problem, file=sys.stderr)
        kept = "nothing written" if args.check else f"{display_path(args.output)} left as it was"
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}; {kept}", file=sys.stderr)
        return 1
    manifest = built(ds, keys, changes)
    rows = Counter({t: len(ds.rows[t]) for t in ("documents", "indicators")})
    for per_file in manifest.counts.values():
        rows.update(per_file)
    quotes = sum(manifest.quotes.values())
    counts = ", ".join(f"{rows[t]} {t}" for t in ("targets", "observations", "documents", "indicators", "tasks"))
    counts += f"; {quotes} quotes checked against the source texts"
    if changes is not None:
        earlier = quotes - ds.quotes_checked
        changed = len(changes.changed) + len(changes.removed)
        counts += (f" ({earlier} of them in files unchanged since the last build, checked then against the same texts;"
                   f" {changed} file{'s' if changed != 1 else ''} changed since)")
    if args.check:
        if store is not None:
            incremental.write_manifest(incremental.manifest_path(store, args.data, None), manifest)
        print(f"ok: {counts}")
        return 0
    try:
        ds.rows["row_history"] = history.rows(args.data)
        write_database(ds, args.output, vacuum=args.vacuum, changes=changes, progress=progress)
        if progress:
            progress.close()
    except Exception as exc:  # reported, not a traceback: the old database is still in place
        print(f"{display_path(args.output)}: build failed: {type(exc).__name__}: {exc}; previous database left as it was",
              file=sys.stderr)
        return 1
    if store is not None:
        manifest.output = incremental.stat_of(args.output)
        incremental.write_manifest(incremental.manifest_path(store, args.data, args.output), manifest)
    print(f"wrote {display_path(args.output)}: {counts}")
    return 0


def built(ds: Dataset, keys: dict, changes: incremental.Changes | None) -> incremental.Manifest:
    """What this build was made from (pipeline/incremental.py), for the next build to compare with: the files'
    keys, and per file its many rows and their quotes (files not parsed this time keep the last build's)."""
    counts, quotes = incremental.file_counts(ds)
    if changes is not None:
        for name in keys:
            if name not in changes.changed:
                counts.setdefault(name, changes.previous.counts.get(name, {}))
                quotes.setdefault(name, changes.previous.quotes.get(name, 0))
    try:
        code = incremental.version(schema_template().name)
    except Exception:  # noqa: BLE001 (no template: the next build is a full one)
        code = ""
    return incremental.Manifest(code, keys, {d["id"]: d["source_id"] for d in ds.rows["documents"]}, ds.texts_digest,
                                quotes, counts)


if __name__ == "__main__":
    sys.exit(main())
