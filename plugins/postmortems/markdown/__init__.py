"""The Python-Markdown extension ``postmortems.markdown``: live figures in any page (a front end).

Listed by this name under ``markdown_extensions`` (MkDocs, ProperDocs, Zensical)."""

from .extension import UptimeExtension, makeExtension

__all__ = ["UptimeExtension", "makeExtension"]
