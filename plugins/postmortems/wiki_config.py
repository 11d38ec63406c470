"""The plugin's options read from a wiki's mkdocs.yml, for the CLI (adapter side).

The options are checked with the plugin's own config class, so the CLI and
``mkdocs build`` accept and refuse exactly the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .options import PostmortemsConfig, prefix, settings_from
from .settings import Settings

PLUGIN = "postmortems"


@dataclass(frozen=True)
class WikiConfig:
    root: Path  # the folder of mkdocs.yml (or the working folder)
    incidents_dir: Path
    templates_dir: Path
    url_prefix: str
    settings: Settings


def read_wiki_config(config_file: Path | None = None) -> WikiConfig:
    """Options from ``config_file`` (default ``./mkdocs.yml`` when present, else defaults)."""
    if config_file is None:
        config_file = Path("mkdocs.yml") if Path("mkdocs.yml").exists() else None
    options: dict = {}
    root = Path.cwd()
    if config_file is not None:
        if not config_file.is_file():
            raise ValueError(f"{config_file}: no such file")
        root = config_file.resolve().parent
        options = _plugin_options(config_file)
    config = PostmortemsConfig(config_file_path=str(config_file) if config_file else None)
    config.load_dict(options)
    failed, _warnings = config.validate()
    if failed:
        lines = [f"{config_file}: plugins.{PLUGIN}.{key}: {error}" for key, error in failed]
        raise ValueError("\n".join(lines))
    return WikiConfig(
        root=root,
        incidents_dir=(root / config["incidents_dir"]).resolve(),
        templates_dir=(root / config["templates_dir"]).resolve(),
        url_prefix=prefix(config),
        settings=settings_from(config),
    )


def _plugin_options(config_file: Path) -> dict:
    from mkdocs.utils.yaml import yaml_load

    try:
        with config_file.open("rb") as stream:
            data = yaml_load(stream) or {}
    except Exception as error:  # a broken mkdocs.yml: say so in one line
        raise ValueError(f"{config_file}: cannot be read: {error}") from None
    plugins = data.get("plugins") or []
    if isinstance(plugins, dict):
        plugins = [{name: value} for name, value in plugins.items()]
    for entry in plugins:
        if entry == PLUGIN:
            return {}
        if isinstance(entry, dict) and PLUGIN in entry:
            return dict(entry[PLUGIN] or {})
    return {}
