"""OAI-PMH 2.0 with oai_dc: the protocol, and the memory of what the public has seen.

A city archive's harvester asks `/oai?verb=ListRecords&metadataPrefix=oai_dc` and gets every public
story as Dublin Core, 1,000 records a page (`PAGE_SIZE`), with a resumption token to the next page;
later it asks `from=<its last responseDate>` and gets only what changed, including deletions.
web/oai.py is the thin Flask shell; everything here is the protocol (argument rules, verbs, errors,
tokens, XML) and the records table. Only the public's view counts (verhalen.access, PUBLIC), whoever
asks: OAI-PMH is for harvesters, and a signed-in editor's browser gets the same answer.

Records and deleted records
---------------------------
OAI-PMH wants a removed record to come back as `<header status="deleted">`, so the interface must
remember what it showed. Table `oai_records` (migration 0015, catalog.OAIRecord) has a row per record
ever shown, never removed (hence `deletedRecord` persistent): the story it shows (no foreign key, so
it outlives a purge), the story's creation time, the datestamp, a deleted flag and a sha256
fingerprint of the record's metadata; `oai_record_sets` holds its sets.

At the start of every OAI request `reconcile` brings the table in line with the access rule: each
public story gets a row (datestamp now) or, when its fingerprint or sets changed or it was deleted,
a new datestamp; each row whose story is no longer public (restricted, embargoed, unpublished, not
finished, in the trash, purged) becomes deleted with datestamp now. So an edit of title, people,
themes, places, series, licence or slug moves the datestamp and a harvest with `from` picks it up,
and every datestamp is at most the responseDate of the first response that could show the change.
Cheap when nothing changed: the reconcile remembers its key (the catalog generation, which database
triggers bump on every change a public page could show, migration 0004; the day, since an embargo
lifts by date; and the settings the records show), and a request whose key matches reads two rows.
When the key differs it first takes a write lock (an UPDATE of the one `oai_state` row: PostgreSQL
locks that row, SQLite the database), reads the generation again and then the stories, and writes
everything in that one transaction: a kill -9 leaves the table as it was and the key unchanged, so
the next request does it again; two requests at once are serialized by the lock, and an
IntegrityError or a lock error anyway (unique local_id and story_id) is retried from the start.

The clock is the later of the real UTC time and the start of `today` (the app's date, pinned in the
tests): an embargo that lifts on a day makes the record appear with a datestamp on or after that day.
earliestDatestamp is the smallest datestamp in the table (every record, deleted ones too, has one at
least as late), or now while the table is empty.

Identifiers
-----------
`oai:<repository>:<local id>`, the local id being the story's id: stable across slug renames. SQLite
may give a purged story's id to a new story; the stored creation time tells them apart, the old record
stays (deleted) and the new story gets `<id>-2`. The repository identifier is the host name the
archive is reached by, fixed in `oai_state` by the first request whose host is a real domain name
(lower case, without port; not localhost, an IP address or a .local/.test/.invalid/.internal name),
so identifiers do not change when the site is later also reached by another name. Until then the
request's host stands in (a development server's `localhost`). To choose another before the first
harvest: `UPDATE oai_state SET repository = 'archief.example.nl'`.

Sets: `series:<slug>` and `theme:<slug>` (themes as the public sees them, verhalen.themes), with the
parents `series` and `theme`; ListSets names only sets with at least one public record, so a theme
only a restricted story has is never named. A deleted header carries no setSpec (the set may be one
the public must not see); a set-selective harvest still gets the deletions of the set's former members.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable

from itsdangerous import BadData, URLSafeSerializer
from lxml import etree as ET
from sqlalchemy import delete, exc, func, insert, or_, select, update
from sqlalchemy.orm import Session

from . import access, licences, themes
from .catalog import (Credit, OAIRecord, OAIRecordSet, OAIState, Person, Place, Series, Story, StoryPlace,
                      StoryTheme, Theme, generation)

PAGE_SIZE = 1000  # records (or headers) per ListRecords / ListIdentifiers response
OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FORMATS = {"oai_dc": (f"{OAI}oai_dc.xsd", OAI_DC)}
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
# verb -> (required arguments, optional arguments); a resumptionToken is exclusive where allowed.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset()),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
}
RESUMABLE = frozenset({"ListSets", "ListIdentifiers", "ListRecords"})
MAX_ARGUMENT = 1000  # characters: no identifier, set or token of ours comes near
_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*\Z")
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+\Z")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
_SECOND = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z\Z")
_DOMAIN = re.compile(r"[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\Z")
_NOT_PUBLIC_TLDS = ("localhost", "local", "test", "invalid", "internal", "example", "lan")
_TOKEN_SALT = "verhalen.oai.resumption"
_RECORD, _HEADER, _IDENTIFIER, _DATESTAMP, _SETSPEC, _METADATA = (
    f"{{{OAI}}}{t}" for t in ("record", "header", "identifier", "datestamp", "setSpec", "metadata"))
_DC_ROOT, _SCHEMA_LOCATION = f"{{{OAI_DC}}}dc", f"{{{XSI}}}schemaLocation"
_T = {t: f"{{{DC}}}{t}" for t in ("title", "creator", "contributor", "subject", "description", "date", "type",
                                  "format", "identifier", "language", "relation", "coverage", "rights", "publisher")}
_MAX_INT = 2**62


class ProtocolError(Exception):
    """An OAI-PMH error: answered with HTTP 200 and `<error code="...">`."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclasses.dataclass(frozen=True)
class Context:
    """What one request needs from outside the protocol: the shell (web/oai.py) fills it in."""

    base_url: str                     # the /oai URL as the harvester reached it
    host: str                         # the request's host name (no port)
    story_url: Callable[[str], str]   # slug -> the story's public page (dc:identifier)
    secret: str | bytes               # signs resumption tokens (the app's secret key)
    today: dt.date                    # the access rule's day (embargoes lift by it)
    archive_name: str = "Verhalen"    # repositoryName, dc:publisher
    admin_email: str = ""             # empty: beheer@<repository host>
    default_licence: str = "InC"
    publish_keywords: bool = False
    page_size: int = PAGE_SIZE
    now: dt.datetime | None = None    # naive UTC; None: the real clock (see `clock`)

    def clock(self) -> dt.datetime:
        real = self.now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        return max(real.replace(microsecond=0), dt.datetime.combine(self.today, dt.time()))

    def settings_key(self) -> str:
        """What the records show besides the catalog: a change must move the datestamps."""
        raw = json.dumps([self.archive_name, self.default_licence, self.publish_keywords])
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


# -- arguments -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Query:
    """A ListIdentifiers / ListRecords query: what a resumption token carries, with the position."""

    verb: str
    prefix: str
    start: str | None = None   # `from` as given
    until: str | None = None
    set: str | None = None
    after: int = 0             # the last record id of the pages before
    cursor: int = 0            # how many records the pages before held


def parse_arguments(pairs: Iterable[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, checked as OAI-PMH 2.0 section 3.1 says; ProtocolError otherwise.
    badVerb for a missing, unknown or repeated verb; badArgument for an argument the verb does not take,
    a missing or repeated one, a resumptionToken with anything else, control characters (CR/LF too:
    no identifier, prefix, date, set or token contains them), or a bad date."""
    args: dict[str, list[str]] = {}
    for key, value in pairs:
        args.setdefault(key, []).append(value)
    verbs = args.pop("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        problem = "repeated" if len(verbs) > 1 else "missing" if not verbs else "not a verb of OAI-PMH 2.0"
        raise ProtocolError("badVerb", f"the verb argument is {problem}")
    verb = verbs[0]
    required, optional = VERBS[verb]
    allowed = required | optional | ({"resumptionToken"} if verb in RESUMABLE else set())
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise ProtocolError("badArgument", f"{verb} takes no argument {_name(unknown[0])}")
    repeated = sorted(k for k, v in args.items() if len(v) > 1)
    if repeated:
        raise ProtocolError("badArgument", f"the argument {repeated[0]} is repeated")
    flat = {k: v[0] for k, v in args.items()}
    for key, value in flat.items():
        if not value or len(value) > MAX_ARGUMENT or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF
                                                         or ord(c) in (0xFFFE, 0xFFFF) for c in value):
            raise ProtocolError("badArgument", f"the argument {key} is empty, too long or has control characters")
    if "resumptionToken" in flat:
        if len(flat) > 1:
            raise ProtocolError("badArgument", "resumptionToken is an exclusive argument")
        return verb, flat
    missing = sorted(required - set(flat))
    if missing:
        raise ProtocolError("badArgument", f"{verb} needs the argument {missing[0]}")
    if "metadataPrefix" in flat and not _PREFIX.match(flat["metadataPrefix"]):
        raise ProtocolError("badArgument", "metadataPrefix is not a metadata prefix")
    if "set" in flat and not _SPEC.match(flat["set"]):
        raise ProtocolError("badArgument", "set is not a setSpec")
    check_dates(flat.get("from"), flat.get("until"))
    return verb, flat


def _name(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z]{1,40}", key) else "of that name"


def parse_datestamp(text: str, end: bool = False) -> tuple[dt.datetime, str]:
    """A from/until value as (UTC datetime, granularity): YYYY-MM-DD (the whole day: its first second,
    or its last when `end`) or YYYY-MM-DDThh:mm:ssZ. Anything else, or a date that does not exist
    (2026-13-01, 2026-02-30, 24:00:00), is badArgument."""
    try:
        if m := _DAY.match(text):
            day = dt.date(*map(int, m.groups()))
            return dt.datetime.combine(day, dt.time(23, 59, 59) if end else dt.time()), "day"
        if m := _SECOND.match(text):
            return dt.datetime(*map(int, m.groups())), "second"
    except ValueError:
        pass
    raise ProtocolError("badArgument", f"{text!r} is not a date YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def check_dates(start: str | None, until: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    lo = parse_datestamp(start) if start else None
    hi = parse_datestamp(until, end=True) if until else None
    if lo and hi:
        if lo[1] != hi[1]:
            raise ProtocolError("badArgument", "from and until must have the same granularity")
        if lo[0] > hi[0]:
            raise ProtocolError("badArgument", "from is later than until")
    return (lo[0] if lo else None), (hi[0] if hi else None)


def datestamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- resumption tokens: the query and the position, signed ----------------------------------------


def make_token(query: Query, secret: str | bytes) -> str:
    fields = [query.verb, query.prefix, query.start, query.until, query.set, query.after, query.cursor]
    return URLSafeSerializer(secret, salt=_TOKEN_SALT).dumps(fields)


def read_token(token: str, verb: str, secret: str | bytes) -> Query:
    """The query a token of ours carries; badResumptionToken for anything else (changed, made up, from
    another verb, signed with another secret key)."""
    try:
        fields = URLSafeSerializer(secret, salt=_TOKEN_SALT).loads(token)
    except (BadData, ValueError, TypeError):
        fields = None
    ok = (isinstance(fields, list) and len(fields) == 7 and fields[0] == verb and isinstance(fields[1], str)
          and all(f is None or isinstance(f, str) for f in fields[2:5])
          and all(type(f) is int and 0 <= f < _MAX_INT for f in fields[5:]))
    if not ok:
        raise ProtocolError("badResumptionToken", "the resumptionToken is not one this repository gave, or has expired")
    query = Query(*fields)
    try:
        check_dates(query.start, query.until)
    except ProtocolError:
        raise ProtocolError("badResumptionToken", "the resumptionToken is not one this repository gave") from None
    return query


# -- what a record says ------------------------------------------------------------------------


@dataclasses.dataclass
class Metadata:
    """A public story as oai_dc (STANDARDS.md section 6's mapping), without the host-dependent URL."""

    slug: str
    title: str
    creators: list[str]
    contributors: list[str]
    subjects: list[str]
    description: str
    date: str | None
    language: str | None
    relation: str | None
    coverage: list[str]
    rights: str
    publisher: str
    sets: list[str]

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(dataclasses.asdict(self), sort_keys=True).encode()).hexdigest()


CONTRIBUTOR_ROLES = ("interviewer", "host")  # the others (narrator, guest) tell their story: dc:creator


def load_public(session: Session, ctx: Context, ids: Iterable[int] | None = None) -> dict[int, tuple[dt.datetime, Metadata]]:
    """{story id: (created_at, Metadata)} of the public stories (all, or those of `ids`), in five queries."""
    public = select(Story.id).where(access.clause(access.PUBLIC, ctx.today))
    wanted = None
    if ids is not None:
        wanted = set(ids)
        if not wanted:
            return {}
        # A range, not IN (...): a thousand bound parameters cost more than the rows they leave out.
        public = public.where(Story.id.between(min(wanted), max(wanted)))
    run = session.connection().execute  # plain rows: the ORM's result machinery costs more than the query
    rows = run(
        select(Story.id, Story.created_at, Story.slug, Story.title, Story.description, Story.recorded,
               Story.language, Story.licence, Series.slug, Series.name)
        .outerjoin(Series, Story.series_id == Series.id).where(Story.id.in_(public)))
    out: dict[int, tuple[dt.datetime, Metadata]] = {}
    rights: dict[str | None, str] = {}
    for sid, created, slug, title, description, recorded, language, licence, series_slug, series_name in rows:
        if wanted is not None and sid not in wanted:
            continue
        if licence not in rights:
            rights[licence] = licences.of(licence, ctx.default_licence).uri
        out[sid] = (created, Metadata(
            slug=slug, title=title, creators=[], contributors=[], subjects=[], description=description or "",
            date=recorded.isoformat() if recorded else None, language=language or None,
            relation=series_name, coverage=[], rights=rights[licence], publisher=ctx.archive_name,
            sets=[f"series:{series_slug}"] if series_slug else []))
    if not out:
        return out
    for sid, role, name in run(select(Credit.story_id, Credit.role, Person.name)
                               .join(Person, Credit.person_id == Person.id)
                               .where(Credit.story_id.in_(public)).order_by(Credit.id)):
        if sid not in out:
            continue
        md = out[sid][1]
        if role in CONTRIBUTOR_ROLES:
            md.contributors.append(f"{name} ({role})")
        elif name not in md.creators:
            md.creators.append(name)
    seen: set[tuple[int, str]] = set()
    for sid, slug, name in run(
            select(StoryTheme.story_id, Theme.slug, Theme.name).join(Theme, StoryTheme.theme_id == Theme.id)
            .where(StoryTheme.story_id.in_(public),
                   StoryTheme.source.in_(themes.shown_sources(ctx.publish_keywords))).order_by(StoryTheme.id)):
        if sid in out and (sid, slug) not in seen:  # verhalen.themes.shown's rule: each once, in the order given
            seen.add((sid, slug))
            out[sid][1].subjects.append(name)
            out[sid][1].sets.append(f"theme:{slug}")
    for sid, name in run(select(StoryPlace.story_id, Place.name).join(Place, StoryPlace.place_id == Place.id)
                         .where(StoryPlace.story_id.in_(public)).order_by(StoryPlace.id)):
        if sid in out:
            out[sid][1].coverage.append(name)
    return out


# -- the records table -------------------------------------------------------------------------


@dataclasses.dataclass
class Reconciled:
    """What `reconcile` did: whether it had to, the stories it loaded (reused for the page), the counts."""

    ran: bool
    repository: str | None
    stories: dict[int, tuple[dt.datetime, Metadata]] | None = None
    added: int = 0
    changed: int = 0
    deleted: int = 0


def pinnable(host: str) -> bool:
    """May this host name become the repository identifier for good? A real domain name, not a
    development or internal one."""
    return bool(_DOMAIN.match(host)) and host.rsplit(".", 1)[-1] not in _NOT_PUBLIC_TLDS


def reconcile(session: Session, ctx: Context, attempts: int = 5) -> Reconciled:
    """Bring oai_records in line with the public stories (see the module docstring), committed."""
    for attempt in range(attempts):
        try:
            return _reconcile(session, ctx)
        except (exc.IntegrityError, exc.OperationalError):
            session.rollback()
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _reconcile(session: Session, ctx: Context) -> Reconciled:
    key = f"{generation(session.connection())}|{ctx.today.isoformat()}|{ctx.settings_key()}"
    state = session.execute(select(OAIState.repository, OAIState.reconciled).where(OAIState.id == 1)).one()
    pin = state.repository is None and pinnable(ctx.host)
    if state.reconciled == key and not pin:
        session.commit()  # ends the read
        return Reconciled(False, state.repository)
    now = ctx.clock()
    # The lock: PostgreSQL locks the row until commit, SQLite takes the database's write lock (the
    # first write opens the transaction), so concurrent reconciles take turns; then read afresh.
    session.execute(update(OAIState).where(OAIState.id == 1).values(reconciled_at=now))
    key = f"{generation(session.connection())}|{ctx.today.isoformat()}|{ctx.settings_key()}"
    state = session.execute(select(OAIState.repository, OAIState.reconciled).where(OAIState.id == 1)).one()
    repository = state.repository
    if repository is None and pinnable(ctx.host):
        repository = ctx.host
        session.execute(update(OAIState).where(OAIState.id == 1).values(repository=repository))
    if state.reconciled == key:
        session.commit()
        return Reconciled(False, repository)
    stories = load_public(session, ctx)
    records = {r.story_id: r for r in session.connection().execute(
        select(OAIRecord.id, OAIRecord.local_id, OAIRecord.story_id, OAIRecord.story_created, OAIRecord.deleted,
               OAIRecord.fingerprint).where(OAIRecord.story_id.is_not(None)))}
    result = Reconciled(True, repository, stories)
    for sid, (created, md) in stories.items():
        fingerprint = md.fingerprint()
        row = records.get(sid)
        if row is not None and row.story_created != created:
            # SQLite gave a purged story's id to this one: the old record stays, deleted, on its own.
            session.execute(update(OAIRecord).where(OAIRecord.id == row.id).values(
                story_id=None, **({} if row.deleted else {"deleted": True, "datestamp": now})))
            result.deleted += 0 if row.deleted else 1
            row = None
        if row is None:
            local = _free_local_id(session, sid)
            rid = session.execute(insert(OAIRecord).values(
                local_id=local, story_id=sid, story_created=created, datestamp=now, deleted=False,
                fingerprint=fingerprint).returning(OAIRecord.id)).scalar_one()
            _write_sets(session, rid, md.sets, replace=False)
            result.added += 1
        elif row.deleted or row.fingerprint != fingerprint:
            session.execute(update(OAIRecord).where(OAIRecord.id == row.id).values(
                deleted=False, datestamp=now, fingerprint=fingerprint))
            _write_sets(session, row.id, md.sets, replace=True)
            result.changed += 1
    gone = [r.id for sid, r in records.items() if sid not in stories and not r.deleted]
    for chunk in range(0, len(gone), 500):
        session.execute(update(OAIRecord).where(OAIRecord.id.in_(gone[chunk:chunk + 500]))
                        .values(deleted=True, datestamp=now))
    result.deleted += len(gone)
    session.execute(update(OAIState).where(OAIState.id == 1).values(reconciled=key))
    session.commit()
    return result


def _free_local_id(session: Session, story_id: int) -> str:
    local, n = str(story_id), 2
    while session.scalar(select(OAIRecord.id).where(OAIRecord.local_id == local)) is not None:
        local, n = f"{story_id}-{n}", n + 1
    return local


def _write_sets(session: Session, record_id: int, specs: list[str], replace: bool) -> None:
    if replace:
        session.execute(delete(OAIRecordSet).where(OAIRecordSet.record_id == record_id))
    if specs:
        session.execute(insert(OAIRecordSet), [{"record_id": record_id, "spec": s} for s in dict.fromkeys(specs)])


# -- the response ------------------------------------------------------------------------------


def _sub(parent, tag: str, text: str | None = None, attrs: dict[str, str] | None = None):
    el = ET.SubElement(parent, tag, attrs or {})
    if text is not None:
        el.text = text
    return el


class Repository:
    """One request's answer: `respond(pairs)` -> the XML bytes."""

    def __init__(self, session: Session, ctx: Context):
        self.session, self.ctx = session, ctx
        self.state: Reconciled | None = None
        self.root: ET._Element | None = None

    @property
    def repository(self) -> str:
        return (self.state.repository if self.state else None) or self.ctx.host

    def identifier(self, local_id: str) -> str:
        return f"oai:{self.repository}:{local_id}"

    def respond(self, pairs: Iterable[tuple[str, str]]) -> bytes:
        pairs = list(pairs)
        now = self.ctx.clock()
        root = ET.Element(f"{{{OAI}}}OAI-PMH", {f"{{{XSI}}}schemaLocation": f"{OAI} {OAI}OAI-PMH.xsd"},
                          nsmap={None: OAI, "xsi": XSI, "oai_dc": OAI_DC, "dc": DC})
        _sub(root, f"{{{OAI}}}responseDate", datestamp(now))
        request = _sub(root, f"{{{OAI}}}request", self.ctx.base_url)
        try:
            verb, args = parse_arguments(pairs)
        except ProtocolError as e:  # badVerb, badArgument: the request element carries no attributes
            _sub(root, f"{{{OAI}}}error", e.message, {"code": e.code})
            return self._bytes(root)
        request.set("verb", verb)
        for key, value in args.items():
            request.set(key, value)
        self.root = root
        try:
            self.state = reconcile(self.session, self.ctx)
            getattr(self, f"_{verb}")(args)
        except ProtocolError as e:
            for child in root[2:]:  # a verb element begun before the error
                root.remove(child)
            _sub(root, f"{{{OAI}}}error", e.message, {"code": e.code})
        return self._bytes(root)

    def _verb_element(self, name: str) -> ET._Element:
        # Made inside the document: appending a finished 20,000-element subtree to it costs lxml a third
        # of a ListRecords page (it moves every node into the new document).
        return ET.SubElement(self.root, f"{{{OAI}}}{name}")

    @staticmethod
    def _bytes(root) -> bytes:
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)

    # -- the verbs --

    def _Identify(self, _args) -> ET._Element:
        el = self._verb_element("Identify")
        _sub(el, f"{{{OAI}}}repositoryName", self.ctx.archive_name)
        _sub(el, f"{{{OAI}}}baseURL", self.ctx.base_url)
        _sub(el, f"{{{OAI}}}protocolVersion", "2.0")
        _sub(el, f"{{{OAI}}}adminEmail", self.admin_email())
        earliest = self.session.scalar(select(func.min(OAIRecord.datestamp)))
        _sub(el, f"{{{OAI}}}earliestDatestamp", datestamp(earliest or self.ctx.clock()))
        _sub(el, f"{{{OAI}}}deletedRecord", "persistent")
        _sub(el, f"{{{OAI}}}granularity", GRANULARITY)
        return el

    def admin_email(self) -> str:
        if self.ctx.admin_email:
            return self.ctx.admin_email
        host = self.repository
        return f"beheer@{host}" if "." in host else f"beheer@{host}.invalid"  # OAI-PMH.xsd wants a dot

    def _ListMetadataFormats(self, args) -> ET._Element:
        if "identifier" in args:
            record = self._record(args["identifier"])
            if record.deleted:
                raise ProtocolError("noMetadataFormats", "the item is deleted: no format of it is available")
        el = self._verb_element("ListMetadataFormats")
        for prefix, (schema, namespace) in FORMATS.items():
            fmt = _sub(el, f"{{{OAI}}}metadataFormat")
            _sub(fmt, f"{{{OAI}}}metadataPrefix", prefix)
            _sub(fmt, f"{{{OAI}}}schema", schema)
            _sub(fmt, f"{{{OAI}}}metadataNamespace", namespace)
        return el

    def _ListSets(self, args) -> ET._Element:
        if "resumptionToken" in args:  # ListSets answers in one response: no token of ours exists
            raise ProtocolError("badResumptionToken", "this repository gives no resumptionToken for ListSets")
        specs = set(self.session.scalars(select(OAIRecordSet.spec).join(OAIRecord, OAIRecord.id == OAIRecordSet.record_id)
                                         .where(OAIRecord.deleted.is_(False)).distinct()))
        if not specs:
            raise ProtocolError("noSetHierarchy", "no public story is in a series or has a theme yet")
        names = {f"series:{slug}": name for slug, name in self.session.execute(
            select(Series.slug, Series.name).where(Series.slug.in_([s[7:] for s in specs if s.startswith("series:")])))}
        names.update({f"theme:{slug}": name for slug, name in self.session.execute(
            select(Theme.slug, Theme.name).where(Theme.slug.in_([s[6:] for s in specs if s.startswith("theme:")])))})
        el = self._verb_element("ListSets")
        for parent, label in (("series", "Series"), ("theme", "Themes")):
            children = sorted(s for s in specs if s.startswith(parent + ":"))
            if not children:
                continue
            top = _sub(el, f"{{{OAI}}}set")
            _sub(top, f"{{{OAI}}}setSpec", parent)
            _sub(top, f"{{{OAI}}}setName", label)
            for spec in children:
                s = _sub(el, f"{{{OAI}}}set")
                _sub(s, f"{{{OAI}}}setSpec", spec)
                _sub(s, f"{{{OAI}}}setName", names.get(spec, spec.split(":", 1)[1]))
        return el

    def _GetRecord(self, args) -> ET._Element:
        self._format(args["metadataPrefix"])
        record = self._record(args["identifier"])
        el = self._verb_element("GetRecord")
        self._records(el, [record], with_metadata=True)
        return el

    def _ListIdentifiers(self, args) -> ET._Element:
        return self._list("ListIdentifiers", args)

    def _ListRecords(self, args) -> ET._Element:
        return self._list("ListRecords", args)

    # -- helpers --

    def _format(self, prefix: str) -> None:
        if prefix not in FORMATS:
            raise ProtocolError("cannotDisseminateFormat", f"this repository has no metadata format {prefix!r}; "
                                "ListMetadataFormats names the ones it has")

    def _record(self, identifier: str):
        head = f"oai:{self.repository}:"
        row = None
        if identifier.startswith(head):
            row = self.session.execute(select(OAIRecord.id, OAIRecord.local_id, OAIRecord.story_id, OAIRecord.datestamp,
                                              OAIRecord.deleted)
                                       .where(OAIRecord.local_id == identifier[len(head):])).one_or_none()
        if row is None:
            raise ProtocolError("idDoesNotExist", "no item of this repository has that identifier")
        return row

    def _list(self, verb: str, args: dict[str, str]) -> ET._Element:
        resumed = "resumptionToken" in args
        if resumed:
            query = read_token(args["resumptionToken"], verb, self.ctx.secret)
        else:
            query = Query(verb, args["metadataPrefix"], args.get("from"), args.get("until"), args.get("set"))
        self._format(query.prefix)
        lo, hi = check_dates(query.start, query.until)
        where = []
        if lo:
            where.append(OAIRecord.datestamp >= lo)
        if hi:
            where.append(OAIRecord.datestamp <= hi)
        if query.set:
            if not self.session.scalar(select(OAIRecordSet.spec).limit(1)):
                raise ProtocolError("noSetHierarchy", "no story is in a set yet")
            members = select(OAIRecordSet.record_id).where(or_(
                OAIRecordSet.spec == query.set, OAIRecordSet.spec.startswith(query.set + ":", autoescape=True)))
            where.append(OAIRecord.id.in_(members))
        total = self.session.scalar(select(func.count()).select_from(OAIRecord).where(*where))
        size = max(1, self.ctx.page_size)
        rows = list(self.session.connection().execute(
            select(OAIRecord.id, OAIRecord.local_id, OAIRecord.story_id, OAIRecord.datestamp, OAIRecord.deleted)
            .where(*where, OAIRecord.id > query.after).order_by(OAIRecord.id).limit(size + 1)))
        if not rows:
            raise ProtocolError("noRecordsMatch", "no record matches these arguments")
        more = len(rows) > size
        rows = rows[:size]
        el = self._verb_element(verb)
        self._records(el, rows, with_metadata=verb == "ListRecords")
        if more or resumed:
            attrs = {"completeListSize": str(total), "cursor": str(query.cursor)}
            nxt = dataclasses.replace(query, after=rows[-1].id, cursor=query.cursor + len(rows))
            _sub(el, f"{{{OAI}}}resumptionToken", make_token(nxt, self.ctx.secret) if more else None, attrs)
        return el

    def _records(self, parent: ET._Element, rows: list, with_metadata: bool) -> None:
        live = [r.story_id for r in rows if not r.deleted]
        have = self.state.stories if self.state and self.state.stories is not None else None
        stories = ({sid: have[sid] for sid in live if sid in have} if have is not None
                   else load_public(self.session, self.ctx, live) if live else {})
        sub, story_url = ET.SubElement, self.ctx.story_url
        location = {_SCHEMA_LOCATION: f"{OAI_DC} {OAI}oai_dc.xsd"}
        for row in rows:
            found = None if row.deleted else stories.get(row.story_id)
            target = sub(parent, _RECORD) if with_metadata else parent
            # A story that stopped being public since this request's reconcile is shown deleted, never as it was.
            header = sub(target, _HEADER) if found else sub(target, _HEADER, {"status": "deleted"})
            sub(header, _IDENTIFIER).text = self.identifier(row.local_id)
            sub(header, _DATESTAMP).text = datestamp(row.datestamp)
            if found is None:
                continue
            md = found[1]
            for spec in md.sets:
                sub(header, _SETSPEC).text = spec
            if not with_metadata:
                continue
            dc = sub(sub(target, _METADATA), _DC_ROOT, location)
            # The order of STANDARDS.md section 6's mapping; empty values are left out.
            for tag, values in ((_T["title"], (md.title,)), (_T["creator"], md.creators),
                                (_T["contributor"], md.contributors), (_T["subject"], md.subjects),
                                (_T["description"], (md.description,)), (_T["date"], (md.date,)),
                                (_T["type"], ("Sound",)), (_T["format"], ("audio/mpeg",)),
                                (_T["identifier"], (story_url(md.slug),)), (_T["language"], (md.language,)),
                                (_T["relation"], (md.relation,)), (_T["coverage"], md.coverage),
                                (_T["rights"], (md.rights,)), (_T["publisher"], (md.publisher,))):
                for value in values:
                    if value:
                        sub(dc, tag).text = value


def respond(session: Session, ctx: Context, pairs: Iterable[tuple[str, str]]) -> bytes:
    """The OAI-PMH response to one request's arguments (GET query or POST form, as (name, value) pairs)."""
    return Repository(session, ctx).respond(pairs)
