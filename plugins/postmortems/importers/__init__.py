"""Bring your history: incidents from Statuspage, Upptime and spreadsheets, as incident files.

``read`` turns one source file into drafts (``common.Draft``); ``writing`` plans, checks
and writes the files. Core code: nothing here imports MkDocs or the adapters.
"""

from __future__ import annotations

import json
from datetime import tzinfo

from ..incidents.model import SOURCE_SYSTEMS
from . import spreadsheet
from . import statuspage
from . import upptime
from .common import BadInput, Draft, Reading, map_services, match_names

SYSTEMS = SOURCE_SYSTEMS


def read(system: str, raw: bytes, name: str, tz: tzinfo, severities: tuple[str, ...],
         columns: dict[str, str] | None = None, service_map: dict[str, str] | None = None,
         known: list[str] | None = None) -> Reading:
    """The drafts in ``raw`` (the bytes of file ``name``) from ``system``; BadInput says what is wrong.
    Services are renamed by ``service_map``, then spelled as ``known`` (the wiki's names) spells them."""
    if system not in SYSTEMS:
        raise BadInput(f"unknown source {system!r} (sources: {', '.join(SYSTEMS)})")
    if columns and system != "csv":
        raise BadInput("--column is for csv only")
    if system == "csv":
        reading = spreadsheet.read(raw, name, tz, severities, columns or {})
    else:
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise BadInput(f"{name} is not UTF-8 text (byte {error.start})") from None
        except json.JSONDecodeError as error:
            raise BadInput(f"{name} is not JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
        module = statuspage if system == "statuspage" else upptime
        reading = module.read(data, name, tz, severities)
    names = {name for draft in reading.drafts for name in draft.services}
    reading.unmatched = [old for old in service_map or {} if old not in names]
    reading.drafts = match_names([map_services(draft, service_map or {}) for draft in reading.drafts], known or [])
    return reading


__all__ = ["BadInput", "Draft", "Reading", "SYSTEMS", "read"]
