"""The wiki's settings, as the core sees them (the MkDocs plugin and the CLI fill them in)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

from .catalog import Service, from_option as catalog_from_option
from .timeparse import local_text, to_instant, zone

LEVELS = ("outage", "partial", "degraded")
POLICIES = {
    # Public status pages count a partial outage as 30% of a full one.
    "statuspage": {"outage": Fraction(1), "partial": Fraction(3, 10), "degraded": Fraction(0)},
    "binary": {"outage": Fraction(1), "partial": Fraction(1), "degraded": Fraction(0)},
}
DEFAULT_SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
DEFAULT_WINDOWS = (7, 30, 90, 365)
MAX_WINDOW = 36500  # days: a century
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)  # of every timestamp the wiki reads
RANGE = "between 1970-01-01 and 2999-12-31"


def exact(number: float | int | str) -> Fraction:
    """The decimal a writer typed (``0.3``, ``8.64``) as an exact fraction."""
    return Fraction(str(number))


AUDIENCES = ("internal", "public")  # who a build is for: the team's wiki, or the public status page
AUDIENCE_VARIABLE = "POSTMORTEMS_AUDIENCE"  # overrides the audience option, so one repository builds both sites
DEFAULT_REQUIRED_SECTIONS = ("Summary", "Impact", "Root cause")  # action items live in the frontmatter
DEFAULT_WITHIN_DAYS = 14


@dataclass(frozen=True)
class Policy:
    """``require_postmortem``: which incidents need a published postmortem, and how soon."""

    severities: tuple[str, ...] = ()
    min_downtime_minutes: float | None = None
    within_days: int = DEFAULT_WITHIN_DAYS

    @classmethod
    def from_option(cls, value: object) -> "Policy":
        if isinstance(value, Policy):
            return value
        if not isinstance(value, dict):
            raise ValueError("require_postmortem should be a mapping, e.g. {severities: [SEV1, SEV2], "
                             "min_downtime_minutes: 30, within_days: 14}")
        unknown = sorted(set(value) - set(cls.__dataclass_fields__), key=str)
        if unknown:
            import difflib
            close = difflib.get_close_matches(str(unknown[0]), list(cls.__dataclass_fields__), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (keys: {', '.join(cls.__dataclass_fields__)})"
            raise ValueError(f"require_postmortem: unknown key {unknown[0]!r}{hint}")
        severities = value.get("severities") or []
        if not isinstance(severities, (list, tuple)) or not all(isinstance(item, str) and item.strip() for item in severities):
            raise ValueError("require_postmortem: severities should be a list of severities, e.g. [SEV1, SEV2]")
        minutes = value.get("min_downtime_minutes")
        if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, (int, float))
                                    or not 0 <= minutes < float("inf")):
            raise ValueError("require_postmortem: min_downtime_minutes should be a number of minutes, 0 or more")
        days = value.get("within_days", DEFAULT_WITHIN_DAYS)
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_WINDOW:
            raise ValueError(f"require_postmortem: within_days should be a whole number of days from 0 to {MAX_WINDOW}")
        return cls(tuple(severities), minutes, days)

    def to_json(self) -> dict:
        return {"severities": list(self.severities), "min_downtime_minutes": self.min_downtime_minutes,
                "within_days": self.within_days}


@dataclass(frozen=True)
class Settings:
    timezone: str = "UTC"
    since: datetime | None = None
    as_of: datetime | None = None
    windows: tuple[int, ...] = DEFAULT_WINDOWS
    precision: int = 2
    policy: str = "statuspage"
    weights: dict[str, float] = field(default_factory=dict)
    count_maintenance: bool = False
    slo: float = 99.9
    severities: tuple[str, ...] = DEFAULT_SEVERITIES
    index_limit: int = 5000  # incidents on the index; older whole years get pages of their own
    require_postmortem: Policy | None = None  # no policy: no postmortem is required
    required_sections: tuple[str, ...] | None = None  # None: the defaults, checked only under a policy
    blameless: bool = False
    blameless_phrases: tuple[str, ...] | None = None  # None: the built-in list (practice.BLAMELESS)
    services: tuple[Service, ...] | None = None  # the service catalog (None: any name an incident writes)
    audience: str = "internal"  # internal: every page as written; public: the status page (see visibility)
    internal_fields: tuple[str, ...] = ()  # fields a public incident withholds besides authors (visibility)

    @classmethod
    def from_options(cls, options: dict, environ: dict | None = None) -> "Settings":
        """Settings from plugin options (a mapping as written in mkdocs.yml); ``POSTMORTEMS_AUDIENCE`` in
        ``environ`` (default: the process's environment), when set, overrides the ``audience`` option.

        Raises ValueError naming the option on a wrong value.
        """
        known = {k: v for k, v in options.items() if k in cls.__dataclass_fields__ and v is not None}
        chosen = audience_from(os.environ if environ is None else environ)
        if chosen is not None:
            known["audience"] = chosen
        if "internal_fields" in known:
            items = known["internal_fields"]
            if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
                raise ValueError("internal_fields should be a list of field names, e.g. [trigger, tags]")
            known["internal_fields"] = tuple(dict.fromkeys(item.strip() for item in items))
        tz_name = known.get("timezone", "UTC")
        tz = zone(tz_name)
        for name in ("since", "as_of"):
            if name in known:
                known[name] = moment(name, known[name], tz)
        if "windows" in known:
            known["windows"] = tuple(check_windows(known["windows"]))
        if "severities" in known:
            known["severities"] = tuple(check_severities(known["severities"]))
        if "require_postmortem" in known:
            known["require_postmortem"] = Policy.from_option(known["require_postmortem"])
        if "services" in known:
            known["services"] = catalog_from_option(known["services"], tz)
        for name in ("required_sections", "blameless_phrases"):
            if name in known:
                items = known[name]
                if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) and i.strip() for i in items):
                    raise ValueError(f"{name} should be a list of non-empty texts")
                known[name] = tuple(item.strip() for item in items)
        settings = cls(**known)
        settings.validate()
        return settings

    def validate(self) -> None:
        zone(self.timezone)
        if self.since is not None and self.as_of is not None and self.since > self.as_of:
            raise ValueError(f"since ({local_text(self.since, self.tz)}) is after as_of ({local_text(self.as_of, self.tz)})")
        if self.policy not in POLICIES:
            raise ValueError(f"policy {self.policy!r} is not one of {', '.join(POLICIES)}")
        for level, weight in self.weights.items():
            if level not in LEVELS:
                raise ValueError(f"weights: unknown level {level!r} (levels: {', '.join(LEVELS)})")
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
                raise ValueError(f"weights: {level} must be a number from 0 to 1")
        if isinstance(self.index_limit, bool) or not isinstance(self.index_limit, int) or self.index_limit < 1:
            raise ValueError("index_limit must be a whole number of incidents, 1 or more")
        if isinstance(self.precision, bool) or not isinstance(self.precision, int) or not 0 <= self.precision <= 6:
            raise ValueError("precision must be a whole number from 0 to 6")
        if self.require_postmortem is not None:
            for severity in self.require_postmortem.severities:
                if severity not in self.severities:
                    raise ValueError(f"require_postmortem: severity {severity!r} is not one of {', '.join(self.severities)}")
        if isinstance(self.slo, bool) or not isinstance(self.slo, (int, float)) or not 0 < self.slo < 100:
            raise ValueError("slo must be a percentage above 0 and below 100, e.g. 99.9")
        if self.audience not in AUDIENCES:
            raise ValueError(f"audience {self.audience!r} is not one of {', '.join(AUDIENCES)}")
        if problem := internal_fields_problem(self.internal_fields):
            raise ValueError(problem)

    @property
    def public(self) -> bool:
        """The build is the public status page: incidents publish what their ``visibility`` allows."""
        return self.audience == "public"

    @property
    def sections_required(self) -> tuple[str, ...]:
        """The headings a published postmortem needs: the option, else the defaults under a policy, else none."""
        if self.required_sections is not None:
            return self.required_sections
        return DEFAULT_REQUIRED_SECTIONS if self.require_postmortem is not None else ()

    @property
    def catalog(self) -> dict[str, Service]:
        """The service catalog by name (empty without one)."""
        return {service.name: service for service in self.services or ()}

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def level_weights(self) -> dict[str, Fraction]:
        weights = dict(POLICIES[self.policy])
        weights.update({level: exact(value) for level, value in self.weights.items()})
        return weights

    def resolve_as_of(self, environ: dict | None = None) -> datetime:
        """``as_of``, else ``SOURCE_DATE_EPOCH``, else now (whole seconds, UTC)."""
        environ = os.environ if environ is None else environ
        if problem := source_date_epoch_problem(environ):
            raise ValueError(problem)
        if self.as_of is not None:
            return self.as_of
        epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch:
            try:
                seconds = int(epoch)
            except ValueError:
                raise ValueError(f"SOURCE_DATE_EPOCH {epoch!r} is not a whole number of seconds") from None
            if not 0 <= seconds < _EPOCH_END:
                raise ValueError(f"SOURCE_DATE_EPOCH {epoch!r} is not {RANGE}")
            return datetime.fromtimestamp(seconds, timezone.utc)
        return datetime.now(timezone.utc).replace(microsecond=0)

    def fixed(self, environ: dict | None = None) -> "Settings":
        """These settings with the as-of instant fixed (``resolve_as_of``), so every page and process
        counts to the same instant. ValueError when ``since`` is after it."""
        as_of = self.resolve_as_of(environ)
        if self.since is not None and self.since > as_of:
            source = "as_of" if self.as_of is not None else "SOURCE_DATE_EPOCH" if (
                environ if environ is not None else os.environ).get("SOURCE_DATE_EPOCH", "").strip() else "now"
            raise ValueError(f"since ({local_text(self.since, self.tz)}) is after the as-of instant "
                             f"({local_text(as_of, self.tz)}, {source}): nothing can be counted")
        return replace(self, as_of=as_of)


_EPOCH_END = int(datetime(LATEST.year + 1, 1, 1, tzinfo=timezone.utc).timestamp())


def moment(name: str, value: object, tz) -> datetime:
    """The option ``name`` (a timestamp) as an aware datetime; ValueError naming it.

    Only wall-clock dates from 1970-01-01 to 2999-12-31 are taken: the year is checked before any
    conversion, which would overflow near year 1 or 9999.
    """
    written = value
    if isinstance(value, str):
        try:
            written = datetime.fromisoformat(value.strip())
        except ValueError:
            pass  # to_instant says what is wrong
    if isinstance(written, datetime) and not EARLIEST <= written.date() <= LATEST:
        raise ValueError(f"{name} ({written.isoformat(sep=' ', timespec='minutes')[:16]}) is not {RANGE}")
    try:
        return to_instant(value, tz)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{name} {error}") from None


def check_windows(windows: object) -> list[int]:
    if not isinstance(windows, (list, tuple)) or not windows:
        raise ValueError("windows must be a list of days, e.g. [7, 30, 90, 365]")
    result = []
    for days in windows:
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            raise ValueError(f"windows: {days!r} is not a whole number of days above 0")
        if days > MAX_WINDOW:
            raise ValueError(f"windows: {days} days is more than {MAX_WINDOW} (a century)")
        if days not in result:
            result.append(days)
    return sorted(result)


def check_severities(severities: object) -> list[str]:
    if not isinstance(severities, (list, tuple)) or not severities:
        raise ValueError("severities must be a non-empty list, e.g. [SEV1, SEV2, SEV3, SEV4]")
    result = [str(item) for item in severities]
    if any(not item.strip() for item in result):
        raise ValueError("severities: a severity is empty; name each one, e.g. SEV1")
    if len(set(result)) != len(result):
        raise ValueError("severities lists a severity twice")
    return result


def audience_from(environ) -> str | None:
    """The audience ``POSTMORTEMS_AUDIENCE`` chooses (None when it is unset or empty); ValueError when it
    names no audience."""
    chosen = str(environ.get(AUDIENCE_VARIABLE, "")).strip()
    if not chosen:
        return None
    if chosen not in AUDIENCES:
        raise ValueError(f"{AUDIENCE_VARIABLE} {chosen!r} is not one of {', '.join(AUDIENCES)}: set it to internal "
                         "or public, or unset it to use the audience option")
    return chosen


def internal_fields_problem(names: tuple[str, ...]) -> str | None:
    """Why ``internal_fields`` cannot be used, or None: each must be a field of an incident, and not one of
    the status facts every incident publishes (the figures of both sites are made of them)."""
    from .model import FIELDS
    from .visibility import ALWAYS_PUBLIC

    for name in names:
        if name not in FIELDS:
            import difflib
            close = difflib.get_close_matches(name, FIELDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return f"internal_fields: {name!r} is not a field of an incident{hint}"
        if name in ALWAYS_PUBLIC:
            return (f"internal_fields: {name!r} is public on every incident, so that both sites show the same "
                    f"figures and status ({', '.join(ALWAYS_PUBLIC)} always are)")
    return None


def source_date_epoch_problem(environ) -> str | None:
    """Why ``SOURCE_DATE_EPOCH``, when set at all, stops MkDocs (it reads it for every build's date, as a
    whole number of seconds, even when ``as_of`` is set), or None."""
    if "SOURCE_DATE_EPOCH" not in environ:
        return None
    epoch = environ["SOURCE_DATE_EPOCH"]
    try:
        int(epoch)
    except ValueError:
        return (f"SOURCE_DATE_EPOCH {epoch!r} is not a whole number of seconds; MkDocs reads it for the build's "
                "date: set it to one (e.g. 1372636800) or unset it")
    return None
