"""The release pipeline: exports (CSV, JSON, Excel), the data package, the citation, the release and the diff.

Everything here reads a built database (dist/vn_dx_plans.db); tables and views are
discovered from it, so a table added to the models appears in every export.
"""
