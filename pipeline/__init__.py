"""The build's reading and checking stages, kept apart from build.py's loading code.

- read.py: a data file's bytes -> Record/Items with line numbers, in one pass over libyaml's events.
- contract.py: the JSON Schema of the data files, generated from schema/yaml_schema.py, and validation.
"""
