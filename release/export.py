"""CSV, JSON and one Excel workbook of every table and view of a built database.

CSV: UTF-8 with a byte-order mark (so Excel on Windows reads the diacritics), the csv
module's Excel dialect (CRLF line ends; a field holding a line break is quoted) and
every text field quoted (so LibreOffice's "quoted field as text" keeps `=`, `>=` and
codes such as `08` as text); numbers unquoted, whole numbers without `.0`; null is an empty field (`""`: the
build allows no empty text, so an empty field is always null).
JSON: one array of objects per table or view.
Excel: XlsxWriter, every text cell written with write_string (never a formula, never a
number or a link), numbers as numbers; a first sheet explains the dataset.
"""
from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import sqlite_utils

from release import citation
from release.datapackage import release_moment
from release.tables import Relation, relations, rows

SHEET_NAME_MAX = 31
WIDTH_MAX = 60
WIDTH_SAMPLE = 500  # rows looked at to size a column


def write_csv(path: Path, columns: list[str], records: list[dict]):
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(columns)
        writer.writerows([record[c] for c in columns] for record in records)


def write_json(path: Path, records: list[dict]):
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def export_tables(db: sqlite_utils.Database, folder: Path) -> dict[str, list[dict]]:
    """`<name>.csv` and `<name>.json` for every table and view; returns the rows by name."""
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for relation in relations(db):
        records = list(rows(db, relation))
        write_csv(folder / f"{relation.name}.csv", relation.column_names, records)
        write_json(folder / f"{relation.name}.json", records)
        found[relation.name] = records
    return found


# ---------------------------------------------------------------- Excel

def sheet_names(names: list[str], reserved=()) -> dict[str, str]:
    """A unique Excel sheet name (at most 31 characters, none of []:*?/\\) for each table or view."""
    taken = {r.lower() for r in reserved}
    result = {}
    for name in names:
        base = "".join("_" if c in "[]:*?/\\" else c for c in name)[:SHEET_NAME_MAX]
        candidate, number = base, 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"~{number}"
            candidate = base[:SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(candidate.lower())
        result[name] = candidate
    return result


def _width(values) -> int:
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return min(longest, WIDTH_MAX) + 2


def write_workbook(path: Path, db: sqlite_utils.Database, info: dict, data: dict[str, list[dict]] | None = None,
                   created: datetime | None = None):
    """One workbook: an 'about' sheet (bilingual introduction, version, licence, how to cite,
    the list of sheets), then one sheet per table and view with a frozen, filterable header row.
    `created`: the workbook's date (its properties; else the release's date or SOURCE_DATE_EPOCH, never the
    clock, so that the same rows give the same bytes)."""
    import xlsxwriter

    found = relations(db)
    data = data if data is not None else {r.name: list(rows(db, r)) for r in found}
    about_name = "about"
    names = sheet_names([r.name for r in found], reserved=[about_name])
    # No string is ever turned into a formula, a number or a link: text stays text. In memory: its parts then go
    # into the file with a fixed date and no permissions (from temporary files, they took the umask and timezone).
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                               "strings_to_urls": False, "in_memory": True})
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    workbook.set_properties({"title": info.get("title", ""), "author": info.get("contributors", ""),
                             "comments": citation.cite(info) if info.get("citation") else "",
                             "created": created or release_moment(info)})
    try:
        _about_sheet(workbook.add_worksheet(about_name), info, found, names, data, bold, title, wrap)
        for relation in found:
            sheet = workbook.add_worksheet(names[relation.name])
            columns = relation.column_names
            records = data[relation.name]
            for col, column in enumerate(columns):
                sheet.write_string(0, col, column, header)
                sheet.set_column(col, col, max(_width([column]), _width(r[column] for r in records[:WIDTH_SAMPLE])))
            for row_number, record in enumerate(records, 1):
                for col, column in enumerate(columns):
                    write_cell(sheet, row_number, col, record[column])
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(records), 1), max(len(columns) - 1, 0))
    finally:
        workbook.close()


def write_cell(sheet, row: int, col: int, value):
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _height(text: str, characters_per_line: int) -> int:
    """Row height (points) for wrapped text: spreadsheets do not all grow a row to fit on opening."""
    return 15 * (1 + len(text) // characters_per_line)


def _about_sheet(sheet, info, found: list[Relation], names, data, bold, title, wrap):
    lines = [
        (info.get("title", ""), title),
        (info.get("title_vi", ""), title),
        None,
        ("Tập dữ liệu mở về các kế hoạch chuyển đổi số cấp tỉnh của Việt Nam: mỗi chỉ tiêu, số liệu, lĩnh vực ưu tiên "
         "và nhiệm vụ là một dòng, kèm trích dẫn nguyên văn từ văn bản nguồn.", wrap),
        (info.get("description", ""), wrap),
        None,
        ("Version / Phiên bản", bold), (info.get("version", ""), None),
        ("Licence / Giấy phép", bold),
        (f"{info.get('license', '')} ({info.get('license_url', '')}). The source texts quoted remain their "
         "publishers'. / Văn bản nguồn thuộc về đơn vị xuất bản.", wrap),
        ("How to cite / Trích dẫn", bold), (citation.cite(info) if info.get("citation") else "", wrap),
        None,
        ("Each sheet below is one table or view of vn_dx_plans.db; the first row names the columns "
         "(described in datapackage.json and the data dictionary). Text is stored as text: '=' and '>=' in "
         "`comparator` are comparators, not formulas. / Mỗi trang tính là một bảng hoặc khung nhìn.", wrap),
        None,
    ]
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # printed: one page wide
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 12)
    sheet.set_column(2, 2, 100)
    row = 0
    for line in lines:
        if line is not None and line[0]:
            text, style = line
            if style is wrap:  # a paragraph across the three columns
                sheet.merge_range(row, 0, row, 2, "", wrap)
                sheet.set_row(row, _height(text, 140))
            sheet.write_string(row, 0, text, style)
        row += 1
    for col, text in enumerate(("sheet", "rows", "description")):
        sheet.write_string(row, col, text, bold)
    for relation in found:
        row += 1
        sheet.write_string(row, 0, names[relation.name], wrap)
        sheet.write_number(row, 1, len(data[relation.name]), wrap)
        text = f"({relation.kind} {relation.name}) {relation.description}"
        sheet.write_string(row, 2, text, wrap)
        sheet.set_row(row, _height(text, 100))
