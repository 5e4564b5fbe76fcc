"""The story page as an interview reader, through the real app (Flask's test client): the table of contents,
speaker names on turns, search inside the story (server-side, so it works without JavaScript), deep-link
markup, and what search inside a story must never show (redacted text, a restricted story).

The data is written through the catalog on a copy of the demo archive, as the speakers stage, the draft index
and an editor's redaction would leave it, so these tests do not wait on those stages.
"""

from __future__ import annotations

import re
import shutil
from types import SimpleNamespace

import pytest

from helpers import PASSWORD, login
from verhalen import settings as settings_mod
from verhalen import users
from verhalen.archive import Archive
from verhalen.catalog import IndexPoint, Segment
from verhalen.web import story_search, transcript_html

SLUG = "het-koor"  # researchers only in the demo archive
PASSAGES = [  # start, end, text, voice, redacted
    (0.0, 4.0, "Het koor begon met een paar zangers uit Syrië en Turkije.", "A", False),
    (4.0, 8.0, "Nu zingen er vijfendertig mensen in ons koor.", "B", False),
    (8.0, 10.0, "Ze komen uit het hele land.", "B", False),
    (10.0, 12.0, "We repeteren elke dinsdag in een buurthuis.", None, True),
]


def _words(text: str, start: float, end: float) -> list:
    parts = text.split()
    step = (end - start) / len(parts)
    return [[round(start + i * step, 2), round(start + (i + 1) * step, 2), " " + w, 0.9] for i, w in enumerate(parts)]


@pytest.fixture(scope="module")
def reader(demo_archive, make_app, tmp_path_factory):
    """The demo archive copied, with het-koor's transcript as an editor corrected it, two voices (A named
    Amal, B without a name), its last passage redacted, a table of contents, pop-up-bazaar without any
    index, and a researcher account."""
    home = tmp_path_factory.mktemp("reader") / "archive"
    shutil.copytree(demo_archive.settings.home, home)
    a = Archive(settings_mod.load(home, env={}, model=str(demo_archive.settings.model)))
    with a.session() as s:
        st = a.story(s, SLUG)
        for seg in list(st.segments):
            s.delete(seg)
        s.flush()
        st.segments = [Segment(start=b, end=e, text=" " + t, language="nl", words=_words(t, b, e), voice=v,
                               redacted=r) for b, e, t, v, r in PASSAGES]
        st.voices = {"A": {"name": "Amal", "by": "editor"}, "B": {"name": None, "by": "auto"}}
        st.index_points = [
            IndexPoint(start=0.0, title="Hoe het begon", synopsis="Amal vertelt over de eerste zangers.",
                       keywords=["koor", "Syrië"], place="Rotterdam", source="editor"),
            IndexPoint(start=8.0, title="Het koor <nu>", source="editor"),
            # a draft point whose words were redacted afterwards stays off the page (index_points.shown_points)
            IndexPoint(start=10.0, title="Elke dinsdag in een buurthuis", source="draft"),
        ]
        bare = a.story(s, "pop-up-bazaar")
        bare.index_points, bare.chapters = [], []  # a story without any index
        users.add(s, "onderzoeker", PASSWORD, "researcher")
        s.commit()
    app = make_app(a)
    yield app
    a.close()


@pytest.fixture(scope="module")
def researcher(reader):
    """Signed in once for the module: a login costs a deliberately slow password hash."""
    c = reader.test_client()
    assert login(c, "onderzoeker").status_code == 302
    return c


def _page(client, url: str, status: int = 200) -> str:
    if "lang=" not in url:  # the client keeps the language cookie of an earlier ?lang=en
        url += ("&" if "?" in url else "?") + "lang=nl"
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


def _hits(page: str) -> list[str]:
    return re.findall(r'<a class="moment" href="([^"]+)"', page)


def test_search_inside_a_story_follows_the_archives_dutch_analysis(researcher):
    page = _page(researcher, f"/verhaal/{SLUG}?q=koren")
    assert "2 passages gevonden" in page
    assert _hits(page) == [f"/verhaal/{SLUG}?q=koren&amp;t=0#t=00:00", f"/verhaal/{SLUG}?q=koren&amp;t=7#t=00:07"], \
        "one hit per passage, linked to the second its matching word is said"
    snippets = re.findall(r'<span class="snippet">(.*?)</span></a>', page)
    assert "<mark>koor</mark>" in snippets[0] and "<mark>koor.</mark>" not in snippets[1]
    assert "<mark>koor</mark>." in snippets[1], "the match is marked, not the punctuation after it"
    # the same words are marked in the transcript itself, and their passages are hits
    assert re.search(r'<p class="seg turn hit" id="s\d+" data-start="0.0"', page)
    assert re.search(r'<span class="w" data-t="0.36"><mark>koor</mark></span>', page)
    # every word of the query must be in the passage; accents fold; phrases keep their order
    assert len(_hits(_page(researcher, f"/verhaal/{SLUG}?q=koor+zingen"))) == 1
    assert len(_hits(_page(researcher, f"/verhaal/{SLUG}?q=syrie"))) == 1
    assert len(_hits(_page(researcher, f"/verhaal/{SLUG}?q=%22paar+zangers%22"))) == 1
    none = _page(researcher, f"/verhaal/{SLUG}?q=%22zangers+paar%22")
    assert "Niets gevonden in dit verhaal voor &#34;zangers paar&#34;." in none and not _hits(none)


def test_redacted_text_is_never_found(researcher):
    page = _page(researcher, f"/verhaal/{SLUG}?q=dinsdag")
    assert "Niets gevonden in dit verhaal" in page and not _hits(page)
    assert "dinsdag" not in page.split('id="transcript"')[1], "the redacted words appear nowhere"
    assert "buurthuis" not in page and "repeteren" not in page
    assert "[afgeschermd, 2 s]" in page
    # a phrase reaching across the redacted passage's border finds nothing either
    assert not _hits(_page(researcher, f"/verhaal/{SLUG}?q=%22hele+land+we%22"))


@pytest.mark.parametrize("q, dutch, english", [
    ("%22koor", "los aanhalingsteken", "quote that is not closed"),
    ("a" * 201, "hoogstens 200 tekens", "at most 200 characters"),
    ("+".join(f"w{i}" for i in range(13)), "hoogstens 12 woorden", "at most 12 words"),
    ("%22%22", "geen woorden om op te zoeken", "no words to search for"),
])
def test_a_bad_query_is_explained_in_dutch_and_english(researcher, q, dutch, english):
    page = _page(researcher, f"/verhaal/{SLUG}?q={q}", 400)
    assert 'role="alert"' in page and dutch in page and "Deze zoekvraag begrijpen we niet" in page
    assert 'id="transcript"' in page, "the story stays readable under the message"
    en = _page(researcher, f"/verhaal/{SLUG}?q={q}&lang=en", 400)
    assert english in en and "We cannot understand this search" in en


def test_a_restricted_storys_search_does_not_leak(reader, researcher):
    assert "zangers" in _page(researcher, f"/verhaal/{SLUG}?q=koor")  # a researcher sees it
    anon = reader.test_client()
    for url in (f"/verhaal/{SLUG}?q=koor", f"/verhaal/{SLUG}?q=%22koor", f"/verhaal/{SLUG}?q=koor&t=4"):
        r = anon.get(url)
        body = r.get_data(as_text=True)
        assert r.status_code == 404, url
        assert "zangers" not in body and "<mark>" not in body and "passage" not in body


def test_table_of_contents_speakers_and_deep_link_without_javascript(researcher):
    page = _page(researcher, f"/verhaal/{SLUG}?t=5")
    toc = page.split('<nav class="toc"')[1].split("</nav>")[0]
    assert '<h2 id="h-chapters">Hoofdstukken</h2>' in toc
    assert re.findall(r'<a class="part" href="([^"]+)" data-t="([^"]+)">', toc) == [
        ("?t=0#t=00:00", "0.0"), ("?t=8#t=00:08", "8.0")]
    assert "Hoe het begon" in toc and "Het koor &lt;nu&gt;" in toc and "buurthuis" not in toc
    assert "<summary>Samenvatting" in toc and "Amal vertelt over de eerste zangers." in toc
    assert "koor, Syrië" in toc and "Rotterdam" in toc
    # speaker names on turns only: Amal (voice A's name), then the unnamed voice B once for its two passages
    speakers = re.findall(r'<span class="speaker"([^>]*)>([^<]+)</span>', page)
    assert speakers == [("", "Amal:"), (' lang="nl"', "Spreker B:")], "a voice's label is in the page's language"
    assert '<span class="speaker" lang="en">Speaker B:</span>' in _page(researcher, f"/verhaal/{SLUG}?lang=en")
    # the deep link's passage is marked, with the fragment's anchor, so the browser scrolls there by itself
    target = re.search(r'<p class="seg([^"]*) target" id="s\d+" data-start="4.0"[^>]*><span class="anchor" '
                       r'id="t=00:05"></span>', page)
    assert target, "the passage said at 00:05 is the target"
    assert page.count(" target\"") == 1
    assert 'src="/media/het-koor/listen.mp3#t=5"' in page, "the media fragment starts there without JS"
    assert "Deze link begint bij 00:05." in page
    assert re.search(r'<button type="button" id="play-from" class="play-from" data-t="5.0" hidden>'
                     r'Afspelen vanaf 00:05</button>', page)
    assert re.search(r'<div class="controls" id="controls" role="group" aria-label="Bediening van de speler" '
                     r'hidden>', page), "buttons that need JavaScript are hidden without it"
    for label in ("15 seconden terug", "15 seconden vooruit", "Afspeelsnelheid 1×", "Vorig deel", "Volgend deel"):
        assert f'aria-label="{label}"' in page
    assert '<a class="skip" href="#speler">Naar de speler</a>' in page and 'id="speler" tabindex="-1"' in page
    # a moment inside the redacted stretch lands on its marker
    muted = _page(researcher, f"/verhaal/{SLUG}?t=11")
    assert re.search(r'<p class="seg redacted-marker target" data-start="10.0"[^>]*><span class="anchor" '
                     r'id="t=00:11">', muted)


def test_no_contents_where_the_story_has_none(reader):
    """Without index points or chapter marks: no table of contents, no part buttons, the rest of the player."""
    page = _page(reader.test_client(), "/verhaal/pop-up-bazaar")
    assert 'class="toc"' not in page and 'id="next-part"' not in page and 'id="speed"' in page


def test_speaker_names_rule():
    rows = [SimpleNamespace(id=i, speaker=sp) for i, sp in enumerate(["Esseline", None, None, None, None, "Karim"])]
    voices = {1: "A", 2: "A", 3: "B", 5: "B"}
    names = {"A": {"name": "Amal"}, "B": {"name": None}}
    label = lambda text, **v: text.format(**v) if v else text  # noqa: E731 - gettext's shape
    assert transcript_html.speaker_names(rows, voices, names, label) == [
        "Esseline", "Amal", None, "Spreker B", None, "Karim"]


def test_query_parsing_limits():
    assert story_search.parse('koren "Eigen Bakkerij" koor') == (("eig", "bakkerij"), ("kor",))
    for text, kind in (("", "empty"), ('"open', "quote"), ("x" * 201, "too_long"), ("... !!", "no_words")):
        with pytest.raises(story_search.BadQuery) as e:
            story_search.parse(text)
        assert e.value.kind == kind
