"""/editor/users: admins add users, set roles and passwords, disable and re-enable accounts."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from verhalen import users
from verhalen.catalog import USER_ROLES, User
from verhalen.errors import UsageError, VerhalenError

from .. import core_messages
from ..context import get_archive
from ..i18n import gettext as _
from .workspace import workspace_blueprint

bp = workspace_blueprint("editor_admin", __name__, roles=("admin",))


def _page(errors=None, form=None, status=200):
    with get_archive().session() as s:
        rows = list(s.scalars(select(User).order_by(User.name)))
        return render_template("editor/users.html", users=rows, roles=USER_ROLES, errors=errors or {},
                               form=form or {}), status


@bp.route("/users")
def users_page():
    return _page()


@bp.route("/users", methods=["POST"])
def add_user():
    name, password, role = (request.form.get("name") or "").strip(), request.form.get("password") or "", \
        request.form.get("role") or ""
    errors = {}
    if role not in USER_ROLES:
        errors["role"] = _("Kies een rol.")
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        errors["name"] = _("Een naam is 1 tot 100 tekens, zonder spaties.")
    if len(password) < users.MIN_PASSWORD:
        errors["password"] = _("Een wachtwoord heeft minstens {n} tekens.", n=users.MIN_PASSWORD)
    if not errors:
        with get_archive().session() as s:
            try:
                users.add(s, name, password, role)
            except VerhalenError as e:
                errors["name"] = core_messages.text(e)
    if errors:
        return _page(errors, {"name": name, "role": role}, 400)
    flash(_("{name} kan nu inloggen als {role}.", name=name, role=role))
    return redirect(url_for("editor_admin.users_page"))


def _change(name: str, change) -> None:
    with get_archive().session() as s:
        user = users.get(s, name)
        change(s, user)
        s.commit()


@bp.route("/users/<name>/role", methods=["POST"])
def set_role(name: str):
    role = request.form.get("role", "")
    if role not in USER_ROLES:
        raise UsageError(_("Kies een rol."))
    if User.key_for(name) == User.key_for(current_user.name) and role != "admin":
        raise UsageError(_("Je kunt je eigen beheerdersrol niet weghalen; laat een andere beheerder dat doen."))
    _change(name, lambda s, u: setattr(u, "role", role))
    flash(_("{name} is nu {role}.", name=name, role=role))
    return redirect(url_for("editor_admin.users_page"))


@bp.route("/users/<name>/active", methods=["POST"])
def set_active(name: str):
    active = request.form.get("active") == "1"
    if User.key_for(name) == User.key_for(current_user.name) and not active:
        raise UsageError(_("Je kunt jezelf niet uitschakelen."))
    _change(name, lambda s, u: setattr(u, "active", active))
    flash(_("{name} kan weer inloggen.", name=name) if active else _("{name} kan niet meer inloggen.", name=name))
    return redirect(url_for("editor_admin.users_page"))


@bp.route("/users/<name>/password", methods=["POST"])
def set_password(name: str):
    password = request.form.get("password") or ""
    with get_archive().session() as s:
        users.set_password(s, name, password)
    flash(_("Het wachtwoord van {name} is gewijzigd.", name=name))
    return redirect(url_for("editor_admin.users_page"))
