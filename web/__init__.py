"""verhalen.web: the public viewer (Flask). Build it with `create_app(settings)`."""

from .app import create_app

__all__ = ["create_app"]
