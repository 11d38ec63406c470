"""The ``postmortems`` command and ``generate``: a front end over the core."""
