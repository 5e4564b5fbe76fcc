"""The app's shared objects, in one home: the archive, the job queue and the sign-in limiter.

They live in `current_app.extensions` (set by create_app and auth.init_app), so a blueprint
asks this module for them and never imports the app factory back.
"""

from __future__ import annotations

from flask import current_app

from verhalen import jobs
from verhalen.archive import Archive


def get_archive() -> Archive:
    return current_app.extensions["verhalen_archive"]


def get_huey():
    """The job queue of this app's archive (made on first use)."""
    huey = current_app.extensions.get("verhalen_huey")
    if huey is None:
        huey = current_app.extensions["verhalen_huey"] = jobs.make_huey(current_app.config["SETTINGS"])
    return huey


def get_limiter():
    """The sign-in limiter (web/auth.py FailureLimiter)."""
    return current_app.extensions["verhalen_login_limiter"]
