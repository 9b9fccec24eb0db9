"""The release: exports (CSV, JSON, Excel), the data package, the citation, the release and the diff.

Everything here reads a built database (dist/vn_dx_plans.db) and imports nothing of the build
(build.py, pipeline/); tables and views are discovered from the database, so a table added to the
models appears in every export. tables.py (the tables and views as the exports see them), export.py,
datapackage.py, citation.py (CITATION.cff; the CFF schema in schemas/), diff.py (what changed between
two releases) and release.py (the versioned release folder, its .zip and manifest.json).
"""
