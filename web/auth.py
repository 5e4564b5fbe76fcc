"""Sign-in for the workspace: secret key, cookies, Flask-Login, CSRF on every POST, a login rate limit.

`init_app` wires it all into the app; `require_roles(bp, ...)` guards a blueprint:
anonymous visitors go to /login, signed-in users without the role get 403.

Sessions live in the catalog (verhalen.users, `user_sessions`): the signed cookie
carries a random session token and a stamp of the password hash, and counts only
while its row exists, is used within `session_idle_minutes` and is younger than
`session_max_hours`. Logout deletes the row, so a copied cookie is dead everywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import math
import os
import secrets
import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from verhalen import catalog, users
from verhalen.catalog import LoginFailure, User
from verhalen.settings import Settings

from .context import get_archive, get_limiter
from .i18n import gettext as _

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()

# A browser that signed in to an account before keeps a signed mark of it in this cookie (path /login
# only), which exempts it from that account's account-wide pause: see FailureLimiter.
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_DAYS = 90


class WebUser(UserMixin):
    """The signed-in user as the web sees it: plain values, no catalog session attached."""

    def __init__(self, id: int, name: str, role: str, password_hash: str, session_token: str):
        self.id, self.name, self.role = id, name, role
        self.session_token = session_token
        # A password change ends every session (the catalog's trigger deletes the rows; the stamp
        # is a second lock on the same door in case a row survives).
        self._stamp = _stamp(password_hash)

    def get_id(self) -> str:
        return f"{self.session_token}:{self._stamp}"

    @classmethod
    def from_row(cls, row: User, session_token: str) -> "WebUser":
        return cls(row.id, row.name, row.role, row.password_hash, session_token)


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _lifetimes(settings: Settings) -> tuple[dt.timedelta, dt.timedelta]:
    """(idle, absolute) session lifetimes from the settings; at least a minute and an hour."""
    return (dt.timedelta(minutes=max(1, settings.session_idle_minutes)),
            dt.timedelta(hours=max(1, settings.session_max_hours)))


def address_key(address: str) -> str:
    """The address the sign-in limits count: IPv6 by its /64 (one household or server gets a
    whole /64, so counting single IPv6 addresses would give an attacker billions of tries)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:100]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class FailureLimiter:
    """Counts failed sign-ins in a sliding window, three ways, and pauses when one is full:

    - per address and account: half the account limit (default 5), the strictest, so one machine
      guessing one password is stopped first;
    - per address, for any account: `login_max_failures_per_address` (50), against one machine
      trying many accounts; it no longer pauses every account at once at 20, which behind a
      reverse proxy (one address for everyone, see docs/deployment.md) locked out all editors;
    - per account, from any address: `login_max_failures_per_account` (10), against guessing from
      many machines. Its cost: anyone can pause one account by failing on purpose. So a browser that
      signed in to that account before (the known-device cookie) is exempt from this one limit; it
      stays under the other two. The editor at their own computer is not locked out by a stranger.

    Kept in the catalog, not in memory: `verhalen serve --processes N` (or several machines on one
    PostgreSQL catalog) would otherwise allow N times the attempts. Names are counted by
    `User.key_for`, whether or not the account exists (a pause says nothing about that).
    """

    def __init__(self, archive, settings: Settings):
        self.archive = archive
        self.window = dt.timedelta(seconds=max(1, settings.login_window_seconds))
        self.per_account = max(1, settings.login_max_failures_per_account)
        self.per_address = max(1, settings.login_max_failures_per_address)
        self.per_address_and_account = max(1, self.per_account // 2)

    def blocked(self, address: str, name: str, known_device: bool = False) -> bool:
        address, key = address_key(address), User.key_for(name)[:200]
        since = catalog.now() - self.window
        with self.archive.session() as s:
            def count(*where) -> int:
                return s.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.at > since, *where))

            if count(LoginFailure.address == address) >= self.per_address:
                return True
            if count(LoginFailure.address == address, LoginFailure.name == key) >= self.per_address_and_account:
                return True
            return not known_device and count(LoginFailure.name == key) >= self.per_account

    def failed(self, address: str, name: str) -> None:
        with self.archive.session() as s:
            # Old attempts go as new ones come, so the table stays the size of one window.
            s.execute(delete(LoginFailure).where(LoginFailure.at < catalog.now() - self.window))
            s.add(LoginFailure(address=address_key(address), name=User.key_for(name)[:200]))
            s.commit()

    def succeeded(self, address: str, name: str) -> None:
        # Only this address's failures for the account: a success must not wipe what strangers
        # elsewhere tried against it.
        with self.archive.session() as s:
            s.execute(delete(LoginFailure).where(LoginFailure.address == address_key(address),
                                                 LoginFailure.name == User.key_for(name)[:200]))
            s.commit()


def secret_key(settings) -> bytes:
    """The app's secret key from home/secret_key (mode 600), made once with the archive."""
    path = settings.secret_key_file
    if not path.exists():
        tmp = path.with_name(f".secret_key.{secrets.token_hex(4)}")
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
        SECRET_KEY=secret_key(settings),
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
    app.extensions["verhalen_login_limiter"] = FailureLimiter(app.extensions["verhalen_archive"], settings)

    @manager.user_loader
    def _load(user_id: str):
        # "token:stamp"; anything else (a cookie from before migration 0007: "id:stamp") is no session.
        token, sep, _stamp = user_id.rpartition(":")
        if not sep or len(token) < 32:
            return None
        with get_archive().session() as s:
            row = users.session_user(s, token, *_lifetimes(current_app.config["SETTINGS"]))
            if row is None:
                return None
            user = WebUser.from_row(row, token)
            if not hmac.compare_digest(user.get_id(), user_id):
                users.end_session(s, token)
                return None
        return user

    app.register_blueprint(bp)


def require_roles(blueprint: Blueprint, *roles: str) -> None:
    """Every route of `blueprint`: anonymous -> /login, a signed-in user without one of `roles` -> 403."""

    @blueprint.before_request
    def _guard():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403, _("Je account heeft geen toegang tot dit deel van het archief."))
        return None


def _is_local_path(target: str | None) -> bool:
    r"""A path on this site, safe to put in a Location header: starts with one `/`, no scheme or host,
    no backslash (browsers read `/\evil` as `//evil`), no control or format characters (CR/LF would
    split the header; browsers drop tabs and newlines from URLs, so `/\t/evil` is `//evil` to them)."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(unicodedata.category(c)[0] == "C" for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes to the workspace home."""
    if _is_local_path(target):
        return target
    return url_for("editor.home") if current_user.is_authenticated and current_user.role != "researcher" \
        else url_for("public.home")


def client_address() -> str:
    """The client's address: the connection's, or the one a trusted proxy reports (ProxyFix in
    web/app.py when `trusted_proxy_hops` is set; X-Forwarded-For is ignored otherwise)."""
    return request.remote_addr or "?"


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="verhalen.known-device")


def _device_mark(row: User) -> str:
    # Opaque (reveals no name) and tied to the password: a new password forgets the old devices,
    # so a stolen cookie stops helping once the password is changed.
    return hmac.new(current_app.secret_key, f"{row.id}:{row.password_hash}".encode(), "sha256").hexdigest()[:32]


def _known_marks() -> list[str]:
    try:
        marks = _devices().loads(request.cookies.get(KNOWN_DEVICE_COOKIE, ""), max_age=KNOWN_DEVICE_DAYS * 86400)
    except BadData:
        return []
    return [m for m in marks if isinstance(m, str)] if isinstance(marks, list) else []


def _is_known_device(name: str) -> bool:
    if KNOWN_DEVICE_COOKIE not in request.cookies:
        return False
    with get_archive().session() as s:
        row = users.find(s, name)
        mark = _device_mark(row) if row is not None else None
    return mark is not None and any(hmac.compare_digest(mark, m) for m in _known_marks())


def _remember_device(response, row: User) -> None:
    mark = _device_mark(row)
    marks = [mark, *(m for m in _known_marks() if m != mark)][:5]  # a shared computer: a few accounts
    response.set_cookie(KNOWN_DEVICE_COOKIE, _devices().dumps(marks), max_age=KNOWN_DEVICE_DAYS * 86400,
                        path=url_for("auth.login"), httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def _wait_message(limiter: "FailureLimiter") -> str:
    minutes = max(1, math.ceil(limiter.window.total_seconds() / 60))
    return _("Te veel mislukte pogingen. Wacht {minutes} minuten en probeer het dan opnieuw.", minutes=minutes)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, name = None, ""
    status = 200
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:200]
        password = request.form.get("password") or ""
        limiter: FailureLimiter = get_limiter()
        address = client_address()
        if limiter.blocked(address, name, known_device=_is_known_device(name)):
            error, status = _wait_message(limiter), 429
        else:
            with get_archive().session() as s:
                row = users.authenticate(s, name, password)
            if row is None:
                limiter.failed(address, name)
                error, status = _("Naam of wachtwoord klopt niet."), 401
            else:
                limiter.succeeded(address, name)
                _end_current_session()  # signing in as someone else in this browser ends the old session
                session.clear()  # no session fixation: a fresh session for the signed-in user
                with get_archive().session() as s:
                    token = users.start_session(s, row, *_lifetimes(current_app.config["SETTINGS"]),
                                                address=address, user_agent=request.user_agent.string)
                user = WebUser.from_row(row, token)
                login_user(user)
                flash(_("Je bent ingelogd als {name}.", name=user.name))
                response = redirect(_safe_next(request.args.get("next")))
                _remember_device(response, row)
                return response
    return render_template("login.html", error=error, name=name), status


def _end_current_session() -> None:
    if current_user.is_authenticated:
        with get_archive().session() as s:
            users.end_session(s, current_user.session_token)


@bp.route("/logout", methods=["POST"])
def logout():
    # The row goes first: from now on this cookie, and every copy of it, signs nobody in.
    _end_current_session()
    logout_user()
    session.clear()
    flash(_("Je bent uitgelogd."))
    return redirect(url_for("public.home"))

