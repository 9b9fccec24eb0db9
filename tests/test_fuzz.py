"""Property-based fuzzing of the build with mutated copies of the real data files.

Whatever the mutation (byte flips, line deletions and duplications, re-indentation, scalar and
key replacement), the build exits 0 or 1, never with a traceback; every problem line is
`file:line: field: message`; and on failure the previous database is byte-identical.

    make test                 # FUZZ_EXAMPLES (default 40) examples, in this process
    make fuzz                 # FUZZ_MINUTES (default 10) of rounds of 300 examples; failures are kept in .hypothesis/
    FUZZ_SUBPROCESS=1 ...     # each example in a subprocess with a time and address-space limit (slower)
"""
import os
import re
import shutil
import signal
import sys

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from robust import PROBLEM_LINE, SUMMARY, run_in_process, run_limited

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
IN_SUBPROCESS = os.environ.get("FUZZ_SUBPROCESS") == "1"
SECONDS_PER_EXAMPLE = 30
FILES = sorted(p.relative_to(ROOT / "data").as_posix()
               for p in [*(ROOT / "data").glob("*.yml"), *(ROOT / "data" / "jurisdictions").glob("*.yml")])
FIELD_LINE = re.compile(r"^(\s*(?:-\s+)?)([^\s#:][^:#]*?):(\s|$)(.*)$")
SCALARS = [
    ".nan", ".inf", "-.Inf", "1e309", "-1", "0", "-0", "0.0", "1e15", "1e16", "2020-02-30", "2025-13-01",
    "2022-02-25 10:00:00", "2022-02-25", "!!int x", "!!timestamp x", "!x y", "&a x", "*a", "[", "]", "{", "}", '"',
    "'", "", "~", "null", "true", "no", "=", "=x", "+1", "@x", "- a", "? x", ": x", "|", ">", "[a, [b, {c: d}]]",
    "{a: 1}", '"\\t x"', '" x"', '"\\0"', '"\\u0085"', '"\\ud800"', '"\\U0010FFFF"', "9" * 30, "9" * 5000, "2050",
    "2051", "1999", "63", "0x1F", "0o17", "1_000", "12:30", "e\u0301", '"a:b"', "%YAML 1.2", "---", "...", "#",
    "x #c", "[]", "{}", "seeds/000_eb91b0cc23fd624e.txt", "/dev/zero", "..", "Quảng Ninh ... 3", "x … 5",
    "ha-tinh", "lai-chau", "dti-rank", "seed-001", "ref-dti-2022", "province", "country",
]
KEYS = ["x", "id", "value", "quote", "tasks", "targets", "jurisdiction", "? [a]", "[a]", "{a: 1}", '"a:b"', '""',
        "<<", "&a k", "*a", "!!str k", "1", "null", "true", '"\\0"', "- k", "k k", "period_start", "year", "scope"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A copy of data/ to mutate (one file at a time, restored after each example) and a built database."""
    base = tmp_path_factory.mktemp("fuzz")
    data = base / "data"
    shutil.copytree(ROOT / "data", data)
    output = base / "dist" / "vn_dx_plans.db"
    result = run_in_process("--data", data, "--output", output)
    assert result.returncode == 0, result.stderr
    return data, output


def mutate(draw, raw: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "delete", "duplicate", "indent", "scalar", "key"]))
    if kind == "flip":
        at = draw(st.integers(0, len(raw) - 1))
        return raw[:at] + bytes([raw[at] ^ draw(st.integers(1, 255))]) + raw[at + 1:]
    lines = raw.split(b"\n")
    at = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "indent":
        stripped = lines[at].lstrip(b" ")
        width = max(0, len(lines[at]) - len(stripped) + draw(st.integers(-4, 4)))
        lines[at] = (b"\t" if draw(st.booleans()) and width else b"") + b" " * width + stripped
    else:
        text_lines = raw.decode("utf-8", "replace").split("\n")
        fields = [i for i, line in enumerate(text_lines) if FIELD_LINE.match(line)]
        if not fields:
            return raw
        at = draw(st.sampled_from(fields))
        match = FIELD_LINE.match(text_lines[at])
        indent, key, space, value = match.groups()
        if kind == "scalar":
            text_lines[at] = f"{indent}{key}: {draw(st.sampled_from(SCALARS))}"
        else:
            text_lines[at] = f"{indent}{draw(st.sampled_from(KEYS))}:{space}{value}"
        return "\n".join(text_lines).encode("utf-8", "surrogateescape")
    return b"\n".join(lines)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout(f"an example took more than {SECONDS_PER_EXAMPLE} s")


def build_once(data, output):
    if IN_SUBPROCESS:
        return run_limited("--data", data, "--output", output, timeout=SECONDS_PER_EXAMPLE)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_EXAMPLE)
    try:
        return run_in_process("--data", data, "--output", output)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=False, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_mutated_data_never_breaks_the_promise(workspace, data):
    folder, output = workspace
    name = data.draw(st.sampled_from(FILES), label="file")
    path = folder / name
    original = path.read_bytes()
    raw = original
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        raw = mutate(data.draw, raw)
    before = output.read_bytes()
    path.write_bytes(raw)
    try:
        result = build_once(folder, output)
    finally:
        path.write_bytes(original)
    event(f"exit {result.returncode}")  # shown by --hypothesis-show-statistics
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode in (0, 1), (result.returncode, result.stderr[-3000:])
    leftovers = [p.name for p in output.parent.iterdir() if p.name != output.name]
    assert not leftovers, leftovers
    if result.returncode == 1:
        lines = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
        assert lines and SUMMARY.match(lines[-1]), lines[-3:]
        bad = [line for line in lines[:-1] if not PROBLEM_LINE.match(line)]
        assert not bad, bad
        assert output.read_bytes() == before, "the previous database changed on failure"
    else:
        assert result.stdout.startswith("wrote "), result.stdout


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
