"""Reading data files: bytes -> Record / Items with line numbers, or problems, never a traceback.

One pass over libyaml's event stream (the C parser): encoding, control characters,
size, nesting depth, anchors, aliases, tags, directives, several documents, keys
that are not plain text and duplicate keys are all refused here, before anything
is built from them, and the records are built from the same events. An alias is
never expanded, so an alias bomb costs nothing.

Plain scalars are resolved in the style of YAML 1.2's core schema: null, true/false,
decimal integers and finite floats; YAML 1.1's other booleans (yes, no, on, off, y, n) are
refused unquoted, since a YAML 1.1 reader takes them as true/false; everything else, dates included, stays text
(dates are checked as text by the contract, so `2020-02-30` is a reported problem).
Quoted and block scalars are always text.
"""
from __future__ import annotations

import math
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml._yaml import CParser

MAX_BYTES = 32 * 1024 * 1024  # a province file at 2,000 targets is ~5 MB
MAX_DEPTH = 32  # the deepest real file (a task tree) nests 7 levels
MAX_REPORTED = 10  # control characters reported per file before "and N more"
DATA_SUFFIXES = (".yml", ".yaml")
_FILE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.yml")


# ---------------------------------------------------------------- problems and places

@dataclass
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self):
        field_name = str(self.field)
        if not field_name or any(c in field_name for c in ":\n\r"):  # a key like 'a: b' keeps the line's form
            field_name = repr(field_name).replace(":", "\\x3a")
        message = str(self.message).replace("\r", "\\r").replace("\n", "\\n")
        return f"{self.file}:{self.line}: {field_name}: {message}"


class Problems(list):
    """Problems in the order found; the same problem (file, line, field, message) is kept once."""

    def __init__(self, *args):
        super().__init__(*args)
        self._seen = {(p.file, p.line, p.field, p.message) for p in self}

    def append(self, problem: Problem):
        key = (problem.file, problem.line, problem.field, problem.message)
        if key not in self._seen:
            self._seen.add(key)
            super().append(problem)

    def extend(self, problems):
        for problem in problems:
            self.append(problem)

    def add(self, where: "Where", field_name: str, message: str):
        self.append(Problem(where.file, where.line_of(field_name), field_name, message))


@dataclass(slots=True)
class Where:
    """A record's place: its file, its first line and the line of each key."""

    file: str
    line: int
    key_lines: dict = field(default_factory=dict)

    def line_of(self, key):
        return self.key_lines.get(key, self.line)

    def at(self, key) -> "Where":
        return Where(self.file, self.line_of(key))


class Record(dict):
    """A YAML mapping that remembers where it and each of its keys are.

    `fatal` is None until the record is checked against the contract, then whether
    a problem found there (a missing or mistyped field) means it cannot be built."""

    where: Where
    fatal: bool | None = None


class Items(list):
    """A YAML list that remembers where it is and the line of each item (scalars cannot carry one)."""

    where: Where
    item_lines: tuple = ()  # an empty Items() made in code has no items to place


class Refused(str):
    """A scalar the reader refused and already reported (an alias, `.nan`, `=`); later checks skip it."""


def display_path(path: Path) -> str:
    """The path as the user would type it from here (symbolic links not followed)."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- files

def data_files(data_dir: Path, problems: Problems, root: Path | None = None) -> list[Path]:
    """Every `*.yml` directly in data_dir that may be read, sorted by name (a symbolic link may not lead out
    of `root`, by default data_dir).

    Nothing is skipped silently: a `*.yaml` file, a directory, device or pipe named
    `*.yml`, and a symbolic link that is dangling or leads out of the folder are
    problems; a hidden file (an editor's `.#name.yml` lock) is skipped with a warning."""
    root = root or data_dir.resolve()
    paths = []
    try:
        entries = sorted(os.scandir(data_dir), key=lambda e: e.name)
    except OSError as exc:
        problems.append(Problem(display_path(data_dir), 0, "data", f"cannot list the folder: {exc.strerror or exc}"))
        return paths
    for entry in entries:
        if not entry.name.lower().endswith(DATA_SUFFIXES):
            continue
        path = data_dir / entry.name
        shown = display_path(path)
        if entry.name.startswith("."):
            print(f"warning: {shown}: skipped: a hidden file (an editor's lock or backup file?) is not data",
                  file=sys.stderr)
            continue
        if not entry.name.endswith(".yml"):
            problems.append(Problem(shown, 0, "file", f"data files end in .yml; rename it to {Path(entry.name).stem}.yml"))
            continue
        message = refusal(path, root)
        if message is None and not _FILE_NAME.fullmatch(entry.name):  # the name is a jurisdiction id, used in SQL
            message = "a data file's name is lowercase letters, digits and hyphens (e.g. lai-chau.yml)"
        if message:
            problems.append(Problem(shown, 0, "file", message))
            continue
        paths.append(path)
    return paths


def refusal(path: Path, root: Path) -> str | None:
    """Why path may not be read as a data file under root, or None."""
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.exists():
                return "a symbolic link to nothing (an editor's lock file?); remove it"
            if not target.is_relative_to(root):
                return f"a symbolic link out of the data folder (to {target}) is not read"
        mode = path.stat().st_mode
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
        return f"cannot be read: {getattr(exc, 'strerror', None) or exc}"
    if not stat.S_ISREG(mode):
        return "not a regular file (a directory, device or pipe) is not read"
    return None


def read_bytes(path: Path, limit: int = MAX_BYTES) -> tuple[bytes | None, str | None]:
    """A regular file's bytes, or why not: never blocks on a pipe, never reads a device, never more than limit."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "not a regular file (a directory, device or pipe) is not read"
        if info.st_size > limit:
            return None, f"is {info.st_size:,} bytes; the limit is {limit:,}"
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                return None, f"is more than {limit:,} bytes"
        return b"".join(chunks), None
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    finally:
        os.close(fd)


# ---------------------------------------------------------------- text

_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}
# C0 controls but tab, LF and CR; DEL; C1 controls (NEL included); line and paragraph separators;
# a byte-order mark past the start; the non-characters U+FFFE and U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def decode(data: bytes, name: str, problems: Problems) -> str | None:
    """Strict UTF-8 (a leading byte-order mark is accepted) without control characters, or None."""
    for bom, encoding in _BOMS.items():
        if data.startswith(bom):
            problems.append(Problem(name, 1, "encoding", f"the file is {encoding}; save it as UTF-8"))
            return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(name, line, "encoding",
                                f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"))
        return None
    found = 0
    for match in _CONTROL.finditer(text):
        found += 1
        if found <= MAX_REPORTED:
            line = text.count("\n", 0, match.start()) + 1
            problems.append(Problem(name, line, "text", f"control character U+{ord(match.group()):04X} is not allowed"
                                                        " (comments included)"))
    if found > MAX_REPORTED:
        problems.append(Problem(name, line, "text", f"and {found - MAX_REPORTED} more control characters"))
    return None if found else text


# ---------------------------------------------------------------- scalars

_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# What YAML 1.1 readers (PyYAML, many editors and linters) take as true/false: text here, but another reader of the
# same file would see a boolean, so a plain one is refused (quoted, "no" is text to every reader).
_YAML11_BOOL = frozenset("yes Yes YES no No NO on On ON off Off OFF y Y n N".split())
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")  # 012 stays text: YAML 1.1 reads it as octal
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?\Z")
_NONFINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")


def resolve_plain(value: str, report) -> object:
    """A plain scalar's value; `report(message)` for one that is refused."""
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if value[0] in "0123456789+-.":
        if _INT.match(value):
            try:
                return int(value)
            except ValueError:  # more digits than Python converts
                report(f"{value[:20]}… has too many digits")
                return Refused(value)
        if _FLOAT.match(value):
            number = float(value)
            if math.isfinite(number):
                return number
            report(f"{value} is not a finite number")
            return Refused(value)
        if _NONFINITE.match(value):
            report(f"{value} is not a finite number")
            return Refused(value)
    if value in _YAML11_BOOL:
        report(f"{value} unquoted is true/false to YAML 1.1 readers (PyYAML, many editors); "
               f"write \"{value}\" in quotes if it is text")
        return Refused(value)
    if value == "=":  # YAML 1.1 readers (PyYAML) fail on a bare '='
        report("cannot read '='; put it in quotes")
        return Refused(value)
    return value


# ---------------------------------------------------------------- the event pass

_NO_KEY = object()  # the mapping waits for a key
_BAD_KEY = object()  # the key was refused; its value is dropped
_DISCARD = object()  # a refused subtree


class _Stop(Exception):
    """Reading this file stops: a problem after which the rest would only mislead."""


def read_yaml(path: Path, problems: Problems, name: str | None = None):
    """One data file as Record / Items / scalars, or None when it cannot be read (the problems say why)."""
    name = name or display_path(path)
    data, message = read_bytes(path)
    if data is None:
        problems.append(Problem(name, 0, "file", message))
        return None
    text = decode(data, name, problems)
    if text is None:
        return None
    return parse(text, name, problems)


def parse(text: str, name: str, problems: Problems):
    """Build the document from libyaml's events in one pass (see the module's docstring)."""
    def problem(line, field_name, msg):
        problems.append(Problem(name, line, field_name, msg))

    # a frame: [container, key, key line, is mapping, is refused, start line]
    stack: list[list] = []
    root, root_line, documents = _NO_KEY, 1, 0
    parser = CParser(text)
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)

    def attach(node, line):
        nonlocal root, root_line
        if not stack:
            root, root_line = node, line
            return
        frame = stack[-1]
        if frame[4]:
            return
        container = frame[0]
        if not frame[3]:
            container.append(node)
            container.item_lines.append(line)
            return
        key = frame[1]
        if key is _NO_KEY:  # a non-scalar key (already reported)
            frame[1], frame[2] = _BAD_KEY, line
            return
        frame[1] = _NO_KEY
        if key is _BAD_KEY:
            return
        if key in container:
            problem(frame[2], key, "key appears twice")
        container[key] = node
        container.where.key_lines[key] = frame[2]

    try:
        while True:
            event = parser.get_event()
            cls = event.__class__
            line = event.start_mark.line + 1
            if cls is scalar or cls in starts:
                if event.anchor is not None:
                    problem(line, "yaml", f"anchor &{event.anchor} is not allowed")
                if event.tag is not None:
                    problem(line, "yaml", f"tag {event.tag} is not allowed")
            if cls is scalar:
                top = stack[-1] if stack else None
                if top is not None and top[4]:
                    continue
                if top is not None and top[3] and top[1] is _NO_KEY:  # a key: always text, never resolved
                    top[1], top[2] = event.value, line
                    continue
                value = event.value
                if event.style == "" and event.tag is None:
                    field_name = top[1] if top is not None and top[3] and isinstance(top[1], str) else "yaml"
                    value = resolve_plain(value, lambda msg: problem(line, field_name, msg))
                attach(value, line)
            elif cls in starts:
                if len(stack) >= MAX_DEPTH:
                    problem(line, "yaml", f"nested more than {MAX_DEPTH} levels deep")
                    raise _Stop
                parent = stack[-1] if stack else None
                refused = parent is not None and (parent[4] or (parent[3] and parent[1] is _NO_KEY))
                if refused and not parent[4]:
                    problem(line, "yaml", "a key must be plain text, not a list or mapping")
                mapping = cls is yaml.MappingStartEvent
                container = None
                if not refused:
                    container = Record() if mapping else Items()
                    container.where = Where(name, line)
                    if not mapping:
                        container.item_lines = []
                stack.append([container, _NO_KEY, line, mapping, refused, line])
            elif cls in ends:
                frame = stack.pop()
                attach(_DISCARD if frame[4] else frame[0], frame[5])
            elif cls is alias:
                problem(line, "yaml", f"alias *{event.anchor} is not allowed; write the value out")
                attach(Refused("*" + str(event.anchor)), line)
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    problem(line, "yaml", "a second document (---) is not allowed: one document per file")
                    raise _Stop
                if event.version or event.tags:
                    problem(line, "yaml", "directives (%YAML, %TAG) are not allowed")
            elif cls is yaml.StreamEndEvent:
                break
    except _Stop:
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem((mark.line + 1) if mark else 1, "yaml", f"{exc.problem or exc.context}")
        return None
    except yaml.YAMLError as exc:  # ReaderError and the like carry a position, not a mark
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
        problem(line, "yaml", str(getattr(exc, "reason", None) or exc).splitlines()[0])
        return None
    except (RecursionError, MemoryError) as exc:
        problem(1, "yaml", f"cannot be read: {type(exc).__name__}")
        return None
    finally:
        parser.dispose()
    if root is _NO_KEY or root is None:
        problem(1, "yaml", "file is empty")
        return None
    return root
