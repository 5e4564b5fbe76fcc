"""The editors' workspace under /editor/, one module per part: the home page (workspace), upload, jobs,
a story, its transcript, its index (contents), keyword review, delete and restore (the trash), user accounts. `init_app` registers them all."""

from __future__ import annotations

from flask import Flask

from . import contents, jobs, keywords, story, transcript, trash, upload, users, workspace


def init_app(app: Flask) -> None:
    upload.init_app(app)
    for blueprint in (workspace.bp, upload.bp, jobs.bp, story.bp, transcript.bp, contents.bp, keywords.bp, trash.bp,
                      users.bp):
        app.register_blueprint(blueprint)
