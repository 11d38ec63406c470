"""The exact uptime engine: intervals, reports, statistics (no MkDocs, no Jinja)."""
