"""The JSON Schema of incident frontmatter, for editors that validate as people type.

It holds every rule about a single field that ``check`` applies: types, the timestamp,
date and clock forms (as patterns, calendar and range included), number ranges, enums,
safe links and unknown keys. Rules across fields (milestones in order, downtime within
the incident, impact within started..resolved, a clock time before started, ids and
``related``) and what depends on the time zone's rules (a wall time skipped or repeated)
are for ``postmortems check`` alone. Editors read YAML 1.2, so a value is seen as that
reading gives it (``yes`` is text, ``045`` the number 45): see ``yamlsource.editor_view``.
"""

from __future__ import annotations

from . import yamlsource
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
    properties["severity"] = {"title": "Severity", "description": f"One of {', '.join(settings.severities)}.",
                              "enum": _as_editors_see(settings.severities)}
    if settings.services is not None:  # the service catalog: editors flag a name it does not list
        names = _as_editors_see(tuple(service.name for service in settings.services))
        properties["services"]["items"] = {"description": "A service of the catalog (services in mkdocs.yml).",
                                           "enum": names}
        schema["$defs"]["Impact"]["properties"]["service"] = {"title": "Service", "enum": names,
                                                              "description": "A service of the catalog, listed in services."}
    properties["downtime_minutes"]["description"] = (
        "Full-outage minutes from started: at most resolved - started, and at most 100 years. Required unless impact is given.")
    # A resolved incident needs its resolved timestamp; every incident needs downtime_minutes or impact.
    schema["if"] = {"properties": {"status": {"const": "resolved"}}}
    schema["then"] = {"required": ["resolved"], "properties": {"resolved": {"not": {"type": "null"}}}}
    schema["anyOf"] = [{"required": ["downtime_minutes"], "properties": {"downtime_minutes": {"not": {"type": "null"}}}},
                       {"required": ["impact"], "properties": {"impact": {"minItems": 1}}}]
    return schema


def _as_editors_see(names: tuple[str, ...]) -> list:
    """Each name, and the value an editor's YAML 1.2 reads when it is written unquoted (``1`` is a number)."""
    values: list = []
    for name in names:
        values.append(name)
        try:
            data, _, _ = yamlsource.parse(f"name: {name}")
        except yamlsource.YamlProblem:
            continue
        seen = yamlsource.editor_view(data).get("name") if isinstance(data, dict) else None
        if seen is not None and not any(type(value) is type(seen) and value == seen for value in values):
            values.append(seen)
    return values
