"""The ``postmortems`` command: new, check, stats, schema and import (an adapter over the core)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import schema as schema_module
from .addresses import claim
from .loader import Collection, Found, assemble, find_incidents, load_paths
from .settings import Settings
from .wiki_config import CONFIG_FILES, ConfigError, NoPlugin, WikiConfig, find_config_file, read_wiki_config


class ConfigProblem(click.ClickException):
    exit_code = 2  # the configuration cannot be used: nothing was checked


def _config(config_file: str | None) -> WikiConfig:
    try:
        return read_wiki_config(Path(config_file) if config_file else None)
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None


def _fixed(wiki: WikiConfig) -> Settings:
    """The settings with the as-of instant fixed, as the build fixes it."""
    try:
        return wiki.settings.fixed()
    except ValueError as error:
        raise ConfigProblem(f"postmortems: {error}") from None


def load_wiki(wiki: WikiConfig) -> tuple[Collection, Found]:
    """The incidents as the build loads them (see plugin.on_files and background.Shared.load)."""
    found = find_incidents(wiki.incidents_dir)
    loaded = load_paths(found.paths, wiki.settings, wiki.root)
    return assemble(claim(loaded, wiki.layout, wiki.taken)), found


def _folder_warning(wiki: WikiConfig) -> str | None:
    try:
        is_dir = wiki.incidents_dir.is_dir()
    except OSError:
        is_dir = False
    if is_dir:
        return None
    return f"incidents_dir '{wiki.incidents_option}' is not a folder ({wiki.incidents_dir}); the wiki has no incidents"


def _site_problems(wiki: WikiConfig, collection: Collection) -> tuple[list[str], list[str]]:
    """What the build would stop on (a template of yours that does not compile), and its warnings
    about the live figures in your pages (``{{ uptime("13d") }}`` with no such window)."""
    from .figures import substitute
    from .pages import TemplateProblem, Wiki

    settings = _fixed(wiki)
    try:
        site = Wiki(collection.incidents, _report(collection, settings), settings, wiki.layout, wiki.templates_dir)
        site.check_templates()
    except (TemplateProblem, ValueError) as error:
        return [str(error)], []
    warnings = [str(problem) for problem in site.figure_problems()]  # in incident bodies
    for src_uri, path in wiki.pages:
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue  # MkDocs says so itself when it reads the page
        warnings += [str(problem) for problem in substitute(_strip_meta(text), site.report, _display(path, wiki.root))[1]]
    return [], warnings


def _strip_meta(text: str) -> str:
    """A page's Markdown as MkDocs hands it to plugins: without its YAML meta block, which keeps its lines."""
    from mkdocs.utils import meta

    body, _ = meta.get_data(text)
    return "\n" * (text.count("\n") - body.count("\n")) + body if body != text else text


def _report(collection: Collection, settings: Settings):
    from .uptime import compute

    return compute(collection.incidents, settings, unverified=collection.unverified, uncounted=collection.uncounted)


config_option = click.option(
    "-f", "--config-file", type=click.Path(dir_okay=False), default=None,
    help=f"The wiki's config file (default: the first of {', '.join(CONFIG_FILES)} here).",
)


@click.group()
@click.version_option(package_name="mkdocs-postmortems")
def main() -> None:
    """Keep incident postmortems as Markdown and compile them into a wiki."""


@main.command()
@config_option
def check(config_file: str | None) -> None:
    """Validate the wiki as `mkdocs build --strict` would: exit 1 on any error or warning, 2 when
    the configuration cannot be used."""
    try:
        wiki = read_wiki_config(Path(config_file) if config_file else None)
    except NoPlugin as error:  # mkdocs build passes: so does check, saying why
        click.echo(f"{error}: nothing to check")
        return
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None
    if not wiki.enabled:  # mkdocs build passes: so does check, saying why
        click.echo(f"{wiki.config_file}: the postmortems plugin is disabled (enabled: false): nothing to check")
        return
    _fixed(wiki)
    collection, found = load_wiki(wiki)
    warnings = list(wiki.warnings) + [message for message in [_folder_warning(wiki)] if message]
    site_errors, figure_warnings = _site_problems(wiki, collection)
    warnings += figure_warnings
    for message in warnings:
        click.echo(f"warning: {message}", err=True)
    for problem in collection.problems:
        prefix = "error" if problem.is_error else "warning"
        click.echo(f"{prefix}: {problem}", err=True)
    for message in site_errors:
        click.echo(f"error: {message}", err=True)
    for skipped in found.skipped:
        click.echo(f"skipped: {_display(skipped.path, wiki.root)} ({skipped.reason})", err=True)
    errors, warned = len(collection.errors) + len(site_errors), len(collection.warnings) + len(warnings)
    summary = f"{len(collection.incidents)} incidents valid, {errors} errors, {warned} warnings"
    if collection.left_out:
        summary += f"; left out of the wiki: {', '.join(collection.left_out)}"
    if found.skipped:
        summary += f"; {len(found.skipped)} skipped (not incidents)"
    click.echo(summary)
    sys.exit(1 if errors or warned else 0)


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print uptime.json instead of a table.")
def stats(config_file: str | None, as_json: bool) -> None:
    """Print the uptime figures (the same numbers as the site's uptime.json); exit 1 while any incident
    file is invalid (the figures then count it as its worst case, or cannot count it)."""
    from .stats_table import table

    wiki = _config(config_file)
    settings = _fixed(wiki)
    for message in wiki.warnings:
        click.echo(f"warning: {message}", err=True)
    collection, _found = load_wiki(wiki)
    for problem in collection.problems:
        click.echo(f"{'error' if problem.is_error else 'warning'}: {problem}", err=True)
    try:
        report = _report(collection, settings)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(table(report))
    if not report.complete:
        for line in report.caveats():
            click.echo(line, err=True)
        sys.exit(1)


@main.command()
@config_option
def schema(config_file: str | None) -> None:
    """Print the JSON Schema of incident frontmatter, for editors."""
    if config_file is None and find_config_file() is None:
        click.echo(f"note: no {' or '.join(CONFIG_FILES)} here: the schema uses the default options", err=True)
        settings = Settings()
    else:
        settings = _config(config_file).settings
    click.echo(json.dumps(schema_module.frontmatter_schema(settings), indent=2))


@main.command()
@click.argument("title")
@click.option("-s", "--service", "services", multiple=True, help="An affected service (repeat for more).")
@click.option("--severity", default=None, help="Severity (default: the least severe configured).")
@click.option("--started", default=None, help="Start of impact, e.g. '2013-07-12 02:10' (default: now).")
@config_option
def new(title: str, services: tuple[str, ...], severity: str | None, started: str | None, config_file: str | None) -> None:
    """Write incidents/YYYY-MM-DD-slug.md from the new-incident template."""
    from .scaffold import scaffold

    wiki = _config(config_file)
    try:
        path = scaffold(wiki, title, list(services), severity, started)
    except (ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {path}")


def _display(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else path.as_posix()


def _pairs(option: str, items: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for item in items:
        old, equals, new = item.partition("=")
        if not equals or not old.strip() or not new.strip():
            raise click.BadParameter(f"{item!r} should be OLD=NEW", param_hint=option)
        pairs[old.strip()] = new.strip()
    return pairs


@main.command("import")
@click.argument("source", type=click.Choice(["statuspage", "upptime", "csv"]))
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write the incident files here (default: the wiki's incidents_dir).")
@click.option("--service-map", "service_map", multiple=True, metavar="OLD=NEW",
              help="Rename a component or site to the wiki's service name (repeat for more).")
@click.option("--column", "columns", multiple=True, metavar="FIELD=HEADER",
              help="csv: the column holding a field (title, started, resolved, services, severity, "
                   "downtime_minutes, cause, summary, id, url).")
@click.option("--update", "refresh", is_flag=True,
              help="Refresh incidents imported before, in the fields nobody has edited since.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@config_option
def import_(source: str, file: str, out_dir: str | None, service_map: tuple[str, ...], columns: tuple[str, ...],
            refresh: bool, dry_run: bool, config_file: str | None) -> None:
    """Import incidents from Statuspage (its API v2 JSON), Upptime (`gh issue list --json ...`) or a CSV
    spreadsheet: one incident file each, checked before any is written. Re-running leaves imported
    incidents alone (--update refreshes what nobody has edited)."""
    from .importers import BadInput, read
    from .importers import writing

    mapping, column_map = _pairs("--service-map", service_map), _pairs("--column", columns)
    if out_dir is not None and config_file is None and find_config_file() is None:
        click.echo(f"note: no {' or '.join(CONFIG_FILES)} here: the default options apply (time zone UTC, "
                   "severities SEV1..SEV4)", err=True)
        settings, scan, base = Settings(), [], Path.cwd()
    else:
        wiki = _config(config_file)
        settings, scan, base = wiki.settings, [wiki.incidents_dir], wiki.root
    target = Path(out_dir).resolve() if out_dir is not None else scan[0]
    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as error:
        raise click.ClickException(f"{file}: cannot be read: {error.strerror}") from None
    name = "standard input" if file == "-" else file
    try:
        reading = read(source, raw, name, settings.tz, settings.severities, column_map, mapping)
        planned = writing.plan(reading.drafts, settings, target, scan, refresh)
    except BadInput as error:
        raise click.ClickException(str(error)) from None
    problems = writing.problems(planned, settings, base)
    if problems:
        for line in problems:
            click.echo(f"error: {line}", err=True)
        raise click.ClickException(f"{len(problems)} problem(s) in the files to be written: nothing was written")

    click.echo(f"{source}: {reading.what} in {name}")
    for item in planned:
        shown = writing.display(item.path, base)
        label = item.draft.label
        if item.action == "left alone":
            click.echo(f"  left alone: {shown} ({label}: imported before; --update refreshes what nobody has edited)")
        elif item.action == "unchanged":
            line = f"  unchanged: {shown} ({label})"
            click.echo(line + (f"; kept as edited: {', '.join(item.kept)}" if item.kept else ""))
        elif item.action == "update":
            line = f"  {'would update' if dry_run else 'updated'}: {shown} ({label}): {', '.join(item.refreshed) or 'source record'}"
            click.echo(line + (f"; kept as edited: {', '.join(item.kept)}" if item.kept else ""))
        else:
            click.echo(f"  {'would write' if dry_run else 'new'}: {shown} ({label})")
    for line in reading.skipped:
        click.echo(f"  not imported: {line}")
    notes = [(item.draft.label, note) for item in planned if item.writes for note in item.draft.notes]
    if notes or reading.unmapped:
        click.echo("Not mapped as written (each note is in the incident's body):")
        for line in reading.unmapped:
            click.echo(f"  {line}")
        for label, note in notes:
            click.echo(f"  {label}: {note}")
    for old in reading.unmatched:
        click.echo(f"warning: --service-map {old}={mapping[old]}: no imported incident names {old!r}", err=True)
    writes = [item for item in planned if item.writes]
    if dry_run:
        for item in writes:
            click.echo("")
            click.echo(writing.preview(item, base), nl=False)
        click.echo(f"Dry run: {len(writes)} file(s) would be written; nothing was written.")
        return
    try:
        writing.write(planned)
    except OSError as error:
        raise click.ClickException(f"writing failed, nothing was kept: {error}") from None
    click.echo(f"Wrote {len(writes)} file(s).")
