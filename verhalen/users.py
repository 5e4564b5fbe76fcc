"""Accounts: add, authenticate, list. Passwords are hashed with scrypt (werkzeug.security)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .catalog import USER_ROLES, User
from .errors import Conflict, NotFound, UsageError

MIN_PASSWORD = 10
# Checked against when the name is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def validate(name: str, password: str, role: str) -> None:
    if role not in USER_ROLES:
        raise UsageError(f"role must be one of {', '.join(USER_ROLES)}, not {role!r}")
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise UsageError("a user name is 1-100 characters without spaces")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password must be at least {MIN_PASSWORD} characters")


def add(session: Session, name: str, password: str, role: str) -> User:
    validate(name, password, role)
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise Conflict(f"there is already a user called {name!r}")
    user = User(name=name, password_hash=generate_password_hash(password, method="scrypt"), role=role, active=True)
    session.add(user)
    session.commit()
    return user


def set_password(session: Session, name: str, password: str) -> None:
    user = get(session, name)
    validate(name, password, user.role)
    user.password_hash = generate_password_hash(password, method="scrypt")
    session.commit()


def get(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user called {name!r}")
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, or None (same work either way)."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user
