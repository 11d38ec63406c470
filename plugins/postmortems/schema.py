"""The JSON Schema of incident frontmatter, for editors that validate as people type."""

from __future__ import annotations

from .model import Frontmatter
from .settings import Settings

SCHEMA_ID = "https://github.com/mkdocs-postmortems/mkdocs-postmortems/schema/incident.json"


def frontmatter_schema(settings: Settings | None = None) -> dict:
    settings = settings or Settings()
    schema = Frontmatter.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Incident postmortem frontmatter"
    schema["description"] = (
        "YAML frontmatter of one incident file of mkdocs-postmortems. Timestamps without an offset "
        f"are read in the wiki's time zone ({settings.timezone})."
    )
    properties = schema["properties"]
    properties["severity"]["enum"] = list(settings.severities)
    properties["downtime_minutes"]["description"] = "Full-outage minutes from started. Required unless impact is given."
    # A resolved incident needs its resolved timestamp.
    schema["if"] = {"properties": {"status": {"const": "resolved"}}}
    schema["then"] = {"required": ["resolved"]}
    schema["anyOf"] = [{"required": ["downtime_minutes"]}, {"required": ["impact"], "properties": {"impact": {"minItems": 1}}}]
    return schema
