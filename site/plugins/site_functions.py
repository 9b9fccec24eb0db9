"""Template functions for the site's pages (site/templates).

- site_db: the name of the database the pages show: vn_dx_plans when it is served, else the first database
  served (`datasette other.db` works the same); every function below reads it by default.
- sql(query, params=None, database=None): rows of a read-only query, as dicts (like datasette-template-sql).
- dataset_version(): the `version` row of `dataset_info` if that table exists, else ''.
- instance_metadata(): metadata.yml's top level (licence and source for the footer of custom pages).
- release_manifest(): dist/release/manifest.json (path configurable) as a dict, or None when no release is built.
- canned_queries(): [{name, title, description}] of the database's canned queries.
- row_url(table, pk), foreign_key_link(table, column, value): links to row pages, the latter with the label.
- has_table(name): whether the database has that table or view.
- to_json(value): JSON safe to put inside <script type="application/json">.
- target_text(row): '≥ 10 %', '5–10 %', '(no number)' from a row's comparator, value, value_max, unit.
- one_per(rows, *keys): one row per distinct keys (a chart's one bar per jurisdiction), the others' values in 'others'.
- table_body(display_rows, links=None): the <tr> rows of site/templates/_table.html (a Jinja global), the same
  HTML as Datasette's own _table.html writes them cell by cell in the template; links(row) -> {column: href}
  turns those cells into links (evidence.py's locator_links: each locator to its passage).

The release folder is the one `make serve` mounts with `--static downloads:DIR` (its manifest.json,
served under /downloads/); without such a mount, dist/release/manifest.json. Both can be set in metadata.yml:

    plugins:
      vn-dx-plans-site:
        manifest: dist/release/manifest.json   # relative to the directory datasette runs in
        release_url: /downloads/               # the URL the manifest's paths are relative to
"""
from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl
from datasette.utils import tilde_encode, to_css_class
from markupsafe import Markup, escape

PLUGIN = "vn-dx-plans-site"
DATABASE = "vn_dx_plans"
DEFAULT_MANIFEST = "dist/release/manifest.json"
DEFAULT_RELEASE_URL = "/downloads/"

def served_database(datasette) -> str:
    """The database the site's pages and functions show: vn_dx_plans if it is served, else the first one."""
    return DATABASE if DATABASE in datasette.databases else datasette.get_database().name


COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "~": "~", "=": ""}


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def target_text(row) -> str:
    """A target or observation's value as a reader writes it: '≥ 10 %', '~ 20 %', '5–10 %', '45/63'."""
    value = row.get("value")
    if value is None:
        return "(không có số / no number)"
    text = _number(value)
    if row.get("value_max") is not None:
        text += "–" + _number(row["value_max"])
    if row.get("denominator") is not None:
        text += "/" + _number(row["denominator"])
    sign = COMPARATOR_SIGNS.get(row.get("comparator") or "", row.get("comparator") or "")
    unit = row.get("unit")
    unit = "" if unit in (None, "rank", "count") else (unit if unit == "%" else " " + unit)
    return f"{sign + ' ' if sign else ''}{text}{unit}"


def one_per(rows, *keys) -> list[dict]:
    """One row per distinct value of keys (a chart's one bar per jurisdiction and year), in the rows' order: of a
    jurisdiction's several targets for the same year (two plans, or a plan and a reference), the one province_overview
    shows too (the whole measure before a scope, then the lowest id); the others' values are in its 'others'
    ('25%; ~ 20%'), for a tooltip, so a chart never draws two bars on one row."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(tuple(row.get(k) for k in keys), []).append(row)
    chosen = {}
    for key, group in groups.items():
        best = min(group, key=lambda r: (r.get("scope") is not None, str(r.get("id"))))
        chosen[id(best)] = "; ".join(target_text(r) for r in group if r is not best)
    return [dict(row, others=chosen[id(row)]) for row in rows if id(row) in chosen]


def to_json(value) -> Markup:
    """JSON for a <script type="application/json"> block: '<', '>' and '&' escaped so it cannot close the tag."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def read_manifest(path: Path, release_url: str) -> dict | None:
    """The release manifest with each file's URL added; None when the file is missing or unreadable."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    files = []
    for entry in manifest.get("files") or []:
        if isinstance(entry, dict) and entry.get("path"):
            files.append({**entry, "url": release_url.rstrip("/") + "/" + str(entry["path"]).lstrip("/")})
    return {**manifest, "files": files}


def human_bytes(size) -> str:
    if not isinstance(size, (int, float)):
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def table_body(display_rows, links=None) -> Markup:
    """The rows of a table or view page: `<tr><td class="col-COLUMN type-TYPE">VALUE</td>…</tr>`, as Datasette's
    _table.html writes them, in one call. In the template, each of a page's ~2,000 cells cost a filter call and
    async template steps: most of the time a 100-row page of `targets` took beyond its SQL (docs/performance.md)."""
    classes: dict = {}
    out = []
    for row in display_rows:
        out.append("<tr>")
        hrefs = links({cell["column"]: cell["raw"] for cell in row}) if links else {}
        for cell in row:
            column = cell["column"]
            css = classes.get(column)
            if css is None:
                css = classes[column] = str(escape(to_css_class(column)))
            value = escape(cell["value"])
            if column in hrefs:  # a locator: a link to its passage in the source text
                value = f'<a class="locator" href="{escape(hrefs[column])}">{value}</a>'
            out.append(f'<td class="col-{css} type-{escape(cell["value_type"])}">{value}</td>')
        out.append("</tr>")
    return Markup("\n".join(out))


@hookimpl
def get_metadata(datasette, key, database, table):
    """metadata.yml's section for vn_dx_plans (descriptions, canned queries, facets) also for the database the site
    serves when it has another name: the pages link to its canned queries."""
    site_db = served_database(datasette)
    own = ((getattr(datasette, "_metadata_local", None) or {}).get("databases") or {}).get(DATABASE)
    if site_db == DATABASE or not own:
        return None
    return {"databases": {site_db: own}}


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.globals["table_body"] = table_body
    # Also a global: Datasette renders its error pages without extra_template_vars, and base.html links to it.
    env.globals["site_db"] = served_database(datasette)


@hookimpl
def extra_template_vars(datasette, request):
    config = datasette.plugin_config(PLUGIN) or {}
    site_db = served_database(datasette)

    def row_url(table, pk):
        """The row page of a single-column primary key (ids with '/' are tilde-encoded)."""
        return datasette.urls.row(site_db, table, tilde_encode(str(pk)))

    async def sql(query, params=None, database=None):
        db = datasette.get_database(database or site_db)
        result = await db.execute(query, params or {})
        return [dict(row) for row in result.rows]

    async def dataset_version():
        db = datasette.get_database(site_db)
        if not await db.table_exists("dataset_info"):
            return ""
        row = (await db.execute("select value from dataset_info where key = 'version'")).first()
        return row[0] if row and row[0] else ""

    async def has_table(name):
        """Whether the database has this table or view (for parts of pages that wait for the coming schema)."""
        db = datasette.get_database(site_db)
        return await db.table_exists(name) or name in await db.view_names()

    def release_manifest():
        mounts = dict(datasette.static_mounts or [])
        default = Path(mounts["downloads"]) / "manifest.json" if "downloads" in mounts else Path(DEFAULT_MANIFEST)
        return read_manifest(Path(config.get("manifest") or default),
                             config.get("release_url") or DEFAULT_RELEASE_URL)

    async def foreign_key_link(table, column, value):
        """{'href', 'label'} of the row a foreign-key value points to (label from the label column), or None."""
        if value is None:
            return None
        db = datasette.get_database(site_db)
        for fk in await db.foreign_keys_for_table(table):
            if fk["column"] == column:
                other, other_column = fk["other_table"], fk["other_column"]
                label_column = await db.label_column_for_table(other)
                label = value
                if label_column:
                    row = (await db.execute(f"select [{label_column}] from [{other}] where [{other_column}] = ?",
                                            [value])).first()
                    label = row[0] if row and row[0] else value
                return {"href": row_url(other, value), "label": label, "table": other}
        return None

    async def canned_queries():
        queries = await datasette.get_canned_queries(site_db, request.actor if request else None)
        return [{"name": name, "title": q.get("title") or name, "description": q.get("description") or ""}
                for name, q in queries.items()]

    return {
        "site_db": site_db,
        "sql": sql,
        "dataset_version": dataset_version,
        "instance_metadata": datasette.metadata,
        "release_manifest": release_manifest,
        "canned_queries": canned_queries,
        "foreign_key_link": foreign_key_link,
        "row_url": row_url,
        "has_table": has_table,
        "to_json": to_json,
        "target_text": target_text,
        "one_per": one_per,
        "human_bytes": human_bytes,
    }
