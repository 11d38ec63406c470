"""The one set of slug rules: an incident's id from its file name, a name's page, a title's file name.

Importers of other tools' data (Upptime) imitate those tools' own rules besides.
"""

from __future__ import annotations

import re
import unicodedata


def id_slug(text: str) -> str:
    """A name safe in a URL and a file path: letters and digits of any script, ``-``, ``_`` and ``.``;
    never ``..``, never more than 120 bytes of UTF-8 (names are folders in the site)."""
    text = unicodedata.normalize("NFC", text)
    kept, base = [], False  # a mark (an accent, an emoji's variation selector) is kept only on a letter or digit
    for char in text:
        kind = unicodedata.category(char)[0]
        keep = char in "_.-" or kind in "LN" or (kind == "M" and base)
        kept.append(char if keep else " ")
        base = keep and char not in "_.-"
    kept = "".join(kept)
    cleaned = re.sub(r"\s+", "-", kept.strip())
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip("-._")
    cleaned = cleaned.encode()[:120].decode(errors="ignore").strip("-._")
    return cleaned or "incident"


def name_slug(name: str) -> str:
    """A service, cause or tag name as a file name: ``Payments API`` -> ``payments-api``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return cleaned or "x" + "".join(f"{ord(char):x}" for char in name)[:40]


def file_slug(title: str) -> str:
    """``Replica served the old schema!`` -> ``replica-served-the-old-schema``; ``障害`` stays ``障害``:
    the loader's own rule for ids from file names (letters and digits of any script), lower case,
    at most 60 characters."""
    return id_slug(id_slug(re.sub(r"[._]+", " ", title.lower()))[:60])
