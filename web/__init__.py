"""verhalen.web: the public viewer and the editors' workspace (Flask). Build it with `create_app(settings)`.

`create_app` is loaded on first use, so `verhalen` commands that never serve (they reach this package
through the `verhalen.commands` entry point) do not pay for importing Flask and every blueprint.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        return import_module(".app", __name__).create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
