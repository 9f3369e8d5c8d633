"""Deltagelsesatlas pipeline, one sub-package per stage: ingest -> store -> analysis ->
outreach -> present, with core shared by all and cli last (docs/ARCHITECTURE.md).

Nothing in this package imports streamlit; the CLI, the tests and the app share it.
"""
