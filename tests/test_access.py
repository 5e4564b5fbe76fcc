"""The one access rule (verhalen.access), and every route of the viewer checked against it.

A copy of the demo archive gets "het-koor" (narrator Amal, series Sleutelpersonen,
theme muziek, place Rotterdam shared with the public story) at each restricted
level; every route must then answer 404 or leave it out, including search
results and facet counts. The same routes answer 200 when the story is public,
so the enumeration cannot pass by accident.

Below the routes, the rule itself: its Python, SQL and index forms must pick the same stories
(and the index the same moments) for every access level, status, embargo, viewer and day.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from verhalen import access
from verhalen.catalog import Person, Segment, Story
from verhalen.index_sync import sync

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 1)
SLUG = "het-koor"

# Routes that belong to the restricted story (directly or through people/series/themes only it has).
OWN = [f"/verhaal/{SLUG}", f"/verhaal/{SLUG}.json", f"/media/{SLUG}/listen.mp3", f"/media/{SLUG}/listen.opus",
       *(f"/media/{SLUG}/transcript.{f}" for f in ("vtt", "srt", "txt", "json")), f"/media/{SLUG}/chapters.json",
       f"/media/{SLUG}/chapters.vtt", f"/iiif/{SLUG}/manifest.json", f"/media/{SLUG}/ohms.xml",
       f"/beeld/verhaal/{SLUG}/320.jpg", f"/beeld/verhaal/{SLUG}/160.webp",
       "/persoon/amal", "/beeld/persoon/amal/320.jpg", "/beeld/persoon/amal/640.webp",
       "/serie/sleutelpersonen", "/serie/sleutelpersonen/feed.xml", "/beeld/serie/sleutelpersonen/320.jpg",
       "/thema/muziek", f"/embed/{SLUG}", f"/embed/{SLUG}?t=4"]
# Routes shared with public material: they answer, but must not mention the story.
SHARED = ["/", "/?lang=en", "/themas", "/plaatsen", "/plaats/rotterdam", "/persoon/basma", "/serie/levensverhalen",
          "/serie/levensverhalen/feed.xml", "/sitemap.xml", "/robots.txt", "/zoeken", "/zoeken?q=dinsdag",
          "/zoeken?q=zingen+OR+perfume", "/zoeken?q=place:Rotterdam", "/zoeken?q=koor", "/zoeken?q=person:Amal",
          "/thema/werk", "/verhaal/pop-up-bazaar", "/verhaal/pop-up-bazaar.json",
          "/media/pop-up-bazaar/transcript.json", "/beeld/persoon/basma/160.jpg", "/feed.xml", "/embed/pop-up-bazaar"]
SECRETS = ["het-koor", "Het koor", "Amal", "Sleutelpersonen", "sleutelpersonen", "muziek", "dinsdag", "zingen"]
# OAI-PMH (web/oai.py): the harvest lists every public record and set; the restricted story is in none.
SHARED += ["/oai?verb=ListRecords&metadataPrefix=oai_dc", "/oai?verb=ListSets",
           "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc"]

RESTRICTED = {
    "researchers": dict(access="researchers"),
    "editors": dict(access="editors"),
    "embargoed-until-later": dict(access="embargoed", embargo_until=TODAY + dt.timedelta(days=1)),
    "public-but-unpublished": dict(access="public", published=False),
    "public-but-failed": dict(access="public", status="failed"),
}


def _prepare(archive, **changes) -> None:
    """Give het-koor cover art, Amal and Basma portraits, Sleutelpersonen artwork; apply `changes`; reindex."""
    home = archive.settings.home
    shutil.copyfile(DATA / "portrait_exif_rotated_gps.jpg", home / "pic.jpg")
    with archive.session() as s:
        st = archive.story(s, SLUG)
        st.recording.cover_art = "pic.jpg"
        st.chapters = [{"start": 0.0, "title": "Begin"}, {"start": 4.0, "title": "Dinsdag"}]
        st.series.artwork = "pic.jpg"
        for p in s.scalars(select(Person)):
            p.portrait = "pic.jpg"
        for key, value in {"access": "public", "embargo_until": None, "published": True, "status": "ready",
                           **changes}.items():
            setattr(st, key, value)
        s.commit()
        sync(archive.index, st)


@pytest.fixture
def client_on(make_app):
    """A test client of the app over an archive, on a given day (embargoes lift by the date)."""
    def client(archive, today=TODAY):
        return make_app(archive, today=today).test_client()
    return client


# Signed-in routes (login, the editors' workspace, the researchers' export) answer anonymous visitors with a
# redirect to /login; tests/test_editor_permissions.py enumerates those.
SIGNED_IN = ("auth", "editor", "export")


def _routes_of(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules()
            if r.endpoint != "static" and r.endpoint.split(".")[0].split("_")[0] not in SIGNED_IN}


def test_enumeration_covers_every_route(archive_copy, make_app):
    app = make_app(archive_copy)
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(url.split("?")[0])[0] for url in OWN + SHARED}
    assert _routes_of(app) <= covered, f"routes missing from the access test: {_routes_of(app) - covered}"


def test_public_story_answers_everywhere(archive_copy, client_on):
    """Control: with het-koor public, every one of its routes works and it shows in lists and search."""
    _prepare(archive_copy)
    c = client_on(archive_copy)
    for url in OWN:
        assert c.get(url).status_code == 200, url
    assert "Het koor" in c.get("/").get_data(as_text=True)
    assert "het-koor" in c.get("/sitemap.xml").get_data(as_text=True)
    page = c.get("/zoeken?q=place:Rotterdam").get_data(as_text=True)
    assert "2 verhalen gevonden" in page and "Sleutelpersonen" in page


@pytest.mark.parametrize("variant", sorted(RESTRICTED))
def test_restricted_story_is_404_or_absent_on_every_route(archive_copy, client_on, variant):
    _prepare(archive_copy, **RESTRICTED[variant])
    c = client_on(archive_copy)
    for url in OWN:
        r = c.get(url)
        assert r.status_code == 404, (variant, url, r.status_code)
        body = r.get_data(as_text=True).replace(url, "")  # the language links repeat the path asked for
        assert not [s for s in SECRETS if s in body], url
    missing = c.get("/verhaal/bestaat-niet")
    hidden = c.get(f"/verhaal/{SLUG}").get_data(as_text=True).replace(SLUG, "x")
    assert hidden == missing.get_data(as_text=True).replace("bestaat-niet", "x"), "hidden and missing must look the same"
    for url in SHARED:
        r = c.get(url)
        assert r.status_code in (200, 400), (variant, url)
        body = r.get_data().decode("utf-8", "replace")
        leaked = [s for s in SECRETS if s in body and not (s == "dinsdag" and "q=dinsdag" in url or
                                                           s in url.replace("+", " ") or s.lower() in url.lower())]
        assert not leaked, (variant, url, leaked)
    # search counts and facets: only the public story
    page = c.get("/zoeken?q=place:Rotterdam&lang=nl").get_data(as_text=True)
    assert "1 verhaal gevonden" in page
    assert 'data-facet="series"' in page and "Levensverhalen" in page and "Sleutelpersonen" not in page


@pytest.mark.parametrize("variant", sorted(RESTRICTED))
def test_oai_pmh_knows_no_restricted_story_and_shows_a_withdrawn_one_as_deleted(archive_copy, client_on, variant):
    """GetRecord of the restricted story's identifier is idDoesNotExist, as for one that never existed; once it
    was public and then restricted, it is a deleted record: identifier and datestamp, nothing of what it was."""
    with archive_copy.session() as s:
        ident = f"oai:localhost:{archive_copy.story(s, SLUG).id}"
    get = f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={ident}"
    _prepare(archive_copy, **RESTRICTED[variant])
    c = client_on(archive_copy)
    body = c.get(get).get_data(as_text=True)
    assert 'code="idDoesNotExist"' in body and not [s for s in SECRETS if s in body], variant
    _prepare(archive_copy)  # public: harvested
    assert "Het koor" in c.get(get).get_data(as_text=True)
    _prepare(archive_copy, **RESTRICTED[variant])  # withdrawn
    for url in (get, "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/oai?verb=ListSets"):
        body = c.get(url).get_data(as_text=True)
        leaked = [s for s in SECRETS if s in body]
        assert not leaked, (variant, url, leaked)
    assert f'<header status="deleted"><identifier>{ident}</identifier>' in c.get(get).get_data(as_text=True)


def test_embargo_lifts_by_itself_when_its_date_passes(archive_copy, client_on):
    lift = dt.date(2030, 1, 1)
    _prepare(archive_copy, access="embargoed", embargo_until=lift)
    before, on_the_day = client_on(archive_copy, lift - dt.timedelta(days=1)), client_on(archive_copy, lift)
    for url in (f"/verhaal/{SLUG}", f"/media/{SLUG}/listen.mp3", "/serie/sleutelpersonen/feed.xml"):
        assert before.get(url).status_code == 404, url
        assert on_the_day.get(url).status_code == 200, url
    assert "Het koor" in on_the_day.get("/zoeken?q=dinsdag").get_data(as_text=True)
    assert "Het koor" not in before.get("/zoeken?q=dinsdag").get_data(as_text=True)


# -- the rule itself, without the web --------------------------------------------------


def _story(**kw):
    base = dict(published=True, status="ready", access="public", embargo_until=None)
    return SimpleNamespace(**{**base, **kw})


@pytest.mark.parametrize("kw, levels, expected", [
    ({}, access.PUBLIC, True),
    ({"access": "researchers"}, access.PUBLIC, False),
    ({"access": "researchers"}, frozenset({"public", "researchers"}), True),
    ({"access": "editors"}, frozenset({"public", "researchers"}), False),
    ({"access": "embargoed", "embargo_until": TODAY}, access.PUBLIC, True),
    ({"access": "embargoed", "embargo_until": TODAY + dt.timedelta(days=1)}, access.PUBLIC, False),
    ({"access": "embargoed", "embargo_until": None}, access.PUBLIC, False),
    ({"published": False}, access.PUBLIC, False),
    ({"status": "pending"}, access.PUBLIC, False),
    ({"status": "needs_transcript"}, access.PUBLIC, True),
])
def test_visible(kw, levels, expected):
    assert access.visible(_story(**kw), levels, TODAY) is expected


def test_sql_clause_agrees_with_visible(archive_copy):
    cases = [dict(), dict(access="researchers"), dict(access="embargoed", embargo_until=TODAY),
             dict(access="embargoed", embargo_until=TODAY + dt.timedelta(days=3)), dict(published=False),
             dict(status="pending")]
    for kw in cases:
        with archive_copy.session() as s:
            st = archive_copy.story(s, SLUG)
            for key, value in {"access": "public", "embargo_until": None, "published": True, "status": "ready",
                               **kw}.items():
                setattr(st, key, value)
            s.commit()
            in_sql = s.scalar(select(Story.id).where(Story.slug == SLUG, access.clause(access.PUBLIC, TODAY)))
            assert (in_sql is not None) == access.visible(st, access.PUBLIC, TODAY), kw


def test_levels_for_anonymous_is_public():
    assert access.levels_for(None) == frozenset({"public"})
    assert access.levels_for(SimpleNamespace(levels={"researchers"})) == frozenset({"public", "researchers"})


# -- the three forms of the rule agree: Python (visible), SQL (clause) and the index (visibility) --------
#
# Checked to catch a real divergence by breaking one form at a time (monkeypatched, never committed):
#   clause() lifting an embargo the day after its date (`embargo_until < today`)  -> "SQL form disagrees"
#   the index filter lifting it the day after (NumericRange up to today - 1 day) -> "index hides ..."
#   index_sync.story_doc indexing unpublished stories at their own level           -> "index shows ..."
#   visible() forgetting the published check                                     -> "SQL form disagrees"
#   index_sync.story_doc keeping redacted segments                                 -> "moments ..."
# It found one real one: the index filter hid embargoed stories before their date from editors and admins
# (who have the "embargoed" level); index/store.py's _visibility_filter now admits them.

WORD = "zeppelin"  # said in no title and in only the segments below that mean to say it
ANCHOR = dt.date(2026, 6, 1)
EMBARGOES = {"none": None, "past": ANCHOR - dt.timedelta(days=30), "today": ANCHOR,
             "future": ANCHOR + dt.timedelta(days=30)}  # named as seen on ANCHOR
STATUSES = ("ready", "needs_transcript", "pending", "failed")
# Anonymous visitors and each role, turned into levels by levels_for as web/app.py does.
VIEWERS = {"anonymous": None, **{f"role {r}": SimpleNamespace(role=r) for r in access.ROLE_LEVELS}}
# Days on which each embargo date above is ahead, on the day, and behind.
DAYS = [ANCHOR + dt.timedelta(days=d) for d in (-31, -30, -1, 0, 1, 30, 365)]


@pytest.fixture(scope="module")
def every_kind_of_story(model_dir, tmp_path_factory):
    """A real archive (catalog and index on tmp_path) with one story per access level x published x status x
    embargo: 128 stories, each with two segments saying WORD, one that does not and a redacted one that does,
    indexed by verhalen.index_sync.sync as the pipeline does. Yields (archive, {story id: WORD's segment ids})."""
    from verhalen import settings as settings_mod
    from verhalen.archive import Archive
    from verhalen.catalog import ACCESS_LEVELS, Segment

    a = Archive(settings_mod.load(tmp_path_factory.mktemp("forms") / "archive", env={}, model=str(model_dir)))
    with a.session() as s:
        stories = []
        for level in ACCESS_LEVELS:
            for published in (True, False):
                for status in STATUSES:
                    for name, until in EMBARGOES.items():
                        slug = f"{level}-{'pub' if published else 'unpub'}-{status}-{name}"
                        st = Story(slug=slug, title=slug.replace("-", " "), access=level, published=published,
                                   status=status, embargo_until=until, language="nl")
                        st.segments = [Segment(start=0.0, end=2.0, text=f" De {WORD} vloog over."),
                                       Segment(start=2.0, end=4.0, text=" Daarna regende het."),
                                       Segment(start=4.0, end=6.0, text=f" Geheim: de {WORD} landde.", redacted=True),
                                       Segment(start=6.0, end=8.0, text=f" Nog een {WORD} aan de lucht.")]
                        stories.append(st)
        s.add_all(stories)
        s.commit()
        for st in stories:
            sync(a.index, st)
        said = {st.id: {seg.id for seg in st.segments if WORD in seg.text and not seg.redacted} for st in stories}
    assert len(said) == len(ACCESS_LEVELS) * 2 * len(STATUSES) * len(EMBARGOES)
    yield a, said
    a.close()


def _search_all_pages(index, levels, today) -> dict[int, set[int]]:
    """{story id: segment ids of its moments} that search finds for WORD, page by page as web/search.py asks."""
    found: dict[int, set[int]] = {}
    page = 1
    while True:
        result = index.search(WORD, access.visibility(levels, today), page=page, per_page=10)
        for hit in result.stories:
            assert hit.story_id not in found, f"{hit.slug} on two pages"
            found[hit.story_id] = {m.segment_id for m in hit.hits}
        if page >= result.pages:
            break
        page += 1
    assert result.total == len(found), "the total counts the stories the pages list"
    return found


@pytest.mark.parametrize("today", DAYS, ids=str)
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_python_sql_and_index_forms_agree(every_kind_of_story, viewer, today):
    """For every viewer and day: the stories visible() accepts == those clause() selects == those the index's
    search finds for WORD, and each found story's moments are exactly its unredacted segments saying WORD."""
    a, said = every_kind_of_story
    levels = access.levels_for(VIEWERS[viewer])
    with a.session() as s:
        stories = {st.id: st for st in s.scalars(select(Story))}
        in_python = {i for i, st in stories.items() if access.visible(st, levels, today)}
        in_sql = set(s.scalars(select(Story.id).where(access.clause(levels, today))))
    assert in_python, "every viewer sees some story on every day (else the comparison proves little)"

    def names(ids):
        return sorted(stories[i].slug for i in ids)

    assert (names(in_sql - in_python), names(in_python - in_sql)) == ([], []), "SQL form disagrees (extra, missing)"
    found = _search_all_pages(a.index, levels, today)
    assert names(set(found) - in_python) == [], "index shows stories the rule hides"
    assert found == {i: said[i] for i in found}, "moments: a found story's unredacted segments saying the word"
    assert names(in_python - set(found)) == [], "index hides stories the rule shows"


def test_a_reader_who_may_see_no_story_finds_nothing(archive):
    """whoosh reads an empty filter as no filter: an archive whose every story is restricted once showed
    them all to anonymous searchers."""
    with archive.session() as s:
        st = Story(slug="alleen-onderzoek", title="Alleen onderzoek", access="researchers", status="ready",
                   language="nl")
        st.segments = [Segment(start=0.0, end=2.0, text=f" De {WORD} vloog over.")]
        s.add(st)
        s.commit()
        sync(archive.index, st)
    assert archive.index.search(WORD, access.visibility(access.PUBLIC)).total == 0
    assert archive.index.search(WORD, access.visibility(access.levels_for(SimpleNamespace(role="researcher")))).total == 1
