"""The wiki's pages as text, its exports, templates and assets (no MkDocs)."""

from pathlib import Path

ASSETS = Path(__file__).parent / "assets"  # the stylesheet and script every page loads
TEMPLATES = Path(__file__).parent / "templates"  # the packaged page templates (overridable)
