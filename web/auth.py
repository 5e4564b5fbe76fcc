"""Sign-in for the workspace: secret key, cookies, Flask-Login, CSRF on every POST, a login rate limit.

`init_app` wires it all into the app; `require_roles(bp, ...)` guards a blueprint:
anonymous visitors go to /login, signed-in users without the role get 403.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import delete, func, select

from verhalen import catalog, users
from verhalen.catalog import LoginFailure, User

from .app import get_archive
from .i18n import gettext as _

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()

# Failed logins allowed per window: per address, and per address + user name.
WINDOW_SECONDS = 600
MAX_FAILURES_PER_ADDRESS = 20
MAX_FAILURES_PER_NAME = 5


class WebUser(UserMixin):
    """The signed-in user as the web sees it: plain values, no catalog session attached."""

    def __init__(self, id: int, name: str, role: str, password_hash: str):
        self.id, self.name, self.role = id, name, role
        # A password change (or a disabled account) ends every session: the id carries a hash fragment.
        self._stamp = hashlib.sha256(password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self._stamp}"

    @classmethod
    def from_row(cls, row: User) -> "WebUser":
        return cls(row.id, row.name, row.role, row.password_hash)


class FailureLimiter:
    """Counts failed logins per address and per (address, name) in a sliding window.

    Kept in the catalog, not in memory: `verhalen serve --processes N` (or several
    machines on one PostgreSQL catalog) would otherwise allow N times the attempts.
    """

    def __init__(self, archive, window: float = WINDOW_SECONDS):
        self.archive = archive
        self.window = dt.timedelta(seconds=window)

    def blocked(self, address: str, name: str) -> bool:
        since = catalog.now() - self.window
        with self.archive.session() as s:
            per_address = s.scalar(select(func.count()).select_from(LoginFailure).where(
                LoginFailure.address == address, LoginFailure.at > since))
            if per_address >= MAX_FAILURES_PER_ADDRESS:
                return True
            per_name = s.scalar(select(func.count()).select_from(LoginFailure).where(
                LoginFailure.address == address, LoginFailure.name == name.lower(), LoginFailure.at > since))
            return per_name >= MAX_FAILURES_PER_NAME

    def failed(self, address: str, name: str) -> None:
        with self.archive.session() as s:
            # Old attempts go as new ones come, so the table stays the size of one window.
            s.execute(delete(LoginFailure).where(LoginFailure.at < catalog.now() - self.window))
            s.add(LoginFailure(address=address[:100], name=name.lower()[:200]))
            s.commit()

    def succeeded(self, address: str, name: str) -> None:
        with self.archive.session() as s:
            s.execute(delete(LoginFailure).where(LoginFailure.address == address,
                                                 LoginFailure.name == name.lower()[:200]))
            s.commit()


def secret_key(home: Path) -> bytes:
    """The app's secret key from home/secret_key (mode 600), made once with the archive."""
    path = home / "secret_key"
    if not path.exists():
        tmp = home / f".secret_key.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic: two processes starting at once agree on one key
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip().encode()


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.config.update(
        SECRET_KEY=secret_key(settings.home),
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure,
        WTF_CSRF_TIME_LIMIT=None,  # valid for the whole session: an editor may keep a transcript open for hours
    )
    csrf.init_app(app)
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = None
    manager.session_protection = "basic"
    app.extensions["verhalen_login_limiter"] = FailureLimiter(app.extensions["verhalen_archive"])

    @manager.user_loader
    def _load(user_id: str):
        ident, _, stamp = user_id.partition(":")
        if not ident.isdigit():
            return None
        with get_archive().session() as s:
            row = s.get(User, int(ident))
            if row is None or not row.active:
                return None
            user = WebUser.from_row(row)
        return user if hmac.compare_digest(user.get_id(), user_id) else None

    @app.errorhandler(CSRFError)
    def _csrf_error(e: CSRFError):
        from .app import _error_page

        message = _("Dit formulier is verlopen of niet compleet. Laad de pagina opnieuw en probeer het nog eens.")
        if request.accept_mimetypes.best == "application/json":
            return {"error": message}, 400
        return _error_page(400, message)

    app.register_blueprint(bp)


def require_roles(blueprint: Blueprint, *roles: str) -> None:
    """Every route of `blueprint`: anonymous -> /login, a signed-in user without one of `roles` -> 403."""

    @blueprint.before_request
    def _guard():
        if not current_user.is_authenticated:
            from flask import current_app

            return current_app.login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403, _("Je account heeft geen toegang tot dit deel van het archief."))
        return None


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes to the workspace home."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("editor.home") if current_user.is_authenticated and current_user.role != "researcher" \
        else url_for("public.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, name = None, ""
    status = 200
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        password = request.form.get("password") or ""
        limiter: FailureLimiter = get_limiter()
        address = request.remote_addr or "?"
        if limiter.blocked(address, name):
            error, status = _("Te veel mislukte pogingen. Wacht tien minuten en probeer het dan opnieuw."), 429
        else:
            with get_archive().session() as s:
                row = users.authenticate(s, name, password)
                user = WebUser.from_row(row) if row else None
            if user is None:
                limiter.failed(address, name)
                error, status = _("Naam of wachtwoord klopt niet."), 401
            else:
                limiter.succeeded(address, name)
                session.clear()  # no session fixation: a fresh session for the signed-in user
                login_user(user)
                flash(_("Je bent ingelogd als {name}.", name=user.name))
                return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error, name=name), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("Je bent uitgelogd."))
    return redirect(url_for("public.home"))


def get_limiter() -> FailureLimiter:
    from flask import current_app

    return current_app.extensions["verhalen_login_limiter"]
