"""The MkDocs plugin: a front end over the core (the only package that imports MkDocs, with the CLI)."""
