"""mkdocs-postmortems: incident postmortems kept as Markdown, compiled into a wiki.

The core (everything but ``plugin`` and ``cli``) imports nothing from MkDocs, so
another site builder can reuse it.
"""

__version__ = "0.1.0"
