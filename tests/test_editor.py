"""The editors' workspace through the Flask test client: upload, jobs, publishing, consent, transcript correction."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import DATA, csrf_of, login
from verhalen import jobs
from verhalen.catalog import SegmentEdit, Story

JSON = {"Accept": "application/json"}


def _story_count(archive) -> int:
    with archive.session() as s:
        return s.scalar(select(func.count(Story.id)))


def _leftovers(archive) -> list[Path]:
    folder = archive.settings.home / "incoming"
    return list(folder.iterdir()) if folder.exists() else []


def _upload(client, path: Path | None = None, data: bytes | None = None, name: str | None = None, **fields):
    token = csrf_of(client.get("/editor/upload").get_data(as_text=True))
    body = {"csrf_token": token, "title": "Wijkagenda", "access": "public", "language": "detect", **fields}
    if path is not None or data is not None:
        body["recording"] = (io.BytesIO(data if data is not None else path.read_bytes()), name or path.name)
    return client.post("/editor/upload", data=body, content_type="multipart/form-data")


def _immediate(app):
    """Run queued jobs inline (Huey's immediate mode: same tasks, no consumer)."""
    huey = jobs.make_huey(app.config["SETTINGS"])
    huey.immediate = True
    app.extensions["verhalen_huey"] = huey
    return huey



def meta_version_of(page: str) -> str:
    """The story version an editor's page was made from (sent back with each story form)."""
    m = re.search(r'name="meta_version" value="(\d+)"', page)
    assert m, "no meta_version on the page"
    return m.group(1)

def test_upload_streams_to_disk_queues_a_hidden_story_and_publishing_shows_it(workspace, editor_client):
    archive = workspace.archive
    r = _upload(editor_client, DATA / "nl_wijkagenda.opus", title="Wijkagenda", description="De agenda van de wijk",
                recorded="2024-09-01", series="Buurtnieuws", places="Rotterdam, Delfshaven", themes="buurt",
                person_name=["Noor", ""], person_role=["host", "narrator"], access="public", language="nl",
                consent_notes="Mondeling akkoord, 1 sept.",
                consent_file=(io.BytesIO(b"%PDF-1.4 handtekening"), "toestemming noor.pdf"))
    assert r.status_code == 302 and r.headers["Location"] == "/editor/jobs#job-wijkagenda"
    assert _leftovers(archive) == [], "the streamed upload is gone from incoming/"
    with archive.session() as s:
        st = archive.story(s, "wijkagenda")
        assert (st.published, st.status, st.created_by, st.language_requested) == (False, "pending", "esseline", "nl")
        assert st.consent_notes == "Mondeling akkoord, 1 sept." and st.consent_file.startswith("consent/")
        assert (archive.settings.home / st.consent_file).read_bytes() == b"%PDF-1.4 handtekening"
        assert [(c.person.name, c.role) for c in st.credits] == [("Noor", "host")]
        assert [p.name for p in st.places] == ["Rotterdam", "Delfshaven"] and st.series.name == "Buurtnieuws"
        assert {x.stage: x.state for x in st.stages} == {"probe": "done", "store": "done"}
        story_id = st.id
    assert jobs.make_huey(archive.settings).pending_count() == 1, "a job is queued"
    page = editor_client.get("/editor/jobs").get_data(as_text=True)
    assert 'id="job-wijkagenda"' in page and "in behandeling" in page

    jobs.process(archive, story_id)  # what the worker does with the job (real model)
    state = editor_client.get("/editor/jobs.json").get_json()
    job = next(j for j in state["jobs"] if j["slug"] == "wijkagenda")
    assert job["finished"] and job["status"] == "ready" and not job["published"]
    assert all(st["state"] == "done" and st["percent"] == 100 for st in job["stages"])
    anonymous = workspace.test_client()
    assert anonymous.get("/verhaal/wijkagenda").status_code == 404, "not public until an editor publishes it"
    assert "Wijkagenda" not in anonymous.get("/zoeken?q=Delfshaven").get_data(as_text=True)

    page = editor_client.get("/editor/story/wijkagenda").get_data(as_text=True)
    r = editor_client.post("/editor/story/wijkagenda/publish", data={"csrf_token": csrf_of(page), "published": "1",
                                                                      "meta_version": meta_version_of(page)})
    assert r.status_code == 302
    assert anonymous.get("/verhaal/wijkagenda").status_code == 200
    assert "Wijkagenda" in anonymous.get("/zoeken?q=Delfshaven").get_data(as_text=True)
    assert anonymous.get(f"/{Path(st.consent_file)}").status_code == 404
    consent = editor_client.get("/editor/story/wijkagenda/consent-file")
    assert consent.status_code == 200 and consent.data == b"%PDF-1.4 handtekening"
    assert anonymous.get("/editor/story/wijkagenda/consent-file").status_code == 302


@pytest.mark.parametrize("data, name, message", [
    (b"", "leeg.wav", "leeg.wav is leeg (0 bytes)."),
    (b"Dit is gewoon tekst, geen geluid.\n" * 20, "interview.wav", "interview.wav is een tekstbestand, geen audio."),
    ((DATA / "fake_header.flac").read_bytes(), "fake_header.flac", "fake_header.flac"),
])
def test_empty_or_non_audio_upload_gets_the_message_and_stores_nothing(workspace, editor_client, data, name, message):
    archive = workspace.archive
    before = _story_count(archive), sorted(archive.settings.originals_dir.rglob("*"))
    r = _upload(editor_client, data=data, name=name, title="Geen geluid")
    page = r.get_data(as_text=True)
    assert r.status_code == 415, page
    assert 'id="err-recording"' in page and 'aria-describedby="err-recording"' in page
    assert message in re.search(r'id="err-recording">([^<]*)<', page).group(1)
    assert 'value="Geen geluid"' in page, "the form keeps what was typed"
    assert (_story_count(archive), sorted(archive.settings.originals_dir.rglob("*"))) == before
    assert _leftovers(archive) == []


def test_duplicate_upload_names_the_story_it_already_is(editor_client, workspace):
    r = _upload(editor_client, DATA / "en_market.wav", title="Nog een keer")
    assert r.status_code == 409 and "pop-up-bazaar" in r.get_data(as_text=True)


def test_missing_title_is_shown_at_the_field(editor_client, workspace):
    r = _upload(editor_client, DATA / "nl_wijkagenda.opus", title="", access="embargoed")
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="err-title"' in page and 'id="err-embargo_until"' in page
    assert _leftovers(workspace.archive) == [] and _story_count(workspace.archive) == 2


def test_upload_over_the_limit_gets_a_clear_413(workspace, make_app):
    app = make_app(workspace.archive, max_upload_mb=1)
    c = app.test_client()
    login(c, "esseline")
    r = _upload(c, data=b"\0" * (2 * 1024 * 1024), name="groot.wav")
    assert r.status_code == 413
    assert "te groot" in r.get_data(as_text=True) and "1 MB" in r.get_data(as_text=True)
    assert _leftovers(workspace.archive) == [] and _story_count(workspace.archive) == 2


def test_interrupted_upload_leaves_no_file_and_no_row(workspace, editor_client):
    archive = workspace.archive
    token = csrf_of(editor_client.get("/editor/upload").get_data(as_text=True))
    boundary = "grens"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nAfgebroken\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"recording\"; filename=\"lang.wav\"\r\n"
            "Content-Type: audio/wav\r\n\r\n").encode()
    partial = head + (DATA / "en_market.wav").read_bytes()[:200_000]  # the connection drops here
    r = editor_client.post("/editor/upload", input_stream=io.BytesIO(partial), content_length=len(partial) + 500_000,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 400
    assert _leftovers(archive) == [] and _story_count(archive) == 2


def test_a_failure_while_accepting_leaves_nothing_behind(workspace, editor_client, monkeypatch):
    from verhalen.web.editor import upload as editor_upload

    def broken(*a, **kw):
        raise OSError("disk full")

    monkeypatch.setattr(editor_upload.pipeline, "accept", broken)
    r = _upload(editor_client, DATA / "nl_wijkagenda.opus")
    assert r.status_code == 500
    assert _leftovers(workspace.archive) == [] and _story_count(workspace.archive) == 2


def test_stale_part_files_are_removed_at_startup(workspace, make_app):
    import os
    import time

    folder = workspace.archive.settings.incoming_dir
    folder.mkdir(exist_ok=True)
    old = time.time() - 3600
    for stale in (folder / "upload-abc.part", folder / "upload-xyz"):
        stale.mkdir() if stale.suffix != ".part" else stale.write_bytes(b"half")
        os.utime(stale, (old, old))
    # Another server process is receiving this one right now (serve --processes N): it stays.
    (folder / "upload-live.part").write_bytes(b"arriving")
    make_app(workspace.archive)
    assert [p.name for p in folder.iterdir()] == ["upload-live.part"]


def _fail_stage(archive, slug: str, stage: str, error: str) -> int:
    with archive.session() as s:
        st = archive.story(s, slug)
        st.stage(stage).state, st.stage(stage).error = "failed", error
        st.status = "failed"
        s.commit()
        return st.id


def test_jobs_page_shows_errors_in_plain_words_and_retry_runs_the_stage_again(workspace, editor_client, monkeypatch):
    from verhalen.web.editor import jobs as editor_jobs

    archive = workspace.archive
    story_id = _fail_stage(archive, "pop-up-bazaar", "audio", "ffmpeg could not read en_market.wav")
    page = editor_client.get("/editor/jobs").get_data(as_text=True)
    assert "Dit ging mis bij “Geluid omzetten”: ffmpeg could not read en_market.wav" in page
    assert f'action="/editor/jobs/{story_id}/retry"' in page and "Opnieuw proberen" in page
    huey = _immediate(workspace)
    calls, real = [], jobs.enqueue
    monkeypatch.setattr(editor_jobs.queue, "enqueue", lambda h, sid, redo=(): (calls.append((sid, redo)), real(h, sid, redo)))
    r = editor_client.post(f"/editor/jobs/{story_id}/retry", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 302 and huey.immediate
    assert calls == [(story_id, ("audio", "speakers", "keywords", "contents", "index"))], "the failed stage and the ones after it, keeping the transcript"
    with archive.session() as s:
        st = archive.story(s, "pop-up-bazaar")
        assert st.status == "ready" and st.stage("audio").state == "done" and st.stage("audio").attempts >= 2
    assert "ffmpeg could not read" not in editor_client.get("/editor/jobs").get_data(as_text=True)


def test_jobs_json_reports_progress_and_eta(workspace, editor_client):
    archive = workspace.archive
    with archive.session() as s:
        st = archive.story(s, "het-koor")
        st.status = "pending"
        t = st.stage("transcript")
        t.state, t.progress, t.eta_seconds = "running", 0.42, 75.0
        for later in ("keywords", "index"):
            st.stage(later).state = "pending"
        s.commit()
    job = next(j for j in editor_client.get("/editor/jobs.json").get_json()["jobs"] if j["slug"] == "het-koor")
    running = job["running"]
    assert (running["stage"], running["percent"], running["eta"]) == ("transcript", 42, "nog ongeveer 1 min 15 s")
    assert not job["finished"] and not job["retry"]
    page = editor_client.get("/editor/jobs?lang=en").get_data(as_text=True)
    assert 'value="42"' in page and "42%" in page and "about 1 min 15 s left" in page


def _segment(client, slug: str, contains: str) -> tuple[int, int, str]:
    page = client.get(f"/editor/story/{slug}").get_data(as_text=True)
    for m in re.finditer(r'<form method="post" class="seg-edit[^"]*" id="s(\d+)".*?name="version" value="(\d+)"'
                         r'.*?<textarea[^>]*>([^<]*)</textarea>', page, re.S):
        if contains in m.group(3).lower():
            return int(m.group(1)), int(m.group(2)), csrf_of(page)
    raise AssertionError(f"no segment with {contains!r}")


def test_two_editors_saving_the_same_segment_the_second_gets_a_conflict(workspace, editor_client):
    karim = workspace.test_client()
    login(karim, "karim")
    sid, version, token = _segment(editor_client, "pop-up-bazaar", "perfume")
    sid2, version2, token2 = _segment(karim, "pop-up-bazaar", "perfume")
    assert (sid, version) == (sid2, version2)
    url = f"/editor/story/pop-up-bazaar/segment/{sid}/save"
    text = "At the pop-up bazaar, new residents sold zeepjes, perfume, jewellery and hand made bags."
    r = editor_client.post(url, data={"csrf_token": token, "version": version, "text": text}, headers=JSON)
    assert r.status_code == 200 and r.get_json()["segments"][0]["version"] == version + 1
    r = karim.post(url, data={"csrf_token": token2, "version": version2, "text": "Karim's other text"}, headers=JSON)
    assert r.status_code == 409
    assert "gewijzigd door esseline" in r.get_json()["error"] and "niet bewaard" in r.get_json()["error"]
    # without JavaScript: back to the passage, with the message at the top
    r = karim.post(url, data={"csrf_token": token2, "version": version2, "text": "Karim's other text"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#s{sid}")
    assert "gewijzigd door esseline" in karim.get(r.headers["Location"]).get_data(as_text=True)
    with workspace.archive.session() as s:
        st = workspace.archive.story(s, "pop-up-bazaar")
        assert "zeepjes" in next(x for x in st.segments if x.id == sid).text
        assert [e.user for e in s.scalars(select(SegmentEdit))] == ["esseline"]
    anonymous = workspace.test_client()
    assert "zeepjes" in anonymous.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    assert "pop-up-bazaar" in anonymous.get("/zoeken?q=zeepjes").get_data(as_text=True), "saved: re-indexed"


def test_split_merge_speaker_redact_and_revert_from_the_forms(workspace, editor_client):
    archive = workspace.archive
    _immediate(workspace)
    sid, version, token = _segment(editor_client, "pop-up-bazaar", "perfume")
    base = "/editor/story/pop-up-bazaar"

    def count():
        with archive.session() as s:
            return len(archive.story(s, "pop-up-bazaar").segments)

    n = count()
    r = editor_client.post(f"{base}/segment/{sid}/split", data={"csrf_token": token, "version": version, "at_word": 3})
    assert r.status_code == 302 and count() == n + 1
    first, version, token = _segment(editor_client, "pop-up-bazaar", "")  # the split keeps the first part's id
    assert first == sid
    r = editor_client.post(f"{base}/segment/{sid}/merge", data={"csrf_token": token, "version": version})
    assert r.status_code == 302 and count() == n
    sid, version, token = _segment(editor_client, "pop-up-bazaar", "perfume")
    editor_client.post(f"{base}/segment/{sid}/speaker", data={"csrf_token": token, "version": version, "speaker": "spreker 1"})
    editor_client.post(f"{base}/speakers", data={"csrf_token": token, "old": "spreker 1", "new": "Basma"})
    anonymous = workspace.test_client()
    assert '<span class="speaker">Basma:</span>' in anonymous.get("/verhaal/pop-up-bazaar").get_data(as_text=True)

    r = editor_client.post(f"{base}/segment/{sid}/redact", data={"csrf_token": token, "redacted": "1"}, headers=JSON)
    assert r.status_code == 200 and r.get_json()["segments"][0]["redacted"] is True
    assert "perfume" not in anonymous.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    assert "perfume" not in anonymous.get("/media/pop-up-bazaar/transcript.txt").get_data(as_text=True)
    assert "1 verhaal gevonden" not in anonymous.get("/zoeken?q=perfume").get_data(as_text=True)
    editor_page = editor_client.get(f"{base}").get_data(as_text=True)
    assert "perfume" in editor_page.lower() and "afgeschermd" in editor_page, "kept for editors"
    with archive.session() as s:
        assert archive.story(s, "pop-up-bazaar").stage("audio").attempts >= 2, "the listening copy was remixed by a job"

    history = editor_client.get(base).get_data(as_text=True)
    actions = re.findall(r'<li id="edit-(\d+)">', history)
    assert len(actions) == 5  # redact, rename, speaker, merge, split: newest first
    r = editor_client.post(f"{base}/revert/{actions[0]}", data={"csrf_token": token})
    assert r.status_code == 302
    assert "perfume" in anonymous.get("/verhaal/pop-up-bazaar").get_data(as_text=True), "redaction reverted"
    with archive.session() as s:
        assert archive.story(s, "pop-up-bazaar").stage("audio").attempts >= 3, "and the sound is back"
    assert "De wijziging is teruggedraaid." in editor_client.get(base).get_data(as_text=True)
    r = editor_client.post(f"{base}/revert/{actions[0]}", data={"csrf_token": token}, headers=JSON)
    assert r.status_code == 409 and "al teruggedraaid" in r.get_json()["error"]  # the core's error, in the page's language
    r = editor_client.post(f"{base}/segment/{sid}/split", data={"csrf_token": token, "version": 99, "at_word": "x"},
                           headers=JSON)
    assert r.status_code == 400 and "at_word" in r.get_json()["error"]


def test_review_queue_links_into_the_editor_worst_first(workspace, editor_client):
    page = editor_client.get("/editor/review").get_data(as_text=True)
    links = re.findall(r'href="/editor/story/([\w-]+)#s(\d+)"', page)
    scores = [float(x) for x in re.findall(r'data-score="(-?[\d.]+)"', page)]
    assert links and scores == sorted(scores)
    # In words an editor understands, not the model's log-probability.
    assert "onzekere woorden" in page or "onzeker woord" in page or "twijfelde aan de hele passage" in page
    assert "zekerheid -" not in page
    slug, sid = links[0]
    assert f'id="s{sid}"' in editor_client.get(f"/editor/story/{slug}").get_data(as_text=True)


def test_access_level_and_unpublishing_reindex_the_story(workspace, editor_client):
    anonymous = workspace.test_client()
    assert "Het koor" not in anonymous.get("/zoeken?q=koor").get_data(as_text=True)
    page = editor_client.get("/editor/story/het-koor").get_data(as_text=True)
    token = csrf_of(page)
    r = editor_client.post("/editor/story/het-koor/access", data={"csrf_token": token, "access": "public",
                                                                   "meta_version": meta_version_of(page)})
    assert r.status_code == 302
    assert "Het koor" in anonymous.get("/zoeken?q=koor").get_data(as_text=True)
    # A second change from the same (now stale) page is a conflict, never a silent overwrite.
    r = editor_client.post("/editor/story/het-koor/publish", data={"csrf_token": token, "published": "0",
                                                                    "meta_version": meta_version_of(page)})
    assert r.status_code == 409 and "Iemand anders heeft dit verhaal gewijzigd" in r.get_data(as_text=True)
    page = editor_client.get("/editor/story/het-koor").get_data(as_text=True)
    editor_client.post("/editor/story/het-koor/publish", data={"csrf_token": token, "published": "0",
                                                               "meta_version": meta_version_of(page)})
    assert anonymous.get("/verhaal/het-koor").status_code == 404
    assert "Het koor" not in anonymous.get("/zoeken?q=koor").get_data(as_text=True)
    assert editor_client.get("/verhaal/het-koor").status_code == 200, "editors still see unpublished stories"
    r = editor_client.post("/editor/story/het-koor/access", data={"csrf_token": token, "access": "embargoed",
                                                                   "meta_version": meta_version_of(page)})
    assert r.status_code == 400 and "einddatum" in r.get_data(as_text=True)


def test_consent_notes_and_file_can_be_changed_later(workspace, editor_client):
    page = editor_client.get("/editor/story/het-koor").get_data(as_text=True)
    token = csrf_of(page)
    r = editor_client.post("/editor/story/het-koor/consent", content_type="multipart/form-data", data={
        "csrf_token": token, "consent_notes": "Schriftelijk, zie formulier", "meta_version": meta_version_of(page),
        "consent_file": (io.BytesIO(b"scan"), "../../etc/passwd")})
    assert r.status_code == 302
    with workspace.archive.session() as s:
        st = workspace.archive.story(s, "het-koor")
        assert st.consent_notes == "Schriftelijk, zie formulier"
        path = workspace.archive.settings.home / st.consent_file
    assert path.parent == workspace.archive.settings.home / "consent" and path.read_bytes() == b"scan"


def test_consent_notes_over_the_limit_are_refused_in_the_readers_language(make_app, workspace, request):
    """One limit (max_text_chars, verhalen.story_edits): the workspace words it, the core refuses it in English."""
    from verhalen import story_edits
    from verhalen.archive import Archive
    from verhalen.errors import UsageError

    archive = Archive(workspace.archive.settings.replace(max_text_chars=10))  # the archive's own settings decide
    request.addfinalizer(archive.close)
    c = make_app(archive).test_client()
    login(c, "esseline")
    page = c.get("/editor/story/het-koor").get_data(as_text=True)
    for lang, words in (("nl", "hoogstens 10 tekens"), ("en", "at most 10 characters")):
        r = c.post(f"/editor/story/het-koor/consent?lang={lang}", content_type="multipart/form-data", data={
            "csrf_token": csrf_of(page), "consent_notes": "x" * 11, "meta_version": meta_version_of(page),
            "consent_file": (io.BytesIO(b"scan"), "scan.pdf")})
        assert r.status_code == 400 and words in r.get_data(as_text=True), lang
    assert not archive.settings.consent_dir.exists() or not any(archive.settings.consent_dir.iterdir())
    with archive.session() as s, pytest.raises(UsageError, match="consent notes have at most 10 characters"):
        story_edits.set_consent(archive, s, archive.story(s, "het-koor"), "x" * 11, None, None)


def test_admin_adds_and_disables_users(workspace):
    admin = workspace.test_client()
    login(admin, "beheer")
    token = csrf_of(admin.get("/editor/users").get_data(as_text=True))
    r = admin.post("/editor/users", data={"csrf_token": token, "name": "nieuw", "password": "kort", "role": "editor"})
    assert r.status_code == 400 and 'id="err-password"' in r.get_data(as_text=True)
    r = admin.post("/editor/users", data={"csrf_token": token, "name": "nieuw", "password": "lang genoeg wachtwoord",
                                          "role": "researcher"})
    assert r.status_code == 302
    assert login(workspace.test_client(), "nieuw", "lang genoeg wachtwoord").status_code == 302
    admin.post("/editor/users/nieuw/active", data={"csrf_token": token, "active": "0"})
    assert login(workspace.test_client(), "nieuw", "lang genoeg wachtwoord").status_code == 401
    r = admin.post("/editor/users/beheer/active", data={"csrf_token": token, "active": "0"})
    assert r.status_code == 400 and "niet uitschakelen" in r.get_data(as_text=True)
    # Names compare without case: the admin's own account under another spelling is still the admin's.
    r = admin.post("/editor/users/BEHEER/active", data={"csrf_token": token, "active": "0"})
    assert r.status_code == 400 and "niet uitschakelen" in r.get_data(as_text=True)
    r = admin.post("/editor/users/Beheer/role", data={"csrf_token": token, "role": "editor"})
    assert r.status_code == 400 and "beheerdersrol" in r.get_data(as_text=True)
    assert admin.get("/editor/users").status_code == 200, "still an active admin"


def test_every_workspace_string_has_an_english_translation():
    import ast

    from verhalen.web.translations.en import MESSAGES

    web = Path(__file__).resolve().parents[1] / "web"
    used = set()
    for tpl in [*(web / "templates" / "editor").glob("*.html"), web / "templates" / "login.html"]:
        text = tpl.read_text()
        used |= set(re.findall(r'_\("([^"]+)"', text)) | set(re.findall(r"_\('([^']+)'", text))
    for module in [web / "auth.py", *web.glob("editor*.py")]:
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                used.add(node.args[0].value)
    assert len(used) > 100
    assert not used - set(MESSAGES), sorted(used - set(MESSAGES))


def test_workspace_pages_keep_the_strict_csp(editor_client):
    for url in ("/editor/", "/editor/upload", "/editor/jobs", "/editor/review", "/editor/story/pop-up-bazaar"):
        r = editor_client.get(url)
        page = r.get_data(as_text=True)
        assert r.status_code == 200 and "unsafe-inline" not in r.headers["Content-Security-Policy"]
        assert "<script>" not in page and " onclick=" not in page and " style=" not in page, url
        assert not re.search(r'(src|href)="(https?:)?//', page), url
        # every form field has a label
        ids = set(re.findall(r'<(?:input|textarea|select)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', page))
        labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', page))
        assert ids <= labelled, (url, ids - labelled)
