"""Issue 14: data never runs in a browser. A database built from a copy of data/ whose free-text fields (names,
titles, statements, notes, definitions, labels: not the quotes, which are checked against the texts) all end in
HTML and script payloads; every site page is loaded in chromium (tests/test_browser.py's set-up) and fails if a
dialog opens, the payload's console marker is logged, or an element of the payload exists in the page."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from test_browser import BLANK_PNG, CHROMIUM, CHROMIUM_ARGS, TILE_HOST, sample_jurisdictions, serve, sync_api  # skipped without chromium

MARK = "xss14"
PAYLOAD = (f'<img src=x class="{MARK}" onerror="console.log(\'{MARK}\');alert(\'{MARK}\')">'
           f'<b class="{MARK}">b</b>"><script>console.log("{MARK}");alert("{MARK}")</script>'
           f"'><svg class=\"{MARK}\" onload=\"alert('{MARK}')\"></svg>")
FIELDS = ("name_vi", "name_en", "title_vi", "title_en", "statement_vi", "statement_en", "note", "definition",
          "description", "label", "region_vi", "region_en", "capital_vi", "issuing_body_vi", "issuing_body_en",
          "signer", "publisher", "author", "title")
LINE = re.compile(rf"^(\s*(?:-\s+)?)({'|'.join(FIELDS)}):\s(.+)$")


def poison(data: Path) -> int:
    """Every one-line value of FIELDS in every data file gets PAYLOAD at its end; returns how many."""
    count = 0
    for path in sorted(data.glob("*.yml")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for index, line in enumerate(lines):
            match = LINE.match(line)
            if not match or match.group(3).lstrip()[:1] in ("|", ">", "#", "[", "{", "&", "*", "!"):
                continue
            try:
                value = yaml.safe_load(f"v: {match.group(3)}")["v"]
            except yaml.YAMLError:
                continue
            if not isinstance(value, str):
                continue
            lines[index] = f"{match.group(1)}{match.group(2)}: {json.dumps(value + PAYLOAD, ensure_ascii=False)}"
            count += 1
        path.write_text("\n".join(lines), encoding="utf-8")
    return count


@pytest.fixture(scope="module")
def poisoned_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("xss")
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    assert poison(data) > 200
    output = folder / "vn_dx_plans.db"
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--data", str(data), "--output", str(output),
                             "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return output


@pytest.fixture(scope="module")
def server(poisoned_db, fake_release):
    with serve(poisoned_db, fake_release) as base:
        yield base


def site_pages(db_path: Path) -> list[str]:
    """The site's own pages (the provinces page, the matrix, a sample of the jurisdictions: sample_jurisdictions,
    every indicator with targets), and Datasette's pages of the tables with free text (the site's table and row
    templates), a row page and a canned query."""
    import sqlite3

    jurisdictions = sample_jurisdictions(db_path)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        indicators = [r[0] for r in conn.execute("select distinct indicator_id from targets order by 1")]
        target = conn.execute("select id from targets order by id limit 1").fetchone()[0]
    finally:
        conn.close()
    from datasette.utils import tilde_encode

    return (["/", "/downloads", "/provinces", "/matrix"] + [f"/province/{j}" for j in jurisdictions] + [f"/indicator/{i}" for i in indicators]
            + [f"/vn_dx_plans/{t}" for t in ("jurisdictions", "indicators", "targets", "documents", "tasks", "pillars",
                                            "sectors", "observations", "claims")]
            + [f"/vn_dx_plans/targets/{tilde_encode(target)}", "/vn_dx_plans/province_plan?jurisdiction=lai-chau"])


INJECTED = f"""() => {{
    const found = [...document.querySelectorAll('.{MARK}, img[src="x"], svg[onload]')].map(e => e.outerHTML);
    for (const s of document.querySelectorAll('script:not([type="application/json"])'))
        if (s.textContent.includes('{MARK}')) found.push(s.outerHTML.slice(0, 120));
    return found;
}}"""


def test_payloads_in_every_free_text_field_never_run(server, poisoned_db):
    fired: list = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route(f"https://{TILE_HOST}/**",
                          lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG))
            page = context.new_page()
            where = {"path": None}

            def dialog(d):
                fired.append(f"{where['path']}: dialog {d.message!r}")
                d.dismiss()
            page.on("dialog", dialog)
            page.on("console", lambda m: MARK in m.text and fired.append(f"{where['path']}: console {m.text!r}"))
            pages = site_pages(poisoned_db)
            for path in pages:
                where["path"] = path
                response = page.goto(server + path, wait_until="networkidle")
                assert response.status == 200, (path, response.status)
                page.wait_for_timeout(200)  # charts and the map render after load
                fired.extend(f"{path}: element {html}" for html in page.evaluate(INJECTED))
        finally:
            browser.close()
    assert len(pages) > 20
    pages_fired = sorted({line.split(": ")[0] for line in fired})
    assert not fired, f"{len(fired)} on {pages_fired}:\n" + "\n".join(fired[:20])
