"""Streamlit glue shared by app.py and the pages: state, cached data access, drawing helpers.

The only place besides pages/ that imports streamlit. No SQL here: it calls data_pipeline.
"""
