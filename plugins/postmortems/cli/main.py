"""The ``postmortems`` command: new, check, stats, schema, generate and import (an adapter over the core)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from .. import build
from ..incidents import schema as schema_module
from ..incidents.loader import Collection, Found, display_path, load_directory
from ..incidents.settings import AUDIENCE_VARIABLE, AUDIENCES, Settings
from ..mkdocs_plugin.options import templates_warning
from ..mkdocs_plugin.config import CONFIG_FILES, ConfigError, NoPlugin, WikiConfig, find_config_file, read_wiki_config


class ConfigProblem(click.ClickException):
    exit_code = 2  # the configuration cannot be used: nothing was checked


def _config(config_file: str | None) -> WikiConfig:
    try:
        return read_wiki_config(Path(config_file) if config_file else None)
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None


def _for(wiki: WikiConfig, audience: str | None) -> WikiConfig:
    """The wiki as built for ``audience`` (``--audience``; None: as its options and POSTMORTEMS_AUDIENCE say)."""
    return wiki if audience is None else replace(wiki, settings=replace(wiki.settings, audience=audience))


def _fixed(wiki: WikiConfig) -> Settings:
    """The settings with the as-of instant fixed, as the build fixes it."""
    try:
        return wiki.settings.fixed()
    except ValueError as error:
        raise ConfigProblem(f"postmortems: {error}") from None


def source_of(wiki: WikiConfig, layout=None, fixed: bool = True) -> build.Source:
    """What the application service needs of the configuration (the as-of instant fixed, as the build fixes it)."""
    return wiki.source(_fixed(wiki) if fixed else None, layout)


def load_wiki(wiki: WikiConfig) -> tuple[Collection, Found]:
    """The incidents as the build loads them."""
    loaded = build.load(source_of(wiki, fixed=False))
    return loaded.collection, loaded.found


def _folder_warning(wiki: WikiConfig) -> str | None:
    try:
        is_dir = wiki.incidents_dir.is_dir()
    except OSError:
        is_dir = False
    if is_dir:
        return None
    return f"incidents_dir '{wiki.incidents_option}' is not a folder ({wiki.incidents_dir}); the wiki has no incidents"


def _site_problems(wiki: WikiConfig, layout=None) -> tuple[list[str], list[str], build.Planned | None, list, dict]:
    """What the build would stop on (a template of yours that does not compile or fails while rendering;
    on the public site, a withheld value in a page: the leak check), and its warnings about the live
    figures in incident bodies and your pages (``{{ uptime("13d") }}`` with no such window); and for
    ``generate``: the planned wiki (made with ``layout``, default the site's), every page it renders as
    ``(uri, Rendered, in the nav)``, and your pages with their figures in place (None, [] and {} after
    an error)."""
    from ..site.figures import substitute
    from ..site.leaks import report as leak_report
    from ..site.wiki import TemplateProblem

    try:
        planned = build.plan(source_of(wiki, layout))
        site = planned.wiki
        # Every page the build renders, so a template of yours that fails only while rendering is found here too.
        rendered = [(site.incident_uri(incident), site.incident_page(incident), False)
                    for incident in planned.collection.incidents]
        rendered += [(item.uri, item.make(), item.nav) for item in site.plan()]
    except (TemplateProblem, ValueError) as error:
        return [str(error)], [], None, [], {}
    warnings = [str(problem) for problem in site.figure_problems()]  # in incident bodies
    written = [(uri, made.text) for uri, made, _nav in rendered]  # what the leak check reads
    written += [(uri, island.html) for uri, made, _nav in rendered for island in made.islands.values()]
    pages = {}
    for src_uri, path in wiki.pages:
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue  # MkDocs says so itself when it reads the page
        header, body = _split_meta(text)
        lines = header.count("\n")
        shown, problems = substitute("\n" * lines + body, site.report, display_path(path, wiki.root),
                                     layout=site.layout, page=src_uri)
        warnings += [str(problem) for problem in problems]
        if shown[lines:] != body:  # the meta block as written, then the page with its figures in place
            pages[src_uri] = header + shown[lines:]
        written.append((src_uri, header + shown[lines:]))
    leaks = site.leaks_in(written)  # the public site's leak check (none on the internal site)
    return [leak_report(leaks)] if leaks else [], warnings, planned, rendered, pages


def _split_meta(text: str) -> tuple[str, str]:
    """A page's YAML meta block (as written, '' when it has none) and its Markdown as MkDocs hands it
    to plugins."""
    from mkdocs.utils import meta

    body, _ = meta.get_data(text)
    return (text[:len(text) - len(body)], body) if body != text else ("", text)


config_option = click.option(
    "-f", "--config-file", type=click.Path(dir_okay=False), default=None,
    help=f"The wiki's config file (default: the first of {', '.join(CONFIG_FILES)} here).",
)


@click.group()
@click.version_option(package_name="mkdocs-postmortems")
def main() -> None:
    """Keep incident postmortems as Markdown and compile them into a wiki."""


audience_option = click.option(
    "--audience", type=click.Choice(AUDIENCES), default=None,
    help=f"The site to build: internal (the wiki) or public (the status page). Default: the audience option, "
         f"or {AUDIENCE_VARIABLE} when set.",
)


@main.command()
@config_option
@click.option("--quick", is_flag=True,
              help="Skip the strict build: incidents, options, templates and live figures only (links and the nav "
                   "of your own pages are then not checked).")
@audience_option
def check(config_file: str | None, quick: bool, audience: str | None) -> None:
    """Validate the wiki as `mkdocs build --strict` would: exit 1 on any error or warning, 2 when
    the configuration cannot be used. When everything the wiki itself checks is fine, a strict build
    into a temporary folder finds the rest (broken links in pages, the nav, MkDocs' own stops). For the
    public audience it lists what each incident publishes, and fails when a page holds a withheld value."""
    try:
        wiki = _for(read_wiki_config(Path(config_file) if config_file else None), audience)
    except NoPlugin as error:  # mkdocs build passes: so does check, saying why
        click.echo(f"{error}: nothing to check")
        return
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None
    if not wiki.enabled:  # mkdocs build passes: so does check, saying why
        click.echo(f"{wiki.config_file}: the postmortems plugin is disabled (enabled: false): nothing to check")
        return
    if _checked(wiki).failed:
        sys.exit(1)
    if quick or wiki.config_file is None or wiki.config_file.suffix == ".toml":
        return  # (zensical.toml: no MkDocs build reads it)
    problems = _strict_build(wiki.config_file, audience)
    for message in problems:
        click.echo(message, err=True)
    if problems:
        click.echo(f"mkdocs build --strict would fail: {len(problems)} problem(s) beyond the incidents")
        sys.exit(1)
    click.echo("mkdocs build --strict passes")


def _strict_build(config_file: Path, audience: str | None = None) -> list[str]:
    """What ``mkdocs build --strict`` of ``config_file`` says and where it stops, as ``check`` lines:
    it builds into a temporary folder, so what MkDocs alone finds (a broken link in a page, a nav entry
    to nothing, a page that is not UTF-8) fails ``check`` too. ``audience`` is passed on as
    POSTMORTEMS_AUDIENCE, as a CI job would (the public build runs the leak check on what it wrote)."""
    import logging
    import tempfile

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(f"{'error' if record.levelno >= logging.ERROR else 'warning'}: {record.getMessage()}")

    handler, logger = Collect(), logging.getLogger("mkdocs")
    logger.addHandler(handler)
    before = os.environ.get(AUDIENCE_VARIABLE)
    if audience is not None:
        os.environ[AUDIENCE_VARIABLE] = audience
    try:
        with tempfile.TemporaryDirectory(prefix="postmortems-check-") as site_dir:
            build(load_config(str(config_file), strict=True, site_dir=site_dir))
    except Abort as error:  # strict mode's own count, or MkDocs' stop after an error it logged
        if not messages:
            messages.append(f"error: {error}")
    except (MkDocsException, Exception) as error:  # MkDocs itself stops with a traceback on some inputs
        messages.append(f"error: mkdocs build stops: {type(error).__name__}: {error}")
    finally:
        logger.removeHandler(handler)
        if audience is not None:
            if before is None:
                os.environ.pop(AUDIENCE_VARIABLE, None)
            else:
                os.environ[AUDIENCE_VARIABLE] = before
    return messages


@dataclass
class Checked:
    """What ``check`` found (and said), and what ``generate`` goes on with."""

    failed: bool  # any error or warning
    collection: Collection
    site: object = None  # the Wiki, unless a template failed
    rendered: list = field(default_factory=list)  # every page the wiki makes: (uri, Rendered, in the nav)
    pages: dict = field(default_factory=dict)  # your pages whose live figures were replaced


def _checked(wiki: WikiConfig, layout=None) -> Checked:
    """Check the wiki and print what ``check`` prints: every problem and the summary line."""
    _fixed(wiki)
    warnings = list(wiki.warnings) + [message for message in [
        _folder_warning(wiki), templates_warning(wiki.templates_option, wiki.templates_dir)] if message]
    site_errors, figure_warnings, planned, rendered, pages = _site_problems(wiki, layout)
    if planned is not None:
        collection, found = planned.collection, planned.found
    else:  # the incidents as they load, for their own messages
        collection, found = load_wiki(wiki)
    warnings += figure_warnings
    for message in warnings:
        click.echo(f"warning: {message}", err=True)
    for problem in collection.problems:
        prefix = "error" if problem.is_error else "warning"
        click.echo(f"{prefix}: {problem}", err=True)
    for message in site_errors:
        click.echo(f"error: {message}", err=True)
    for skipped in found.skipped:
        click.echo(f"skipped: {display_path(skipped.path, wiki.root)} ({skipped.reason})", err=True)
    if wiki.settings.public:  # what the status page will show of each incident
        from ..incidents.visibility import describe, publications

        for publication in publications(collection.incidents, wiki.settings.internal_fields):
            click.echo(f"public: {describe(publication)}")
    errors, warned = len(collection.errors) + len(site_errors), len(collection.warnings) + len(warnings)
    summary = f"{len(collection.incidents)} incidents valid, {errors} errors, {warned} warnings"
    if collection.left_out:
        summary += f"; left out of the wiki: {', '.join(collection.left_out)}"
    if found.skipped:
        summary += f"; {len(found.skipped)} skipped (not incidents)"
    click.echo(summary)
    return Checked(bool(errors or warned), collection, planned.wiki if planned else None, rendered, pages)


@main.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="The folder to write: docs/ and mkdocs.yml for any Markdown site builder (Zensical).")
@config_option
@click.option("--watch", is_flag=True, help="Generate again whenever an incident, a template, a page or the config changes.")
@audience_option
def generate(out: str, config_file: str | None, watch: bool, audience: str | None) -> None:
    """Write the wiki as plain files (OUT/docs/ and OUT/mkdocs.yml, without the plugin) that any Markdown
    site builder can build: `cd OUT && zensical build`. Exit 1 on any error or warning (with the messages
    of `check`), 2 when the configuration or the folder cannot be used. For the public audience nothing is
    written when a file would hold a withheld value (the leak check)."""
    code = _generate(Path(out), config_file, audience)
    if not watch:
        sys.exit(code)
    _watch(Path(out), config_file, audience=audience)


def _generate(out: Path, config_file: str | None, audience: str | None = None) -> int:
    """Generate once; the exit code (0, 1 on errors or warnings, 2 when nothing could be generated)."""
    from . import generate as gen
    from ..site.layout import Layout
    from ..mkdocs_plugin.config import raw_config

    try:
        wiki = _for(read_wiki_config(Path(config_file) if config_file else None), audience)
        if not wiki.enabled:
            raise ConfigError(f"{wiki.config_file}: the postmortems plugin is disabled (enabled: false): nothing to generate")
        refused = gen.refusal(out, root=wiki.root, docs_dir=wiki.docs_dir, folders=[wiki.incidents_dir, wiki.templates_dir])
        if refused:
            raise ConfigError(refused)
        raw = raw_config(wiki.config_file)
        wiki.settings.fixed()  # an impossible as_of or SOURCE_DATE_EPOCH: nothing can be generated
    except ConfigError as error:
        click.echo(f"Error: {error}", err=True)
        return 2
    except ValueError as error:
        click.echo(f"Error: postmortems: {error}", err=True)
        return 2
    layout = Layout(wiki.layout.prefix, wiki.layout.directory_urls, source_links=True)
    checked = _checked(wiki, layout)
    site = checked.site
    if site is None:  # a template does not compile: nothing is written
        return 1
    macros = "macros" in wiki.plugin_names
    own = {src_uri for src_uri, _path in wiki.docs_files}
    files: dict[str, str | Path] = {}
    for src_uri, path in wiki.docs_files:
        files[src_uri] = checked.pages.get(src_uri, path)
    outside, inside = [], []
    for uri, content in gen.wiki_files(checked.rendered, macros=macros):
        if uri in own and uri.endswith(".md"):
            click.echo(f"docs/{uri} is your own page; the generated one is not used")  # as the plugin says
            continue
        files[uri] = content
    nav = {uri for uri, _made, in_nav in checked.rendered if in_nav}
    for uri in files:
        if uri.endswith(".md") and uri not in own:
            (inside if uri in nav else outside).append(uri)
    if leaks := site.leaks_in(_texts(files.items())):  # what the public site would publish: nothing withheld
        from ..site.leaks import report as leak_report

        click.echo(f"error: {leak_report(leaks)}", err=True)
        click.echo(f"Nothing was written to {out}.")
        return 1
    config = gen.derived_config(raw, root=wiki.root, out=out.resolve(),
                                not_in_nav=gen.not_in_nav(outside, inside, [uri for uri in own if uri.endswith(".md")]))
    beside = gen.feed_override(config, site.feed_title(), site.layout.feed)
    written = gen.write(out, files.items(), gen.dump_yaml(config), beside)
    click.echo(f"Wrote {out}: {written.pages} pages and {written.files} files in {out / gen.DOCS}, and "
               f"{out / gen.CONFIG} ({written.changed} written, {written.removed} removed)")
    return 1 if checked.failed else 0


def _texts(files):
    """``(source path, text)`` of the files ``generate`` writes that the leak check reads."""
    from ..site.leaks import SCANNED

    for uri, content in files:
        if uri.lower().endswith(SCANNED):
            try:
                yield uri, content if isinstance(content, str) else Path(content).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue


def _watch(out: Path, config_file: str | None, interval: float = 0.3, audience: str | None = None) -> None:
    """Generate again whenever a file the wiki reads changes, until interrupted."""
    import time

    watched = _watched(config_file)
    seen = _state(watched)
    click.echo("Watching the incidents, templates, pages and configuration (Ctrl-C stops)")
    try:
        while True:
            time.sleep(interval)
            if _state(watched) == seen:
                continue
            time.sleep(interval)  # let an editor finish writing
            try:
                _generate(out, config_file, audience)
            except Exception as error:  # noqa: BLE001 (keep watching: the next change may fix it)
                click.echo(f"error: {type(error).__name__}: {error}", err=True)
            watched = _watched(config_file)  # the folders may have moved with the configuration
            seen = _state(watched)
    except KeyboardInterrupt:
        return


def _watched(config_file: str | None) -> list[Path]:
    """What ``--watch`` watches: the config file, and the incidents,
    templates and docs_dir folders (those next to it when the configuration cannot be read now)."""
    from ..mkdocs_plugin.config import find_config_file

    path = Path(config_file) if config_file else find_config_file()
    if path is None:
        return [Path.cwd()]
    root = path.resolve().parent
    try:
        wiki = read_wiki_config(path)
        folders = [wiki.incidents_dir, wiki.templates_dir, wiki.docs_dir]
    except ConfigError:
        folders = [root / "incidents", root / "templates", root / "docs"]
    return [path, *folders]


def _state(paths: list[Path]) -> frozenset:
    """Every file under ``paths``, with its size and time of change (folders made or deleted count too)."""
    found = set()
    for path in paths:
        found |= _files_under(path)
    return frozenset(found)


def _files_under(top: Path) -> set:
    try:
        stat = top.stat()
    except OSError:
        return {(str(top), None)}
    if not top.is_dir():
        return {(str(top), stat.st_mtime_ns, stat.st_size)}
    found = set()
    for folder, dirs, names in os.walk(top, followlinks=True):
        for name in names:
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            found.add((path, stat.st_mtime_ns, stat.st_size))
    return found


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print uptime.json instead of a table.")
@audience_option
def stats(config_file: str | None, as_json: bool, audience: str | None) -> None:
    """Print the uptime figures (the same numbers as the site's uptime.json); exit 1 while any incident
    file is invalid (the figures then count it as its worst case, or cannot count it). The figures are
    the same for both audiences; the public uptime.json counts withheld causes as `not public`."""
    from .stats_table import table

    wiki = _for(_config(config_file), audience)
    source = source_of(wiki)
    for message in wiki.warnings:
        click.echo(f"warning: {message}", err=True)
    loaded = build.load(source)
    for problem in loaded.collection.problems:
        click.echo(f"{'error' if problem.is_error else 'warning'}: {problem}", err=True)
    try:  # uptime.json is the wiki's own (on the public site, withheld causes as `not public`)
        planned = build.plan(source, check_templates=False, loaded=loaded)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    report = planned.report
    if as_json:
        click.echo(json.dumps(planned.wiki.uptime_document, indent=2, ensure_ascii=False))
    else:
        click.echo(table(report))
    if not report.complete:
        for line in report.caveats():
            click.echo(line, err=True)
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the backlog as JSON (see README, 'How we run postmortems').")
@click.option("--fail-on-overdue", is_flag=True, help="Exit 1 when any required postmortem is overdue (for a scheduled CI job).")
@config_option
def backlog(as_json: bool, fail_on_overdue: bool, config_file: str | None) -> None:
    """Print the postmortem backlog: required postmortems missing or overdue (overdue first), drafts and
    reviews with their age, and published postmortems with action items past due. Exit 0, or 1 with
    --fail-on-overdue when anything is overdue; 2 when the configuration cannot be used."""
    wiki = _config(config_file)
    try:
        planned = build.plan(source_of(wiki), check_templates=False)  # the backlog renders no page
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    collection, site = planned.collection, planned.wiki
    if collection.left_out:
        click.echo(f"warning: {len(collection.left_out)} incident file(s) left out (run postmortems check): "
                   f"{', '.join(collection.left_out)}", err=True)
    found = site.backlog
    if as_json:
        click.echo(json.dumps(found.to_json(site.layout), indent=2, ensure_ascii=False))
    else:
        click.echo(_backlog_text(found))
    if fail_on_overdue and found.overdue:
        sys.exit(1)


def _backlog_text(found) -> str:
    lines = [f"Postmortem backlog as of {found.today.isoformat()}: {found.overdue} overdue, {found.count} in all"]
    if found.policy is None:
        lines.append("(no require_postmortem policy: nothing is required)")
    for entry in found.required:
        late = f"overdue by {entry.days_overdue} day(s)" if entry.state == "overdue" else "missing"
        lines.append(f"  {late}: {entry.incident.file} ({entry.incident.postmortem_status}, due {entry.due.isoformat()}, "
                     f"{entry.age_days} days old; required: {', '.join(entry.reasons)})")
    for entry in found.drafts:
        reviewers = entry.incident.postmortem.reviewers
        lines.append(f"  {entry.state}: {entry.incident.file} ({entry.age_days} days old"
                     f"{'; reviewers: ' + ', '.join(reviewers) if reviewers else ''})")
    for entry in found.actions:
        for item in entry.items:
            lines.append(f"  action item past due: {entry.incident.file}: {item.title} (due {item.due.isoformat()}"
                         f"{', ' + item.owner if item.owner else ''})")
    return "\n".join(lines)


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
@click.argument("title", required=False)
@click.option("-s", "--service", "services", multiple=True, help="An affected service (repeat for more).")
@click.option("--severity", default=None, help="Severity: one of the wiki's severities.")
@click.option("--started", default=None, help="Start of impact, e.g. '2013-07-12 02:10', or 'now'.")
@config_option
def new(title: str | None, services: tuple[str, ...], severity: str | None, started: str | None,
        config_file: str | None) -> None:
    """Write incidents/YYYY-MM-DD-slug.md from the new-incident template. The title, the services, the
    severity and the start of impact are needed: in a terminal, what is not given is asked for; else
    each one missing is an error."""
    from ..site.scaffold import scaffold

    wiki = _config(config_file)
    given = {"title": title, "services": list(services), "severity": severity, "started": started}
    if _interactive():
        given = _ask(given, wiki.settings)
    missing = [flag for key, flag in (("title", "TITLE"), ("services", "-s/--service"), ("severity", "--severity"),
                                      ("started", "--started")) if not given[key]]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)}: postmortems new cannot guess them (run it in a "
                               "terminal to be asked, or give them; --started now for the current minute)")
    try:
        path = scaffold(wiki, given["title"], given["services"], given["severity"], given["started"])
    except (ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {path}")


def _interactive() -> bool:
    """Whether someone can answer questions: standard input and output are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask(given: dict, settings: Settings) -> dict:
    """Ask for what ``new`` was not given, each answer checked as the file will be."""
    from ..incidents.catalog import unknown
    from ..site.scaffold import started_instant

    catalog = settings.services
    answers = dict(given)

    def services(text: str) -> list[str]:
        names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
        if not names:
            raise click.BadParameter("name at least one service")
        for name in names:
            if catalog is not None and name not in {service.name for service in catalog}:
                raise click.BadParameter(f"{name!r} {unknown(name, catalog)}")
        return names

    def moment(text: str) -> str:
        try:
            started_instant(text, settings.tz)
        except ValueError as error:
            raise click.BadParameter(f"started {error}") from None
        return text.strip()

    if not answers["title"]:
        answers["title"] = click.prompt("Title", value_proc=lambda text: text.strip() or _refuse("the title is empty"))
    if not answers["services"]:
        listed = f" ({', '.join(service.name for service in catalog)})" if catalog else ""
        answers["services"] = click.prompt(f"Services, separated by commas{listed}", value_proc=services)
    if not answers["severity"]:
        answers["severity"] = click.prompt("Severity", type=click.Choice(settings.severities))
    if not answers["started"]:
        answers["started"] = click.prompt(f"Started (YYYY-MM-DD HH:MM in {settings.timezone}, or now)", default="now",
                                          value_proc=moment)
    return answers


def _refuse(message: str):
    raise click.BadParameter(message)


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
    from ..importers import BadInput, read
    from ..importers import writing

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
        known = [service for folder in scan for incident in load_directory(folder, settings, base).incidents
                 for service in incident.services]
        reading = read(source, raw, name, settings.tz, settings.severities, column_map, mapping, known)
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
