"""The build's stages, which build.py runs top to bottom: data/ -> dist/vn_dx_plans.db.

read.py (a data file -> Record/Items with line numbers, in one pass over libyaml's events), contract.py
(the JSON Schema of the data files, generated from schema/yaml_schema.py, and validation), quotes.py
(the evidence rule for cut quotes), cache.py and incremental.py (the parse cache and incremental
rebuilds), outputs.py (where the build may write; stale temporary files).

The release (exports, data package, citation, diff) reads the built database and lives in release/.
"""
