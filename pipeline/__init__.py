"""The release pipeline: exports (CSV, JSON, Excel), the data package, the citation, the release and the diff.

Everything here reads a built database (dist/vn_dx_plans.db); tables and views are
discovered from it, so a table added to the models appears in every export.

The build's own stages: read.py (a data file -> Record/Items with line numbers, in one pass over libyaml's
events), contract.py (the JSON Schema of the data files, generated from schema/yaml_schema.py, and validation),
quotes.py (the evidence rule for cut quotes), outputs.py (where the build may write; stale temporary files).
"""
