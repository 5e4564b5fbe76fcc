"""One exception family for everything a user can act on.

Each error carries the CLI exit code and the HTTP status it maps to, so the
CLI (`verhalen.cli.main`) and the web app each translate it in one place.
Messages name the file or thing and the problem; no tracebacks for users.
"""


class VerhalenError(Exception):
    exit_code = 1
    http_status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(VerhalenError):
    """The command was called wrongly (bad option value, missing argument)."""

    exit_code = 2
    http_status = 400


class UnsupportedMedia(VerhalenError):
    """A file is not decodable audio/video (or not an image, for portraits)."""

    exit_code = 3
    http_status = 415


class NotFound(VerhalenError):
    exit_code = 4
    http_status = 404


class Duplicate(VerhalenError):
    """The same original is already in the archive."""

    exit_code = 5
    http_status = 409

    def __init__(self, message: str, slug: str):
        super().__init__(message)
        self.slug = slug


class QueryError(VerhalenError):
    """A search query cannot be understood."""

    exit_code = 6
    http_status = 400


class ArchiveError(VerhalenError):
    """The archive home cannot be used (unwritable, corrupt, locked)."""

    exit_code = 7
    http_status = 503


class ModelError(VerhalenError):
    """The transcription model is missing, incomplete or corrupt."""

    exit_code = 8
    http_status = 503


class Conflict(VerhalenError):
    exit_code = 9
    http_status = 409


class StaleVersion(Conflict):
    """A save based on a version of a passage that someone else has changed since."""
