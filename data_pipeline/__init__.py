"""Deltagelsesatlas pipeline: readers -> mapping -> validation -> load -> queries.

Nothing in this package imports streamlit; the CLI, the tests and the app share it.
"""
