"""CLI verbs for the viewer (serve, person). Registered on the main group by cli.py."""


def register(cli) -> None:
    """Add the viewer's commands to the `verhalen` group."""
