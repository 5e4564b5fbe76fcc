"""Every error handler of the app, registered in one place (`register`), and the error page itself.

The core's errors carry their HTTP status (verhalen.errors); werkzeug's carry theirs. A person gets
the page in Dutch or English; a file URL (.json, .mp3, ...) gets a small JSON body instead.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from verhalen.errors import StaleVersion, VerhalenError

from .i18n import gettext as _

FILE_SUFFIXES = (".json", ".xml", ".vtt", ".srt", ".txt", ".mp3", ".opus", ".jpg", ".webp")


def error_page(status: int, detail: str):
    if request.path.endswith(FILE_SUFFIXES):
        return {"error": status}, status
    return render_template("error.html", status=status, detail=detail), status


def too_large_message(settings) -> str:
    return _("Dit bestand is te groot: het archief neemt opnames tot {mb} MB aan. "
             "Maak het kleiner (bijvoorbeeld als mp3) of vraag de beheerder de grens te verhogen.",
             mb=settings.max_upload_mb)


def register(app: Flask) -> None:
    settings = app.config["SETTINGS"]

    @app.errorhandler(VerhalenError)
    def _verhalen_error(e: VerhalenError):
        return error_page(e.http_status, str(e))

    @app.errorhandler(StaleVersion)
    def _stale(_e: StaleVersion):
        # Story changes (publish, access, consent) made from a page someone else changed since.
        return error_page(409, _("Iemand anders heeft dit verhaal gewijzigd nadat je de pagina opende. Jouw wijziging "
                                 "is niet bewaard: laad de pagina opnieuw en probeer het nog eens."))

    @app.errorhandler(CSRFError)
    def _csrf_error(_e: CSRFError):
        message = _("Dit formulier is verlopen of niet compleet. Laad de pagina opnieuw en probeer het nog eens.")
        if request.accept_mimetypes.best == "application/json":
            return {"error": message}, 400
        return error_page(400, message)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_e):
        return error_page(413, too_large_message(settings))

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        return error_page(e.code or 500, e.description or "")
