"""Accounts and their sessions: add, authenticate, list; start, check and end sign-in sessions.

Passwords are hashed with scrypt (werkzeug.security). Names compare case-folded
(`User.key_for`: `ED1` and `ed1` are one account). A session is a row in
`user_sessions` keyed by the sha256 of a random token that only the browser's
cookie holds; ending the row ends the session wherever the cookie is used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .catalog import USER_ROLES, User, UserSession, now
from .errors import Conflict, NotFound, UsageError

MIN_PASSWORD = 10
# Checked against when the name is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")
# last_seen is written when it is at least this old: idle expiry to the minute without a write per request.
SESSION_TOUCH = dt.timedelta(seconds=60)


def validate(name: str, password: str, role: str) -> None:
    if role not in USER_ROLES:
        raise UsageError(f"role must be one of {', '.join(USER_ROLES)}, not {role!r}")
    # Control and format characters (a newline, a right-to-left mark) would make two names look alike.
    if not name or len(name) > 100 or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in name):
        raise UsageError("a user name is 1-100 characters without spaces or control characters")
    validate_password(password)


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password must be at least {MIN_PASSWORD} characters")


def add(session: Session, name: str, password: str, role: str) -> User:
    validate(name, password, role)
    same = find(session, name)
    if same is not None:
        raise Conflict(f"there is already a user called {same.name!r} (names are the same in upper and lower case)")
    user = User(name=name, password_hash=generate_password_hash(password, method="scrypt"), role=role, active=True)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # added by someone else at the same moment: the unique index decides
        session.rollback()
        raise Conflict(f"there is already a user called {name!r}") from None
    return user


def set_password(session: Session, name: str, password: str) -> None:
    """A new password; the catalog's trigger ends all the user's sessions (migration 0007)."""
    user = get(session, name)
    validate_password(password)
    user.password_hash = generate_password_hash(password, method="scrypt")
    session.commit()


def find(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name_key == User.key_for(name)))


def get(session: Session, name: str) -> User:
    user = find(session, name)
    if user is None:
        raise NotFound(f"no user called {name!r}")
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active user with this name (in any case) and password, or None (same work either way)."""
    user = find(session, name)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


# -- sessions -----------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, idle: dt.timedelta, max_age: dt.timedelta,
                  address: str | None = None, user_agent: str | None = None) -> str:
    """A new session for `user`; returns the token for the cookie (the catalog keeps only its hash)."""
    token = secrets.token_urlsafe(32)
    at = now()
    # Ended sessions go as new ones come, so the table stays the size of the live ones.
    session.execute(delete(UserSession).where(or_(UserSession.last_seen <= at - idle,
                                                  UserSession.created_at <= at - max_age)))
    session.add(UserSession(id=_digest(token), user_id=user.id, created_at=at, last_seen=at,
                            address=(address or None) and address[:100],
                            user_agent=(user_agent or None) and user_agent[:300]))
    session.commit()
    return token


def session_user(session: Session, token: str, idle: dt.timedelta, max_age: dt.timedelta) -> User | None:
    """The active user whose live session `token` is, or None (and an expired session is ended)."""
    digest = _digest(token)
    found = session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                            .where(UserSession.id == digest)).first()
    if found is None:
        return None
    row, user = found
    at = now()
    if not user.active or row.last_seen <= at - idle or row.created_at <= at - max_age:
        end_session(session, token)
        return None
    if at - row.last_seen >= SESSION_TOUCH:
        # Core UPDATE, not the ORM: a logout in another request may have deleted the row meanwhile.
        session.execute(update(UserSession).where(UserSession.id == digest).values(last_seen=at))
        session.commit()
    return user


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == _digest(token)))
    session.commit()


def end_sessions(session: Session, name: str) -> int:
    """End every session of the user called `name` (a lost laptop); returns how many there were."""
    user = get(session, name)
    ended = session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
    session.commit()
    return ended
