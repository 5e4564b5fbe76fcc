"""Every error handler of the app, registered in one place (`register`), and the error page itself.

The core's errors carry their HTTP status (verhalen.errors) and an English message, shown in the page's
language by web/core_messages.py; werkzeug's carry their status, and their own English only where we gave
none (then a text of ours stands in). A person gets the page in Dutch or English; a file URL (.json, .mp3,
...) gets a small JSON body instead. A 404 says what is missing only in the workspace: public pages give
a missing and a hidden story the same answer (web/queries.py).
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from verhalen.errors import StaleVersion, VerhalenError

from . import core_messages
from .i18n import gettext as _

FILE_SUFFIXES = (".json", ".xml", ".vtt", ".srt", ".txt", ".mp3", ".opus", ".jpg", ".webp")


def error_page(status: int, detail: str):
    if request.path.endswith(FILE_SUFFIXES):
        return {"error": status}, status
    if status == 404 and not (request.blueprint or "").startswith("editor"):
        detail = ""
    return render_template("error.html", status=status, detail=detail), status


# What a werkzeug error says when the code gave it no words of its own (its default is English).
HTTP_TEXTS = {
    400: lambda: _("Dit verzoek kunnen we niet lezen. Laad de pagina opnieuw en probeer het nog eens."),
    403: lambda: _("Je hebt geen toegang tot deze pagina."),
    405: lambda: _("Deze pagina kan dat niet. Gebruik de knoppen en formulieren op de site."),
}


def too_large_message(settings) -> str:
    return _("Dit bestand is te groot: het archief neemt opnames tot {mb} MB aan. "
             "Maak het kleiner (bijvoorbeeld als mp3) of vraag de beheerder de grens te verhogen.",
             mb=settings.max_upload_mb)


def register(app: Flask) -> None:
    settings = app.config["SETTINGS"]

    @app.errorhandler(VerhalenError)
    def _verhalen_error(e: VerhalenError):
        return error_page(e.http_status, core_messages.text(e))

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
        detail = e.description or ""
        if detail == type(e).description:
            detail = HTTP_TEXTS[e.code]() if e.code in HTTP_TEXTS else ""
        return error_page(e.code or 500, detail)
