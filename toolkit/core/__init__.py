"""The ground floor: what every other layer uses and that imports nothing of the toolkit.

`config` (the YAML config), `paths` (project and working-folder layout), `schema` (the canonical
posts table), `text` (link, mention, hashtag and emoji patterns), `language` (language from text),
`provenance` (the report manifest), `progress`, `private_files` (owner-only files).
"""
