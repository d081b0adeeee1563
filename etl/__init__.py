"""ETL, warehouse and query layer of the dân vận dashboard (no Streamlit here)."""
