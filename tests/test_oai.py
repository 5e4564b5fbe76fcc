"""OAI-PMH 2.0 at /oai (verhalen.oai, web/oai.py): every verb, every error, deleted records, sets, dates,
resumption, and a real harvester (sickle) over a real server. Every response is validated against the
vendored OAI-PMH.xsd with oai_dc.xsd (tests/schemas/README.md)."""

from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import urlencode

import pytest
from lxml import etree
from sqlalchemy import func, select, text

from helpers import LiveServer
from schema_validation import validate_xml
from verhalen import oai
from verhalen.catalog import OAIRecord, Story, get_or_create, StoryTheme, Theme

TODAY = dt.date(2026, 6, 1)
NS = {"o": oai.OAI, "oai_dc": oai.OAI_DC, "dc": oai.DC}
PUBLIC_SLUG, SECRET_SLUG = "pop-up-bazaar", "het-koor"


def call(client, method: str = "get", **params) -> etree._Element:
    """One OAI request (a list value repeats the argument); checks the HTTP layer and the schema."""
    pairs = [(k.rstrip("_"), x) for k, v in params.items() for x in (v if isinstance(v, list) else [v])]
    if method == "post":
        r = client.post("/oai", data=urlencode(pairs), content_type="application/x-www-form-urlencoded")
    else:
        r = client.get("/oai?" + urlencode(pairs))
    assert r.status_code == 200, r.data[:300]
    assert r.headers["Content-Type"] == "text/xml; charset=utf-8"
    validate_xml(r.data, "oai-pmh")
    return etree.fromstring(r.data)


def error_of(doc) -> str | None:
    err = doc.find("o:error", NS)
    return None if err is None else err.get("code")


def headers(doc) -> list:
    return doc.findall(".//o:header", NS)


def ids(doc) -> list[str]:
    return [h.findtext("o:identifier", namespaces=NS) for h in headers(doc)]


def deleted(doc) -> list[str]:
    return [h.findtext("o:identifier", namespaces=NS) for h in headers(doc) if h.get("status") == "deleted"]


def set_access(archive, which: str, **changes) -> None:
    with archive.session() as s:
        st = archive.story(s, which)
        for key, value in changes.items():
            setattr(st, key, value)
        s.commit()


def story_id(archive, slug: str) -> int:
    with archive.session() as s:
        return archive.story(s, slug).id


@pytest.fixture
def app(archive_copy, make_app):
    return make_app(archive_copy, today=TODAY)


@pytest.fixture
def c(app):
    return app.test_client()


def add_stories(archive, n: int, prefix: str = "verhaal", **kw) -> list[int]:
    """n public, finished stories made straight in the catalog (no media: OAI shows only catalog data)."""
    with archive.session() as s:
        stories = [Story(slug=f"{prefix}-{i}", title=f"Verhaal {i}", status="ready", access="public", published=True,
                         language="nl", description=f"Het {i}e verhaal.", **kw) for i in range(n)]
        s.add_all(stories)
        s.commit()
        return [st.id for st in stories]


# -- the verbs ------------------------------------------------------------------------------------


def test_identify(c):
    doc = call(c, verb="Identify")
    idf = doc.find("o:Identify", NS)
    assert idf.findtext("o:repositoryName", namespaces=NS) == "Verhalen"
    assert idf.findtext("o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert idf.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert idf.findtext("o:adminEmail", namespaces=NS) == "beheer@localhost.invalid"
    assert idf.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert idf.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    req = doc.find("o:request", NS)
    assert req.get("verb") == "Identify" and req.text == "http://localhost/oai"
    assert doc.findtext("o:responseDate", namespaces=NS).endswith("Z")
    # earliestDatestamp is honest: no record is older
    earliest = idf.findtext("o:earliestDatestamp", namespaces=NS)
    stamps = [h.findtext("o:datestamp", namespaces=NS) for h in headers(call(c, verb="ListIdentifiers",
                                                                            metadataPrefix="oai_dc"))]
    assert stamps and earliest <= min(stamps)


def test_identify_with_a_configured_contact_and_name(archive_copy, make_app):
    c = make_app(archive_copy, today=TODAY, admin_email="archief@stad.example.nl", archive_name="Stadsverhalen").test_client()
    idf = call(c, verb="Identify").find("o:Identify", NS)
    assert idf.findtext("o:adminEmail", namespaces=NS) == "archief@stad.example.nl"
    assert idf.findtext("o:repositoryName", namespaces=NS) == "Stadsverhalen"
    rec = call(c, verb="ListRecords", metadataPrefix="oai_dc")
    assert rec.findtext(".//dc:publisher", namespaces=NS) == "Stadsverhalen"


def test_post_works_like_get(c):
    assert call(c, "post", verb="Identify").find("o:Identify", NS) is not None
    doc = call(c, "post", verb="ListRecords", metadataPrefix="oai_dc")
    assert len(ids(doc)) == 1


def test_list_metadata_formats(archive_copy, c):
    doc = call(c, verb="ListMetadataFormats")
    assert [f.findtext("o:metadataPrefix", namespaces=NS) for f in doc.findall(".//o:metadataFormat", NS)] == ["oai_dc"]
    ident = f"oai:localhost:{story_id(archive_copy, PUBLIC_SLUG)}"
    doc = call(c, verb="ListMetadataFormats", identifier=ident)
    assert doc.find("o:request", NS).get("identifier") == ident
    assert doc.findtext(".//o:metadataNamespace", namespaces=NS) == oai.OAI_DC
    assert error_of(call(c, verb="ListMetadataFormats", identifier="oai:localhost:999")) == "idDoesNotExist"


def test_get_record_maps_the_story_to_dublin_core(archive_copy, c):
    sid = story_id(archive_copy, PUBLIC_SLUG)
    doc = call(c, verb="GetRecord", identifier=f"oai:localhost:{sid}", metadataPrefix="oai_dc")
    record = doc.find("o:GetRecord/o:record", NS)
    head = record.find("o:header", NS)
    assert head.findtext("o:identifier", namespaces=NS) == f"oai:localhost:{sid}"
    assert head.findtext("o:datestamp", namespaces=NS).endswith("Z")
    assert sorted(s.text for s in head.findall("o:setSpec", NS)) == ["series:levensverhalen", "theme:werk"]
    dc = record.find("o:metadata/oai_dc:dc", NS)

    def values(tag):
        return [e.text for e in dc.findall(f"dc:{tag}", NS)]

    assert values("title") == ["Pop-up bazaar"]
    assert values("creator") == ["Basma"]
    assert values("contributor") == ["Esseline (interviewer)"]
    assert values("subject") == ["werk"]
    assert values("date") == ["2024-05-03"]
    assert values("type") == ["Sound"] and values("format") == ["audio/mpeg"]
    assert values("identifier") == [f"http://localhost/verhaal/{PUBLIC_SLUG}"]
    assert values("language") == ["en"]
    assert values("relation") == ["Levensverhalen"]
    assert values("coverage") == ["Rotterdam"]
    assert values("rights") == ["http://rightsstatements.org/vocab/InC/1.0/"]
    assert values("publisher") == ["Verhalen"]
    # the identifier is the story id: a new slug keeps it, and the record's URL follows the slug
    set_access(archive_copy, PUBLIC_SLUG, slug="markt-bazaar")
    doc = call(c, verb="GetRecord", identifier=f"oai:localhost:{sid}", metadataPrefix="oai_dc")
    assert doc.findtext(".//dc:identifier", namespaces=NS) == "http://localhost/verhaal/markt-bazaar"


def test_list_sets_names_only_sets_with_a_public_record(c):
    doc = call(c, verb="ListSets")
    specs = {s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
             for s in doc.findall(".//o:set", NS)}
    assert specs == {"series": "Series", "series:levensverhalen": "Levensverhalen", "theme": "Themes",
                     "theme:werk": "werk"}
    body = etree.tostring(doc).decode()
    assert "muziek" not in body and "leutelpersonen" not in body


def test_selective_harvest_by_set(c):
    assert len(ids(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc", set_="theme:werk"))) == 1
    assert len(ids(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc", set_="theme"))) == 1
    assert len(ids(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc", set_="series"))) == 1
    for spec in ("theme:muziek", "series:sleutelpersonen", "theme:bestaat_niet", "them"):
        assert error_of(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc", set_=spec)) == "noRecordsMatch", spec


def test_from_and_until_are_inclusive(archive_copy, c):
    stamp = headers(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc"))[0].findtext("o:datestamp", namespaces=NS)
    day = stamp[:10]
    for args in ({"from_": stamp}, {"until": stamp}, {"from_": stamp, "until": stamp}, {"from_": day},
                 {"until": day}, {"from_": day, "until": day}):
        assert len(ids(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc", **args))) == 1, args
    later = (dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    earlier = (dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ") - dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert error_of(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc", from_=later)) == "noRecordsMatch"
    assert error_of(call(c, verb="ListRecords", metadataPrefix="oai_dc", until=earlier)) == "noRecordsMatch"
    assert error_of(call(c, verb="ListRecords", metadataPrefix="oai_dc", until="1999-12-31")) == "noRecordsMatch"


# -- errors -----------------------------------------------------------------------------------------

BAD = [
    ({}, "badVerb"),
    ({"verb": "Frobnicate"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),  # a repeated verb is badVerb (OAI-PMH 2.0, 3.6)
    ({"verb": "identify"}, "badVerb"),
    ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "Identify", "bogus": "1"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": ["2026-01-01", "2026-01-02"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2026-01-01T24:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01T00:00:00"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01T00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "20260101"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01", "until": "2026-02-01T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-02-01", "until": "2026-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc\r\nX-Evil: 1"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:localhost:1\r\n", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "theme:"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ""}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:localhost:1"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListSets", "set": "theme:werk"}, "badArgument"),
    ({"verb": "ListMetadataFormats", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "x" * 2000}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_ead"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:localhost:1", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:elders.example:1", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:localhost:99999999999999999999", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": '["ListIdentifiers","oai_dc",null,null,null,99999999999999999999999,1]'},
     "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"}, "noRecordsMatch"),
]


@pytest.mark.parametrize("params, code", BAD, ids=[f"{i}-{code}" for i, (_p, code) in enumerate(BAD)])
def test_errors(c, params, code):
    doc = call(c, **{k: v for k, v in params.items()})
    assert error_of(doc) == code, etree.tostring(doc)
    req = doc.find("o:request", NS)
    if code in ("badVerb", "badArgument"):
        assert dict(req.attrib) == {}, "badVerb and badArgument echo no arguments"
    else:
        assert req.get("verb") == params["verb"]
    assert doc.find("o:ListRecords", NS) is None and doc.find("o:Identify", NS) is None


def test_tampered_and_foreign_tokens_are_bad(archive_copy, app, c):
    add_stories(archive_copy, 4)
    app.config["OAI_PAGE_SIZE"] = 2
    token = call(c, verb="ListIdentifiers", metadataPrefix="oai_dc").findtext(".//o:resumptionToken", namespaces=NS)
    assert token
    assert not error_of(call(c, verb="ListIdentifiers", resumptionToken=token))
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for bad in (flipped, token + "x", token[:10], "." + token):
        assert error_of(call(c, verb="ListIdentifiers", resumptionToken=bad)) == "badResumptionToken", bad
    # a token of one verb is not one of another, and one signed with another key is nobody's
    assert error_of(call(c, verb="ListRecords", resumptionToken=token)) == "badResumptionToken"
    forged = oai.make_token(oai.Query("ListIdentifiers", "oai_dc", after=2**70, cursor=1), "not the key")
    assert error_of(call(c, verb="ListIdentifiers", resumptionToken=forged)) == "badResumptionToken"
    huge = oai.make_token(oai.Query("ListIdentifiers", "oai_dc", after=2**70, cursor=1), app.secret_key)
    assert error_of(call(c, verb="ListIdentifiers", resumptionToken=huge)) == "badResumptionToken"


def test_no_set_hierarchy_and_no_records_in_an_empty_archive(archive, make_app):
    c = make_app(archive, today=TODAY).test_client()
    assert error_of(call(c, verb="ListSets")) == "noSetHierarchy"
    assert error_of(call(c, verb="ListRecords", metadataPrefix="oai_dc", set_="theme:werk")) == "noSetHierarchy"
    assert error_of(call(c, verb="ListRecords", metadataPrefix="oai_dc")) == "noRecordsMatch"
    idf = call(c, verb="Identify").find("o:Identify", NS)
    assert idf.findtext("o:earliestDatestamp", namespaces=NS).endswith("Z")


# -- resumption -------------------------------------------------------------------------------------


def test_resumption_over_several_pages(archive_copy, app, c):
    add_stories(archive_copy, 6)  # with pop-up-bazaar: 7 records
    app.config["OAI_PAGE_SIZE"] = 3
    seen, cursors, token = [], [], None
    for page in range(10):
        doc = (call(c, verb="ListRecords", resumptionToken=token) if token
               else call(c, verb="ListRecords", metadataPrefix="oai_dc"))
        seen += ids(doc)
        assert len(doc.findall(".//o:metadata", NS)) == len(ids(doc))
        rt = doc.find(".//o:resumptionToken", NS)
        assert rt is not None
        assert rt.get("completeListSize") == "7"
        cursors.append(int(rt.get("cursor")))
        token = rt.text
        if not token:
            break
    assert page == 2 and cursors == [0, 3, 6], "three pages; the last carries an empty resumptionToken"
    assert len(seen) == len(set(seen)) == 7
    # one page is enough when the list fits: no resumptionToken at all
    app.config["OAI_PAGE_SIZE"] = 7
    assert call(c, verb="ListRecords", metadataPrefix="oai_dc").find(".//o:resumptionToken", NS) is None
    # the query travels in the token: a set-selective list stays selective
    app.config["OAI_PAGE_SIZE"] = 1
    doc = call(c, verb="ListIdentifiers", metadataPrefix="oai_dc", set_="theme:werk")
    assert len(ids(doc)) == 1 and doc.find(".//o:resumptionToken", NS) is None


# -- deleted records and the access rule ---------------------------------------------------------


@pytest.mark.parametrize("changes", [dict(access="researchers"), dict(access="editors"),
                                     dict(access="embargoed", embargo_until=TODAY + dt.timedelta(days=1)),
                                     dict(published=False), dict(status="failed"), dict(status="pending"),
                                     dict(deleted_at=dt.datetime(2026, 5, 1))],
                         ids=lambda ch: "-".join(f"{k}={v}" for k, v in ch.items()))
def test_a_story_that_stops_being_public_becomes_a_deleted_record(archive_copy, c, changes):
    sid = story_id(archive_copy, PUBLIC_SLUG)
    ident = f"oai:localhost:{sid}"
    before = call(c, verb="GetRecord", identifier=ident, metadataPrefix="oai_dc")
    stamp = before.findtext(".//o:datestamp", namespaces=NS)
    set_access(archive_copy, PUBLIC_SLUG, **changes)
    doc = call(c, verb="GetRecord", identifier=ident, metadataPrefix="oai_dc")
    head = doc.find(".//o:header", NS)
    assert head.get("status") == "deleted"
    assert head.findtext("o:identifier", namespaces=NS) == ident
    assert head.findtext("o:datestamp", namespaces=NS) >= stamp
    assert doc.find(".//o:metadata", NS) is None and head.find("o:setSpec", NS) is None
    body = etree.tostring(doc).decode()
    assert "Pop-up" not in body and "Basma" not in body
    listed = call(c, verb="ListRecords", metadataPrefix="oai_dc")
    assert deleted(listed) == [ident] and listed.find(".//o:metadata", NS) is None
    assert deleted(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc", set_="theme:werk")) == [ident]
    assert error_of(call(c, verb="ListSets")) == "noSetHierarchy", "no set has a public record now"
    assert error_of(call(c, verb="ListMetadataFormats", identifier=ident)) == "noMetadataFormats"
    # an incremental harvest from the last one sees the deletion
    assert deleted(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc", from_=stamp)) == [ident]
    # and when it is public again, it comes back under the same identifier
    set_access(archive_copy, PUBLIC_SLUG, access="public", embargo_until=None, published=True, status="ready",
               deleted_at=None)
    doc = call(c, verb="GetRecord", identifier=ident, metadataPrefix="oai_dc")
    assert doc.find(".//o:header", NS).get("status") is None
    assert doc.findtext(".//dc:title", namespaces=NS) == "Pop-up bazaar"


def test_purged_story_stays_deleted_and_its_reused_id_is_another_record(archive_copy, c):
    sid = story_id(archive_copy, PUBLIC_SLUG)
    call(c, verb="Identify")  # the interface has shown it
    with archive_copy.session() as s:
        s.execute(text("DELETE FROM stories WHERE id = :i"), {"i": sid})  # what trash.purge does to the row
        s.commit()
    assert deleted(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc")) == [f"oai:localhost:{sid}"]
    with archive_copy.session() as s:  # SQLite may hand the same id to a new story
        s.add(Story(id=sid, slug="nieuw", title="Nieuw verhaal", status="ready", access="public", language="nl",
                    created_at=dt.datetime(2026, 5, 20, 10, 0)))
        s.commit()
    doc = call(c, verb="ListRecords", metadataPrefix="oai_dc")
    assert ids(doc) == [f"oai:localhost:{sid}", f"oai:localhost:{sid}-2"]
    assert deleted(doc) == [f"oai:localhost:{sid}"]
    assert doc.findtext(".//dc:title", namespaces=NS) == "Nieuw verhaal"


def test_the_restricted_story_was_never_public_so_it_is_no_record(archive_copy, c):
    sid = story_id(archive_copy, SECRET_SLUG)
    for verb in ("GetRecord",):
        doc = call(c, verb=verb, identifier=f"oai:localhost:{sid}", metadataPrefix="oai_dc")
        assert error_of(doc) == "idDoesNotExist"
    doc = call(c, verb="ListRecords", metadataPrefix="oai_dc")
    assert f"oai:localhost:{sid}" not in ids(doc)


def test_an_embargo_lifting_by_its_date_makes_the_record_appear(archive_copy, make_app):
    lift = dt.date(2031, 3, 1)
    set_access(archive_copy, PUBLIC_SLUG, access="embargoed", embargo_until=lift)
    before = make_app(archive_copy, today=lift - dt.timedelta(days=1)).test_client()
    assert error_of(call(before, verb="ListRecords", metadataPrefix="oai_dc")) == "noRecordsMatch"
    after = make_app(archive_copy, today=lift).test_client()
    doc = call(after, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(ids(doc)) == 1 and not deleted(doc)
    assert doc.findtext(".//o:datestamp", namespaces=NS) >= "2031-03-01T00:00:00Z"
    assert len(ids(call(after, verb="ListIdentifiers", metadataPrefix="oai_dc", from_="2031-03-01"))) == 1


# -- the records table, without the web ---------------------------------------------------------


def _ctx(today=TODAY, now=None, **kw):
    return oai.Context(base_url="https://archief.example.nl/oai", host="archief.example.nl",
                       story_url=lambda slug: f"https://archief.example.nl/verhaal/{slug}", secret="s", today=today,
                       now=now, **kw)


def _respond(archive, ctx, **params):
    with archive.session() as s:
        body = oai.respond(s, ctx, list(params.items()))
    validate_xml(body, "oai-pmh")
    return etree.fromstring(body)


def test_an_edit_moves_the_datestamp_and_from_finds_it(archive_copy):
    t0, t1 = dt.datetime(2026, 6, 1, 9, 0, 0), dt.datetime(2026, 6, 1, 9, 30, 0)
    first = _respond(archive_copy, _ctx(now=t0), verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert [h.findtext("o:datestamp", namespaces=NS) for h in headers(first)] == ["2026-06-01T09:00:00Z"]
    # nothing changed: same datestamp, however often asked
    again = _respond(archive_copy, _ctx(now=t1), verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert [h.findtext("o:datestamp", namespaces=NS) for h in headers(again)] == ["2026-06-01T09:00:00Z"]
    with archive_copy.session() as s:  # an editor adds a theme: the record's sets and subjects change
        st = archive_copy.story(s, PUBLIC_SLUG)
        st.story_themes.append(StoryTheme(theme=get_or_create(s, Theme, "markt"), source="editor"))
        s.commit()
    doc = _respond(archive_copy, _ctx(now=t1), verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2026-06-01T09:00:01Z"})
    assert doc.findtext(".//o:datestamp", namespaces=NS) == "2026-06-01T09:30:00Z"
    assert [e.text for e in doc.findall(".//dc:subject", NS)] == ["werk", "markt"]
    assert "theme:markt" in [e.text for e in doc.findall(".//o:setSpec", NS)]
    # a proposed keyword is not shown, so it changes nothing
    with archive_copy.session() as s:
        st = archive_copy.story(s, PUBLIC_SLUG)
        st.story_themes.append(StoryTheme(theme=get_or_create(s, Theme, "geheimpje"), source="auto"))
        s.commit()
    doc = _respond(archive_copy, _ctx(now=t1 + dt.timedelta(hours=1)), verb="ListRecords", metadataPrefix="oai_dc")
    assert doc.findtext(".//o:datestamp", namespaces=NS) == "2026-06-01T09:30:00Z"
    assert "geheimpje" not in etree.tostring(doc).decode()


def test_the_repository_identifier_is_fixed_by_the_first_real_host(archive_copy, make_app):
    c = make_app(archive_copy, today=TODAY).test_client()
    sid = story_id(archive_copy, PUBLIC_SLUG)
    assert ids(call(c, verb="ListIdentifiers", metadataPrefix="oai_dc")) == [f"oai:localhost:{sid}"]
    r = c.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", headers={"Host": "archief.example.nl:8443"})
    validate_xml(r.data, "oai-pmh")
    assert ids(etree.fromstring(r.data)) == [f"oai:archief.example.nl:{sid}"]
    # reached by another name later: the same identifiers
    for host in ("localhost", "verhalen.andere-stad.nl", "127.0.0.1"):
        doc = etree.fromstring(c.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", headers={"Host": host}).data)
        assert ids(doc) == [f"oai:archief.example.nl:{sid}"], host
    idf = etree.fromstring(c.get("/oai?verb=Identify").data).find("o:Identify", NS)
    assert idf.findtext("o:adminEmail", namespaces=NS) == "beheer@archief.example.nl"
    assert oai.pinnable("archief.example.nl") and not oai.pinnable("localhost") and not oai.pinnable("10.0.0.1")
    assert not oai.pinnable("verhalen.local") and not oai.pinnable("x.test")


def test_two_requests_reconciling_at_once(archive_copy):
    """Two threads reconcile 300 new stories together: one writes, the other waits, nothing is doubled."""
    add_stories(archive_copy, 300)
    results, errors = [], []

    def run():
        try:
            results.append(_respond(archive_copy, _ctx(), verb="ListIdentifiers", metadataPrefix="oai_dc"))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert [len(ids(doc)) for doc in results] == [301, 301]
    with archive_copy.session() as s:
        assert s.scalar(select(func.count()).select_from(OAIRecord)) == 301


def test_a_reconcile_killed_midway_leaves_the_table_as_it_was(archive_copy):
    """Everything is one transaction: a process that dies before the COMMIT keeps the old records and the
    old key, so the next request does the whole reconcile again."""
    _respond(archive_copy, _ctx(), verb="Identify")
    set_access(archive_copy, PUBLIC_SLUG, access="researchers")
    with archive_copy.session() as s:
        key_before = s.execute(text("SELECT reconciled FROM oai_state")).scalar_one()

    def die():
        raise SystemExit("kill -9")

    with archive_copy.session() as s:
        s.commit = die
        with pytest.raises(SystemExit):
            oai.reconcile(s, _ctx())
        s.rollback()
    with archive_copy.session() as s:
        assert s.execute(text("SELECT reconciled FROM oai_state")).scalar_one() == key_before
        assert not s.execute(text("SELECT deleted FROM oai_records")).scalar_one()
    assert len(deleted(_respond(archive_copy, _ctx(), verb="ListIdentifiers", metadataPrefix="oai_dc"))) == 1


# -- a real harvester over a real server ------------------------------------------------------------


def test_sickle_harvests_everything_over_http(archive_copy, make_app):
    from sickle import Sickle

    add_stories(archive_copy, 11)
    app = make_app(archive_copy, today=TODAY)
    app.config["OAI_PAGE_SIZE"] = 4
    server = LiveServer(app)
    try:
        harvester = Sickle(f"{server.url}/oai", max_retries=0, timeout=30)
        identify = harvester.Identify()
        assert identify.repositoryName == "Verhalen" and identify.deletedRecord == "persistent"
        records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
        assert len(records) == 12 and not any(r.deleted for r in records)
        titles = sorted(r.metadata["title"][0] for r in records)
        assert "Pop-up bazaar" in titles and "Het koor" not in titles
        pop = next(r for r in records if r.metadata["title"] == ["Pop-up bazaar"])
        assert pop.metadata["contributor"] == ["Esseline (interviewer)"] and pop.metadata["type"] == ["Sound"]
        # the archive restricts two stories; the next harvest sees them as deleted
        set_access(archive_copy, "verhaal-3", access="researchers")
        set_access(archive_copy, "verhaal-7", published=False)
        headers_ = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
        assert len(headers_) == 12 and sum(h.deleted for h in headers_) == 2
        sets = {s.setSpec for s in harvester.ListSets()}
        assert sets == {"series", "series:levensverhalen", "theme", "theme:werk"}
        # POST, as some harvesters send
        post = Sickle(f"{server.url}/oai", http_method="POST", max_retries=0, timeout=30)
        assert len(list(post.ListIdentifiers(metadataPrefix="oai_dc"))) == 12
    finally:
        server.close()


# -- the migration ----------------------------------------------------------------------------------


def _alembic(engine, *steps):
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    from verhalen import catalog

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(catalog.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        for step in steps:
            getattr(command, step[0])(cfg, step[1])


def test_migration_0015_downgrades_and_upgrades(archive_copy):
    from sqlalchemy import inspect

    _respond(archive_copy, _ctx(), verb="Identify")
    engine = archive_copy.engine
    _alembic(engine, ("downgrade", "0014"))
    assert not {"oai_records", "oai_record_sets", "oai_state"} & set(inspect(engine).get_table_names())
    _alembic(engine, ("upgrade", "head"))
    assert {"oai_records", "oai_record_sets", "oai_state"} <= set(inspect(engine).get_table_names())
    assert len(ids(_respond(archive_copy, _ctx(), verb="ListIdentifiers", metadataPrefix="oai_dc"))) == 1


@pytest.mark.slow
def test_oai_on_postgresql(model_dir, tmp_path):
    from helpers import Postgres
    from verhalen import settings as settings_mod
    from verhalen.archive import Archive

    pg = Postgres()
    try:
        a = Archive(settings_mod.load(tmp_path / "archive", env={}, model=str(model_dir), database_url=pg.url))
        try:
            add_stories(a, 5)
            doc = _respond(a, _ctx(page_size=2), verb="ListRecords", metadataPrefix="oai_dc")
            assert len(ids(doc)) == 2 and doc.find(".//o:resumptionToken", NS).get("completeListSize") == "5"
            set_access(a, "verhaal-1", access="editors")
            assert len(deleted(_respond(a, _ctx(), verb="ListIdentifiers", metadataPrefix="oai_dc"))) == 1
            _alembic(a.engine, ("downgrade", "0014"), ("upgrade", "head"))
            # a downgrade forgets what was shown: the restricted story is no record at all now
            doc = _respond(a, _ctx(), verb="ListIdentifiers", metadataPrefix="oai_dc")
            assert len(ids(doc)) == 4 and not deleted(doc)
        finally:
            a.close()
    finally:
        pg.stop()
