"""The plugin's options in mkdocs.yml, as a typed MkDocs config class (adapter side).

Values are checked by MkDocs' own machinery, so a wrong option fails the build
with MkDocs' usual configuration error; the core ``Settings`` are made from them.
"""

from __future__ import annotations

from datetime import date, datetime

from mkdocs.config import base
from mkdocs.config import config_options as c

from .settings import DEFAULT_SEVERITIES, DEFAULT_WINDOWS, LEVELS, POLICIES, Settings
from .timeparse import zone


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


class PostmortemsConfig(base.Config):
    enabled = c.Type(bool, default=True)
    incidents_dir = c.Type(str, default="incidents")
    templates_dir = c.Type(str, default="templates")
    url_prefix = c.Type(str, default="incidents/")
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
    parallel = c.Choice(("auto", "always", "never"), default="auto")

    def validate(self):
        failed, warnings = super().validate()
        if not failed:
            try:
                settings_from(self)
            except ValueError as error:
                failed.append(("postmortems", base.ValidationError(str(error))))
        return failed, warnings


def settings_from(config: PostmortemsConfig) -> Settings:
    """The core settings for validated plugin options (ValueError on a wrong combination)."""
    unknown = set(config["weights"]) - set(LEVELS)
    if unknown:
        raise ValueError(f"weights: unknown level {sorted(unknown)[0]!r} (levels: {', '.join(LEVELS)})")
    return Settings.from_options({key: config[key] for key in Settings.__dataclass_fields__})


def prefix(config: PostmortemsConfig) -> str:
    """``url_prefix`` as a clean relative folder ending in ``/``."""
    parts = [part for part in config["url_prefix"].replace("\\", "/").split("/") if part not in ("", ".", "..")]
    return "/".join(parts) + "/" if parts else ""
