"""Issue 14 (Hardening): the data can never steer a deletion, odd inputs end in `file: message` lines, the cache
is never trusted blindly nor needed for a build to succeed, the server refuses requests it cannot answer cheaply.
Each test fails on the code before the issue's fixes."""
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import ROOT
from robust import assert_refused, copy_data, line_of, replace, run_in_process


@pytest.fixture
def data(tmp_path) -> Path:
    return copy_data(tmp_path)


def set_field(path: Path, field: str, value: str) -> int:
    """The first `  field: …` line of the file set to `  field: value`; returns its line number."""
    line = line_of(path, f"  {field}: ")
    text = path.read_text(encoding="utf-8").split("\n")
    text[line - 1] = f"  {field}: {value}"
    path.write_text("\n".join(text), encoding="utf-8")
    return line


# ---------------------------------------------------------------- the release's paths

@pytest.mark.parametrize("field, value", [
    ("name", "../../../x/victim"), ("name", "a/b"), ("name", ".."), ("version", '"dir/../target"'),
    ("version", '".."'), ("version", '"2026.1/x"'),
])
def test_dataset_name_and_version_are_plain_file_names(data, field, value):
    path = data / "dataset.yml"
    line = set_field(path, field, value)
    assert_refused(run_in_process("--data", data, "--check"), path, line, field, "must be a plain file name")


def _database_named(db_path, tmp_path, name=None, version=None) -> Path:
    """A copy of the database whose dataset_info says another name or version (as a database not made by the
    build from data that passed the contract would)."""
    copy = tmp_path / "crafted.db"
    shutil.copyfile(db_path, copy)
    with sqlite3.connect(copy) as conn:
        for key, value in (("name", name), ("version", version)):
            if value is not None:
                conn.execute("update dataset_info set value = ? where key = ?", (value, key))
    conn.close()
    return copy


@pytest.mark.parametrize("name, version", [
    ("../../victim", None),  # name-version = ../../victim-2026.1
    ("vn-dx-plans", "x/../../victim-2026.1"),
    ("ABSOLUTE", None),  # an absolute path: out / '/…/victim-2026.1' is that path
])
def test_the_release_refuses_a_folder_outside_its_output(db_path, tmp_path, name, version):
    from release import release

    victim = tmp_path / "victim-2026.1"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    out = tmp_path / "dist" / "release"
    name = str(tmp_path / "victim") if name == "ABSOLUTE" else name
    crafted = _database_named(db_path, tmp_path, name, version)
    before = {p.relative_to(tmp_path) for p in tmp_path.rglob("*")}
    with pytest.raises(SystemExit, match="must make a plain file name"):
        release.write_release(out, db=crafted)
    assert (victim / "precious.txt").read_text() == "keep me"
    after = {p.relative_to(tmp_path) for p in tmp_path.rglob("*")}
    assert after - before <= {Path("dist"), Path("dist/release")}, after ^ before  # nothing written but the folder


def test_the_release_refuses_a_symbolic_link_in_its_output(db_path, tmp_path):
    from release import release

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    out = tmp_path / "release"
    out.mkdir()
    (out / "vn-dx-plans-2026.1").symlink_to(victim)
    with pytest.raises(SystemExit, match="must make a plain file name"):
        release.write_release(out, db=db_path)
    assert (victim / "precious.txt").read_text() == "keep me"


# ---------------------------------------------------------------- values the contract refuses

@pytest.mark.parametrize("field, value", [("gso_code", '"010"'), ("gso_code", '"4"'), ("gso_code", '"4a"'),
                                          ("successor_gso_code", '"420"')])
def test_a_gso_code_is_two_digits(data, field, value):
    path = data / "jurisdictions" / "ha-tinh.yml"
    line = set_field(path, field, value)
    assert_refused(run_in_process("--data", data, "--check"), path, line, field, "a GSO province code is two digits")


@pytest.mark.parametrize("value", ['"javascript:alert(document.domain)"', '"data:text/html,<script>x</script>"',
                                   '"//evil.example/x"', '"https://a b"'])
def test_a_source_url_the_site_would_link_is_a_web_address(data, value):
    """A source's url becomes a link on its row and text pages: never a javascript: or data: address."""
    path = data / "sources.yml"
    line = set_field(path, "url", value)
    assert_refused(run_in_process("--data", data, "--check"), path, line, "url",
                   "a web address beginning with http:// or https://")


@pytest.mark.parametrize("value", ["no", "No", "yes", "off", "ON", "y", "N"])
def test_a_yaml_1_1_boolean_in_a_text_field_is_refused(data, value):
    path = data / "jurisdictions" / "ha-tinh.yml"
    line = set_field(path, "name_vi", value)
    assert_refused(run_in_process("--data", data, "--check"), path, line, "name_vi",
                   f'{value} unquoted is true/false to YAML 1.1 readers')


def test_a_quoted_yaml_1_1_boolean_is_text(data, tmp_path):
    path = data / "jurisdictions" / "ha-tinh.yml"
    set_field(path, "region_en", '"no"')
    output = tmp_path / "out.db"
    result = run_in_process("--data", data, "--output", output)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(output) as conn:
        assert conn.execute("select region_en from jurisdictions where id = 'ha-tinh'").fetchone() == ("no",)


# ---------------------------------------------------------------- the server

@pytest.fixture(scope="module")
def served(db_path, fake_release):
    """`datasette serve` with `make serve`'s flags on a free loopback port (a real server: the test client refuses
    URLs over 64 KB), and a function that GETs a path and returns (status, body)."""
    import http.client
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from loadtest import free_port, serve_command, serve_flags, wait_until_up

    port = free_port()
    flags = " ".join(__import__("shlex").quote(f) for f in serve_flags(db_path, fake_release))
    server = subprocess.Popen(serve_command(db_path, port, flags), cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    wait_until_up(port, server)

    def get(path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()
    yield get
    server.terminate()
    server.wait(10)


def params(n, name=lambda i: f"p{i}"):
    return "&".join(f"{name(i)}=1" for i in range(n))


@pytest.mark.parametrize("path", [f"/vn_dx_plans/targets?{params(2000)}", f"/vn_dx_plans/targets.json?{params(2000)}",
                                  f"/vn_dx_plans/targets?{params(10_000)}",
                                  f"/vn_dx_plans/targets?{params(3000, lambda i: 'value__gt')}",
                                  f"/vn_dx_plans/targets?{params(3000, lambda i: 'jurisdiction_id__not')}",
                                  f"/vn_dx_plans.json?{params(200)}&sql=select+1"])
def test_many_parameters_are_refused_before_datasette_parses_them(served, path):
    status, body = served(path)
    assert status == 400, (status, body[:300])
    assert "Too many parameters" in body and "at most 100 per request" in body


@pytest.mark.parametrize("path", ["/vn_dx_plans/targets?jurisdiction_id=" + "x" * 33_000,
                                  "/vn_dx_plans/targets.json?jurisdiction_id=" + "x" * 33_000,
                                  "/vn_dx_plans/targets?_search=" + "x" * 20_000,
                                  "/vn_dx_plans.json?sql=select+:p&p=" + "x" * 33_000])
def test_a_long_query_string_is_414(served, path):
    status, body = served(path)
    assert status == 414, (status, body[:300])
    assert "URI too long: the query string is" in body and "at most 16,384 per request" in body


@pytest.mark.parametrize("path", ["/vn_dx_plans/targets/" + "x" * 100_000, "/vn_dx_plans/targets/" + "x" * 100_000 + ".json",
                                  "/vn_dx_plans/indicators/" + "x" * 100_000, "/indicator/" + "x" * 100_000,
                                  "/province/" + "x" * 100_000])
def test_a_huge_row_key_or_id_is_404(served, path):
    status, body = served(path)
    assert status == 404, (status, body[:300])


@pytest.mark.parametrize("path, message", [
    ("/vn_dx_plans/targets?value__gt=" + "9" * 10_000, "too many digits"),
    ("/vn_dx_plans/targets.json?value__gt=" + "9" * 30, "too many digits"),
    ("/vn_dx_plans/targets.json?_where=length(printf('%25.*c',99999,'x'))>0", "too long"),
    ("/vn_dx_plans/targets.csv?_where=length(printf('%25.*c',99999,'x'))>0", "too long"),
])
def test_values_the_database_cannot_take_are_400(served, path, message):
    status, body = served(path)
    assert status == 400, (status, body[:300])
    assert message in body


@pytest.mark.parametrize("path", [f"/vn_dx_plans/targets?{params(100, lambda i: 'value__gt')}",
                                  "/vn_dx_plans/targets?jurisdiction_id=" + "x" * 16_000,
                                  "/vn_dx_plans/targets/lai-chau-09-nq-tu~2Fdigital-economy-share-of-grdp~2F2030"])
def test_requests_within_the_limits_are_answered(served, path):
    status, body = served(path)
    assert status == 200, (status, body[:300])


def test_the_limits_are_what_the_docs_say():
    import sys
    sys.path.insert(0, str(ROOT / "site" / "plugins"))
    import limits
    docs = (ROOT / "docs" / "serving.md").read_text(encoding="utf-8")
    for figure in (f"{limits.MAX_QUERY_BYTES:,}", f"{limits.MAX_PARAMETERS}", f"{limits.MAX_PATH_BYTES:,}"):
        assert figure in docs


# ---------------------------------------------------------------- a database not named vn_dx_plans.db

@pytest.fixture(scope="module")
def other_site(db_path, fake_release, tmp_path_factory):
    """The site as `make serve` runs it, on a copy of the database named other.db."""
    import asyncio
    import sys

    from datasette import cli

    sys.path.insert(0, str(ROOT / "bench"))
    from loadtest import serve_flags

    other = tmp_path_factory.mktemp("other") / "other.db"
    shutil.copyfile(db_path, other)
    ctx = cli.serve.make_context("serve", serve_flags(other, fake_release))
    datasette = cli.serve.callback(**ctx.params, return_instance=True)
    asyncio.run(datasette.invoke_startup())

    def get(path):
        async def go():
            return await datasette.client.get(path)
        return asyncio.run(go())
    return get


@pytest.mark.parametrize("path", ["/", "/downloads", "/province/lai-chau", "/province/viet-nam", "/indicator/dti-rank",
                                  "/other", "/other/targets", "/other/province_plan?jurisdiction=lai-chau",
                                  "/other/targets/lai-chau-09-nq-tu~2Fdigital-economy-share-of-grdp~2F2030"])
def test_the_pages_follow_the_database_they_serve(other_site, path):
    response = other_site(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    assert "/vn_dx_plans" not in response.text  # every link goes to the database served


def test_an_unknown_page_of_another_database_is_404(other_site):
    assert other_site("/province/nowhere").status_code == 404
    response = other_site("/")
    assert 'href="/other.db"' in response.text and ">other.db</a>" in response.text


def test_importing_the_limits_plugin_first_keeps_datasettes_error_pages():
    """limits.py imports datasette.handle_exception; imported before datasette.plugins (as a test may), that
    registered the module half-made, without its handler, and every error page of the process failed."""
    import subprocess
    import sys
    code = ("import sys; sys.path.insert(0, 'site/plugins'); import limits; from datasette.plugins import pm; "
            "print([h.plugin_name for h in pm.hook.handle_exception.get_hookimpls()])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert "datasette.handle_exception" in result.stdout, result.stdout + result.stderr


def test_the_load_test_has_the_many_parameter_client_and_it_gets_400s(db_path):
    import re
    import subprocess
    import sys
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "loadtest.py"), "--clients", "1", "--duration", "2",
                             "--hostile", "params", "--db", str(db_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    answers = re.search(r"^\s+params\s+\d+\s+(\S+)", result.stdout, re.M)
    assert answers and re.fullmatch(r"400x\d+", answers.group(1)), result.stdout


# ---------------------------------------------------------------- the cache: best-effort, never trusted blindly

def _rows(path):
    """Every table's rows, sorted (rowids of an incremental rebuild may differ)."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' "
                                             "and name not like 'sqlite_%' and name not like '%_fts%'")]
        return {t: sorted(map(repr, conn.execute(f"select * from [{t}]"))) for t in tables}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def clean_rows(db_path):
    return _rows(db_path)


def _temps(folder: Path) -> list:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp"))


def test_a_cache_that_cannot_be_written_never_fails_a_build(data, tmp_path, monkeypatch, clean_rows):
    """A full disk under the cache: every write fails half-way. The build succeeds, and leaves no temporary file."""
    store, output = tmp_path / "cache", tmp_path / "out" / "vn_dx_plans.db"
    real = Path.write_bytes

    def disk_full(self, data):
        if self.is_relative_to(store):
            real(self, data[:100])
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    result = run_in_process("--data", data, "--output", output, "--cache", store)
    assert result.returncode == 0, result.stderr
    assert _rows(output) == clean_rows
    assert _temps(tmp_path) == []
    monkeypatch.undo()
    again = run_in_process("--data", data, "--output", output, "--cache", store)  # nothing was cached
    assert again.returncode == 0, again.stderr
    assert _rows(output) == clean_rows


def test_a_schema_template_that_cannot_be_cached_never_fails_a_build(data, tmp_path, monkeypatch, clean_rows):
    from pipeline import cache, load

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setattr(load, "CACHE", blocked)  # where the schema template is cached
    monkeypatch.setattr(cache, "_private", [])
    output = tmp_path / "vn_dx_plans.db"
    result = run_in_process("--data", data, "--output", output, "--no-cache")
    assert result.returncode == 0, result.stderr
    assert _rows(output) == clean_rows


def test_a_truncated_schema_template_is_made_again(data, tmp_path, monkeypatch, clean_rows):
    from pipeline import load

    monkeypatch.setattr(load, "CACHE", tmp_path / "cache")
    output = tmp_path / "vn_dx_plans.db"
    assert run_in_process("--data", data, "--output", output, "--no-cache").returncode == 0
    (template,) = (tmp_path / "cache").glob("schema-*.db")
    template.write_bytes(template.read_bytes()[: template.stat().st_size // 2])
    result = run_in_process("--data", data, "--output", output, "--no-cache")
    assert result.returncode == 0, result.stderr
    assert _rows(output) == clean_rows


def test_cache_pointing_at_a_file_is_a_problem_line(data, tmp_path):
    store = tmp_path / "a-file"
    store.write_text("not a folder")
    assert_refused(run_in_process("--data", data, "--output", tmp_path / "out.db", "--cache", store),
                   store, 0, "cache", "is not a folder")
    assert store.read_text() == "not a folder"


def _entry_of(store: Path, text: bytes) -> Path:
    """The cached part (not a summary) holding `text`."""
    found = [p for p in store.glob("*.pickle") if p.name.count(".") == 1 and text in p.read_bytes()]
    assert len(found) == 1, found
    return found[0]


def test_a_same_length_edit_inside_a_cached_entry_is_not_used(data, tmp_path, clean_rows):
    store, output = tmp_path / "cache", tmp_path / "vn_dx_plans.db"
    assert run_in_process("--data", data, "--output", output, "--cache", store).returncode == 0
    entry = _entry_of(store, "Tỉnh Hà Tĩnh".encode())
    entry.write_bytes(entry.read_bytes().replace("Tỉnh Hà Tĩnh".encode(), "Tỉnh Hà Tĩnx".encode()))
    output.unlink()  # a full build from the cached parts
    result = run_in_process("--data", data, "--output", output, "--cache", store)
    assert result.returncode == 0, result.stderr
    assert _rows(output) == clean_rows


def test_an_entry_swapped_in_from_another_key_is_not_used(data, tmp_path, clean_rows):
    store, output = tmp_path / "cache", tmp_path / "vn_dx_plans.db"
    assert run_in_process("--data", data, "--output", output, "--cache", store).returncode == 0
    ha_tinh, quang_binh = _entry_of(store, "Hà Tĩnh Province".encode()), _entry_of(store, "Quảng Bình Province".encode())
    shutil.copyfile(quang_binh, ha_tinh)
    assert run_in_process("--data", data, "--output", output, "--no-cache").returncode == 0  # does not mend it
    output.unlink()
    result = run_in_process("--data", data, "--output", output, "--cache", store)
    assert result.returncode == 0, result.stderr
    assert _rows(output) == clean_rows


def test_a_stale_summary_is_not_used_by_a_rebuild(data, tmp_path):
    """The summary of an earlier version of a file, under the key of its current version: an incremental rebuild
    must not take that file's small tables (its jurisdiction's row) from it."""
    store, output, clean = tmp_path / "cache", tmp_path / "out" / "vn_dx_plans.db", tmp_path / "clean.db"
    path = data / "jurisdictions" / "ha-tinh.yml"
    assert run_in_process("--data", data, "--output", output, "--cache", store).returncode == 0
    before = set(store.glob("*.summary.pickle"))
    set_field(path, "region_en", "North Central Coast (edited)")
    assert run_in_process("--data", data, "--output", output, "--cache", store).returncode == 0
    (new_summary,) = set(store.glob("*.summary.pickle")) - before
    stale = [p for p in before if b"North Central and Central Coast" in p.read_bytes() and b"ha-tinh" in p.read_bytes()
             and b"Tinh Ha Tinh" not in p.read_bytes()]
    stale = [p for p in stale if "Tỉnh Hà Tĩnh".encode() in p.read_bytes()]
    assert len(stale) == 1, stale
    shutil.copyfile(stale[0], new_summary)
    replace(data / "jurisdictions" / "lai-chau.yml", "  region_en: ", "  region_en: Northwest (edited) ")  # an incremental rebuild
    result = run_in_process("--data", data, "--output", output, "--cache", store)
    assert result.returncode == 0, result.stderr
    assert run_in_process("--data", data, "--output", clean, "--no-cache").returncode == 0
    assert _rows(output) == _rows(clean)


# ---------------------------------------------------------------- worker processes die with the build

def test_pool_workers_die_with_a_killed_build(data, tmp_path):
    """kill -9 of a build that parses in a process pool: its workers must not stay behind (they blocked forever)."""
    import signal
    import subprocess
    import sys
    import time

    script = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
import build
from pipeline import cache
cache.PARALLEL_BYTES = 0  # today's data is small: parse it in the pool anyway
real = build.parse_file
def slow(path):
    print("worker", os.getpid(), flush=True)
    time.sleep(600)
    return real(path)
build.parse_file = slow
build.main(["--data", {str(data)!r}, "--output", {str(tmp_path / 'out.db')!r}, "--jobs", "2", "--no-cache"])
"""
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = {int(parent.stdout.readline().split()[1]) for _ in range(2)}
    parent.send_signal(signal.SIGKILL)
    parent.wait()

    def alive(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 20
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived the killed build"


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="runs the build as another user (root only)")
def test_a_build_run_as_another_user_reports_an_unreadable_file():
    """chmod 000 on a data file, and a cache folder the user cannot write: `file: message` lines, no traceback."""
    import subprocess
    import sys
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="as-nobody-"))
    try:
        folder.chmod(0o755)
        data = copy_data(folder)
        for path in [data, *data.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        (data / "jurisdictions" / "ha-tinh.yml").chmod(0)
        store = folder / "cache"
        store.mkdir(mode=0o755)
        result = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable,
                                 str(ROOT / "build.py"), "--data", str(data), "--cache", str(store), "--check"],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert_refused(result, data / "jurisdictions" / "ha-tinh.yml", 0, "file", "cannot be read: Permission denied")
        assert list(store.iterdir()) == []
    finally:
        shutil.rmtree(folder)


def test_a_history_file_is_read_as_a_data_file(data, tmp_path):
    """data/history/*.csv (row_history): a link out of the data folder is refused, not read."""
    (data / "history").mkdir(exist_ok=True)
    (data / "history" / "2026.2.csv").symlink_to("/etc/passwd")
    result = run_in_process("--data", data, "--output", tmp_path / "out.db")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "a symbolic link out of the data folder" in result.stderr and not (tmp_path / "out.db").exists()
