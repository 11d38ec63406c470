"""The incidents: their model, YAML, loading and rules (no MkDocs, no Jinja)."""
