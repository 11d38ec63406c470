"""The plugin's options in mkdocs.yml, as a typed MkDocs config class (adapter side).

Values are checked by MkDocs' own machinery, so a wrong option fails the build
with MkDocs' usual configuration error; the core ``Settings`` are made from them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..incidents.settings import (AUDIENCE_VARIABLE, AUDIENCES, DEFAULT_SEVERITIES, DEFAULT_WINDOWS, LEVELS, POLICIES, Policy,
                                  Settings, internal_fields_problem)
from ..site.addresses import url_prefix_problem
from ..incidents.timeparse import zone
from ..site.layout import Layout


class TimeZone(c.Type):
    def __init__(self, default: str = "UTC"):
        super().__init__(str, default=default)

    def run_validation(self, value):
        value = super().run_validation(value)
        try:
            zone(value)
        except ValueError as error:
            raise base.ValidationError(str(error)) from None
        return value


class Timestamp(c.BaseConfigOption):
    """A timestamp as YAML gives it (datetime, or text); checked fully against ``timezone`` later."""

    def run_validation(self, value):
        if isinstance(value, date) and not isinstance(value, datetime):
            raise base.ValidationError("needs a time of day, e.g. 2012-07-02 09:00")
        if not isinstance(value, (datetime, str)):
            raise base.ValidationError("should be a timestamp such as 2012-07-02 09:00 or 2012-07-02T09:00:00-04:00")
        return value


class Folder(c.Type):
    """A folder, relative to mkdocs.yml (checked against ``docs_dir`` once MkDocs knows it: ``folder_problem``)."""

    def __init__(self, default: str):
        super().__init__(str, default=default)

    def run_validation(self, value):
        value = super().run_validation(value)
        if "\0" in value:
            raise base.ValidationError("contains a NUL character")
        if not value.strip():
            raise base.ValidationError("is empty; name a folder, relative to mkdocs.yml")
        return value


class UrlPrefix(c.Type):
    """A folder of the site: parts made of letters, digits, ``-``, ``_`` and ``.``, never ``..``."""

    def __init__(self, default: str):
        super().__init__(str, default=default)

    def run_validation(self, value):
        value = super().run_validation(value)
        shown = f"{value!r} "
        if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value) or "://" in value:
            raise base.ValidationError(f"{shown}is not a folder inside the site: write it relative, e.g. incidents/")
        parts = value.split("/")
        if parts[-1] == "":
            parts.pop()
        for part in parts:
            if not part or part.startswith(".") or not all(char in "_.-" or unicodedata.category(char)[0] in "LMN"
                                                               for char in part):
                raise base.ValidationError(
                    f"{shown}is not a folder inside the site: use letters, digits, -, _ and . between "
                    "slashes (no part starting with a dot), e.g. incidents/, or '' for the top of the site")
        for directory_urls in (True, False):
            problem = url_prefix_problem(Layout(prefix_of(value), directory_urls))
            if problem:
                raise base.ValidationError(problem)
        return value


class RequirePostmortem(c.BaseConfigOption):
    """``{severities: [...], min_downtime_minutes: N, within_days: N}``, every key optional."""

    def run_validation(self, value):
        try:
            Policy.from_option(value)
        except ValueError as error:
            raise base.ValidationError(str(error).removeprefix("require_postmortem: ")) from None
        return value


class ServiceCatalog(c.BaseConfigOption):
    """``[{name: web, description: ..., owner: ..., team: ..., tracked_since: ...}, ...]`` (see ``incidents.catalog``)."""

    def run_validation(self, value):
        from ..incidents.catalog import from_option

        try:
            from_option(value, zone("UTC"))  # the times are read again in the wiki's time zone (Settings)
        except ValueError as error:
            raise base.ValidationError(str(error)) from None
        return value


class InternalFields(c.ListOfItems):
    """Fields a public incident withholds on the public site (besides authors and the action items' owners and links)."""

    def __init__(self):
        super().__init__(c.Type(str), default=[])

    def run_validation(self, value):
        value = super().run_validation(value)
        problem = internal_fields_problem(tuple(item.strip() for item in value))
        if problem:
            raise base.ValidationError(problem.removeprefix("internal_fields: "))
        return value


class PostmortemsConfig(base.Config):
    enabled = c.Type(bool, default=True)
    incidents_dir = Folder(default="incidents")
    templates_dir = Folder(default="templates")
    url_prefix = UrlPrefix(default="incidents/")
    timezone = TimeZone()
    since = c.Optional(Timestamp())
    as_of = c.Optional(Timestamp())
    windows = c.ListOfItems(c.Type(int), default=list(DEFAULT_WINDOWS))
    precision = c.Type(int, default=2)
    policy = c.Choice(tuple(POLICIES), default="statuspage")
    weights = c.DictOfItems(c.Type((int, float)), default={})
    count_maintenance = c.Type(bool, default=False)
    slo = c.Type((int, float), default=99.9)
    severities = c.ListOfItems(c.Type(str), default=list(DEFAULT_SEVERITIES))
    site_title = c.Type(str, default="Postmortems")
    index_limit = c.Type(int, default=5000)
    cache = c.Type(bool, default=True)
    cache_dir = c.Type(str, default=".cache/postmortems")
    parallel = c.Deprecated(message="The option 'parallel' no longer does anything: the wiki is built in one process. Remove it.")
    require_postmortem = c.Optional(RequirePostmortem())
    required_sections = c.Optional(c.ListOfItems(c.Type(str)))
    blameless = c.Type(bool, default=False)
    blameless_phrases = c.Optional(c.ListOfItems(c.Type(str)))
    services = c.Optional(ServiceCatalog())
    audience = c.Choice(AUDIENCES, default="internal")  # POSTMORTEMS_AUDIENCE overrides it
    internal_fields = InternalFields()

    def validate(self):
        failed, warnings = super().validate()
        failed += [(key, base.ValidationError(message)) for key, message in written_numbers(self.config_file_path)]
        if not failed:
            try:
                settings_from(self).fixed()  # since must not be after the as-of instant, even when that is now
            except ValueError as error:
                option = re.match(r"\w*", str(error)).group(0)
                option = "audience" if option == AUDIENCE_VARIABLE else option  # the variable overrides the option
                option = option if option in self._schema_keys else "as_of"  # SOURCE_DATE_EPOCH stands for as_of
                failed.append((option, base.ValidationError(str(error))))
        return failed, [(key, _did_you_mean(key, message, self._schema_keys)) for key, message in warnings]


def _did_you_mean(key, message: str, known) -> str:
    if message.startswith("Unrecognised configuration name"):
        close = difflib.get_close_matches(str(key), sorted(known), n=1)
        if close:
            return f"{message}; did you mean '{close[0]}'?"
    return message


def settings_from(config: PostmortemsConfig) -> Settings:
    """The core settings for validated plugin options (ValueError on a wrong combination)."""
    unknown = set(config["weights"]) - set(LEVELS)
    if unknown:
        raise ValueError(f"weights: unknown level {sorted(unknown, key=str)[0]!r} (levels: {', '.join(LEVELS)})")
    return Settings.from_options({key: config[key] for key in Settings.__dataclass_fields__})


def prefix(config: PostmortemsConfig) -> str:
    """``url_prefix`` as a clean relative folder ending in ``/`` (or ``''``: the top of the site)."""
    return prefix_of(config["url_prefix"])


def prefix_of(value: str) -> str:
    parts = [part for part in value.split("/") if part]
    return "/".join(parts) + "/" if parts else ""


def folder_problem(name: str, folder: Path, docs_dir: Path) -> str | None:
    """Why ``folder`` (the option ``name``, resolved) cannot hold incidents next to ``docs_dir``, or None.

    The incidents folder may lie inside docs_dir, or anywhere else, but not be docs_dir, a
    folder above it, or the root of the file system (every page would be read as an incident).
    """
    if folder == Path(folder.anchor):
        return f"{name} ({folder}) is the root of the file system; name the folder of your incidents"
    if folder == docs_dir:
        return f"{name} ({folder}) is docs_dir: keep the incidents in a folder of their own (e.g. incidents/)"
    if docs_dir.is_relative_to(folder):
        return f"{name} ({folder}) contains docs_dir ({docs_dir}): every page would be read as an incident"
    return None


NUMBER_OPTIONS = ("windows", "precision", "slo", "weights", "index_limit")


def written_numbers(config_file_path: str | None) -> list[tuple[str, str]]:
    """``(option, message)`` for each number of the plugin's options written in a form YAML 1.1 (which
    MkDocs reads) and YAML 1.2 (editors, people) read differently: ``windows: [07, 030]`` is 7 and 24 days
    to MkDocs. Read from the file's own text; a file this cannot read is left to MkDocs (best effort:
    options that come from ``INHERIT`` are not seen)."""
    from ..incidents.model import ambiguity
    from ..incidents.yamlsource import Float, Int, YamlProblem, parse

    if not config_file_path:
        return []
    try:
        data = parse(Path(config_file_path).read_text(encoding="utf-8-sig"))[0]
    except (OSError, UnicodeDecodeError, YamlProblem, ValueError):
        return []
    plugins = data.get("plugins") if isinstance(data, dict) else None
    entries = plugins.items() if isinstance(plugins, dict) else [
        item for entry in plugins if isinstance(entry, dict) for item in entry.items()] if isinstance(plugins, list) else []
    options = next((value for name, value in entries if name == "postmortems" and isinstance(value, dict)), {})
    problems = []
    for key in NUMBER_OPTIONS:
        value = options.get(key)
        values = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
        for item in values:
            if isinstance(item, (Int, Float)) and (problem := ambiguity(str(item), "")):
                problems.append((key, f"{item} is ambiguous: {problem}"))
    return problems


def templates_warning(option: str, folder: Path) -> str | None:
    """A ``templates_dir`` written in mkdocs.yml (not the default) that is no folder: the overrides meant
    to be there are not used, which should not pass in silence."""
    if option == "templates" or folder.is_dir():
        return None
    return f"templates_dir '{option}' is not a folder ({folder}): the packaged templates are used"
