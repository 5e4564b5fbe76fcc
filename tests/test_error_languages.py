"""Every error the core can put on a page, in Dutch and in English (web/core_messages.py).

The raise sites are found mechanically: an AST scan of verhalen/, media/ and index/ for raises of
verhalen.errors classes (and their subclasses) with a literal or f-string message, and for the probe's
warnings. Each one must have a Dutch text with an English translation, and both must render; a new message
without one fails here, naming its file:line. Left out: verhalen/cli/ (the command line stays English) and
the 5xx classes, whose words the error page never shows. Then real ones, end to end through the real app.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import string
from dataclasses import dataclass
from pathlib import Path

import pytest
from markupsafe import Markup

from helpers import csrf_of, login
from verhalen import errors, trash
from verhalen.catalog import Story
from verhalen.errors import Conflict, UsageError, VerhalenError

ROOT = Path(__file__).resolve().parents[1]
ROOMS = {"verhalen": "verhalen", "media": "verhalen.media", "index": "verhalen.index"}
SAMPLE = "Vlinder"  # what a varying part of a message becomes in the scan


@dataclass
class Site:
    where: str  # file:line
    cls: type
    message: str  # a sample: every varying part filled in
    code: str | None = None  # a MetadataProblem's code


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    return ".".join([ROOMS[rel.parts[0]], *rel.parts[1:]]).removesuffix(".__init__")


def _filled(spec: str, conversion: str | None) -> str:
    value = "1,234" if "," in spec else "12.5" if "f" in spec else SAMPLE
    return repr(value) if conversion == "r" else value


def _format_sample(template: str) -> str:
    """A str.format template with every field filled in."""
    return "".join(literal + (_filled(spec or "", conv) if name is not None else "")
                   for literal, name, spec, conv in string.Formatter().parse(template))


def _sample(node: ast.AST, tables: dict[str, list[str]] | None = None) -> str | list[str] | None:
    """A message like the code would make it, or None if it is not written out here (str(e), a variable).
    `TABLE[key].format(...)` of a module-level dict of texts (`tables`) gives each of its texts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(part.value)
                continue
            spec = ast.unparse(part.format_spec) if part.format_spec else ""
            out.append(_filled(spec, chr(part.conversion) if part.conversion != -1 else None))
        return "".join(out)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        base = node.func.value
        if isinstance(base, ast.Constant) and isinstance(base.value, str):
            return _format_sample(base.value)
        if isinstance(base, ast.Subscript) and isinstance(base.value, ast.Name) and base.value.id in (tables or {}):
            return [_format_sample(t) for t in tables[base.value.id]]
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else SAMPLE) + (right if right is not None else SAMPLE)
    return None


def _error_classes(trees: dict[Path, ast.Module]) -> dict[str, type]:
    """verhalen.errors' classes and every subclass of them the scanned modules define (MetadataProblem...)."""
    import importlib

    found = {n: c for n, c in vars(errors).items() if isinstance(c, type) and issubclass(c, VerhalenError)}
    grew = True
    while grew:
        grew = False
        for path, tree in trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in found and any(
                        (b.id if isinstance(b, ast.Name) else getattr(b, "attr", None)) in found for b in node.bases):
                    found[node.name] = getattr(importlib.import_module(_module_name(path)), node.name)
                    grew = True
    return found


def _message_index(cls: type) -> int:
    params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    return params.index("message")


def sites(paths: list[Path]) -> tuple[list[Site], list[str]]:
    """The user-facing raise sites (and the probe's warnings) in `paths`, and the raises whose message the
    scan cannot read (a Call it cannot follow): each file:line."""
    trees = {p: ast.parse(p.read_text(), str(p)) for p in paths}
    classes = _error_classes(trees)
    out, unread = [], []
    for path, tree in trees.items():
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        tables = {t.id: [v.value for v in n.value.values] for n in tree.body if isinstance(n, ast.Assign)
                  and isinstance(n.value, ast.Dict) and all(isinstance(v, ast.Constant) and isinstance(v.value, str)
                                                            for v in n.value.values)
                  for t in n.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append" \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "warnings" and node.args:
                text = _sample(node.args[0])
                if text is not None:
                    out.append(Site(f"{rel}:{node.lineno}", UsageError, text))
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            cls = classes.get(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
            if cls is None or cls.http_status >= 500:
                continue
            i = _message_index(cls)
            arg = node.exc.args[i] if len(node.exc.args) > i else \
                next((k.value for k in node.exc.keywords if k.arg == "message"), None)
            code = node.exc.args[0].value if i > 0 and isinstance(node.exc.args[0], ast.Constant) else None
            if arg is None or isinstance(arg, ast.Name) or (isinstance(arg, ast.Call) and isinstance(
                    arg.func, ast.Name) and arg.func.id == "str"):
                continue  # another error's message passed on (str(e), a variable): its own raise site is checked
            if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id in functions:
                # a message a helper of this module words (media/probe.py's _describe_non_media): its returns
                texts = [_sample(r.value) for r in ast.walk(functions[arg.func.id])
                         if isinstance(r, ast.Return) and r.value is not None]
            else:
                texts = _sample(arg, tables)
                texts = texts if isinstance(texts, list) else [texts]
            if not texts or any(t is None for t in texts):
                unread.append(f"{rel}:{node.lineno}")
                continue
            out += [Site(f"{rel}:{node.lineno}", cls, t, code) for t in texts]
    out.sort(key=lambda site: (site.where.rsplit(":", 1)[0], int(site.where.rsplit(":", 1)[1])))
    return out, unread


def core_files() -> list[Path]:
    return sorted(p for room in ROOMS for p in (ROOT / room).rglob("*.py")
                  if "cli" not in p.relative_to(ROOT).parts and "migrations" not in p.parts)


def problems(found: list[Site], app) -> list[str]:
    """What is wrong with each site's Dutch and English, one line each: file:line, the message, the problem."""
    from verhalen.web import core_messages
    from verhalen.web.editor.story import DETAIL_PROBLEMS
    from verhalen.web.translations.en import MESSAGES

    out = []
    for site in found:
        say = f"{site.where}: {site.message!r}"
        if site.code is not None:  # a MetadataProblem: the details form words it by its code
            if site.code not in DETAIL_PROBLEMS:
                out.append(f"{say}: code {site.code!r} has no Dutch text in web/editor/story.py DETAIL_PROBLEMS")
            continue
        found_entry = core_messages.lookup(site.message)
        if found_entry is None:
            out.append(f"{say}: no Dutch text; add it to web/core_messages.py MESSAGES (and its English to "
                       f"web/translations/en.py)")
            continue
        entry, _params = found_entry
        ids = [entry.dutch, *(d for words in entry.words.values() for d in words.values())]
        out += [f"{say}: {d!r} has no English in web/translations/en.py" for d in ids if d not in MESSAGES]
        for lang in ("nl", "en"):
            with app.test_request_context(f"/?lang={lang}"):
                try:
                    shown = str(core_messages.text(site.cls(site.message) if site.cls is not errors.Duplicate
                                                   else site.cls(site.message, "")))
                except (KeyError, IndexError, ValueError) as e:
                    out.append(f"{say}: the {lang} text cannot be filled in ({e!r})")
                    continue
            if re.search(r"\{\w*\}", shown) or (lang == "nl" and ('lang="en"' in shown or shown == site.message)):
                out.append(f"{say}: shown in {lang} as {shown!r}")
    return out


# -- every message, mechanically -----------------------------------------------------------------------------


def test_every_user_facing_core_error_has_a_dutch_and_an_english_text(web_app):
    found, unread = sites(core_files())
    where = {s.where.split(":")[0] for s in found}
    assert len(found) > 80 and {"media/probe.py", "index/query.py", "verhalen/editing.py", "verhalen/trash.py",
                                "verhalen/keyword_review.py", "verhalen/story_metadata.py", "verhalen/sheet.py",
                                "verhalen/users.py"} <= where, "the scan sees the raise sites"
    assert any(s.message == "Vlinder is Vlinder, not audio" for s in found), "a helper's returns are followed"
    assert not unread, f"raises whose message the scan cannot read (write it out, or teach the scan): {unread}"
    wrong = problems(found, web_app)
    assert not wrong, "core errors without a Dutch or English text on the web:\n" + "\n".join(wrong)


def test_a_new_message_without_a_dutch_text_fails_naming_its_place(tmp_path, web_app):
    new = tmp_path / "nieuw.py"
    new.write_text("from verhalen.errors import Conflict, ModelError, UsageError\n\n\n"
                   "def f(name):\n"
                   "    if name:\n"
                   "        raise UsageError(f'{name!r} cannot be frobnicated')\n"
                   "    raise Conflict('change ' + str(name) + ' was already reverted')\n\n\n"
                   "def g(e):\n"
                   "    raise UsageError(str(e))  # passed on\n\n\n"
                   "def h():\n"
                   "    raise ModelError('the model is broken')  # 503: the page never shows it\n")
    found, unread = sites([new])
    assert [(s.where.rsplit(":", 1)[1], s.message) for s in found] == [
        ("6", "'Vlinder' cannot be frobnicated"), ("7", "change Vlinder was already reverted")] and not unread
    wrong = problems(found, web_app)
    assert len(wrong) == 1 and wrong[0].startswith(f"{new}:6: \"'Vlinder' cannot be frobnicated\": no Dutch text")


# -- the rule itself ----------------------------------------------------------------------------------------


def test_variable_parts_are_carried_over_and_quotes_taken_off(web_app):
    from verhalen.web import core_messages

    with web_app.test_request_context("/?lang=nl"):
        assert core_messages.text(UsageError("no story 'a<b>' in the archive (see `verhalen list`)")) == \
            Markup("Er is geen verhaal ‘a&lt;b&gt;’ in het archief.")
        label = core_messages.text("the place 'Rotterdam-Zuid'... is 1,234 characters long; at most 200 are accepted")
        assert label == "Te lang: plaats ‘Rotterdam-Zuid…’ heeft 1,234 tekens; hoogstens 200 passen."
    with web_app.test_request_context("/?lang=en"):
        assert core_messages.text(UsageError("no story 'x' in the archive (see `verhalen list`)")) == \
            "There is no story ‘x’ in the archive."
        assert core_messages.text("nep.mp3 is an HTML page, not audio") == "nep.mp3 is a web page (HTML), not audio."


def test_an_unknown_message_shows_in_english_marked_as_english(web_app):
    from verhalen.web import core_messages
    from verhalen.web.i18n import gettext as _

    with web_app.test_request_context("/?lang=nl"):
        assert core_messages.text(Conflict("the <moon> is not ready")) == \
            '<span lang="en">the &lt;moon&gt; is not ready</span>'
        # what the web worded itself is shown as it is, whatever error class carries it
        assert core_messages.text(UsageError(_("Kies een rol."))) == "Kies een rol."
        assert core_messages.text(UsageError(_("{name} is afgewezen.", name="<x>"))) == "&lt;x&gt; is afgewezen."
    with web_app.test_request_context("/?lang=en"):
        assert core_messages.text(Conflict("the moon is not ready")) == "the moon is not ready"


# -- end to end, through the real app -----------------------------------------------------------------------


def _upload(client, lang: str, data: bytes, name: str):
    token = csrf_of(client.get(f"/editor/upload?lang={lang}").get_data(as_text=True))
    return client.post(f"/editor/upload?lang={lang}", content_type="multipart/form-data", data={
        "csrf_token": token, "title": "Nep", "access": "public", "language": "nl",
        "recording": (io.BytesIO(data), name)})


def test_an_upload_of_a_text_file_is_refused_in_the_pages_language(workspace):
    c = workspace.test_client()
    login(c, "esseline")
    r = _upload(c, "nl", b"Dit is geen geluid, maar een boodschappenlijst.\n", "nep.mp3")
    page = r.get_data(as_text=True)
    assert r.status_code == 415 and "nep.mp3 is een tekstbestand, geen audio." in page, page[:3000]
    assert "text file" not in page
    r = _upload(c, "en", b"Dit is geen geluid, maar een boodschappenlijst.\n", "nep.mp3")
    page = r.get_data(as_text=True)
    assert r.status_code == 415 and "nep.mp3 is a text file, not audio." in page and '<html lang="en">' in page
    assert "tekstbestand" not in page


def test_a_search_with_an_unbalanced_quote_is_explained_in_the_pages_language(client):
    r = client.get("/zoeken?q=%22perfume&lang=nl")
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "Deze zoekvraag begrijpen we niet" in page
    assert "Er staat een los aanhalingsteken in de zoekvraag" in page and "unbalanced" not in page
    r = client.get("/zoeken?q=%22perfume&lang=en")
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "The search has a quote that is not closed" in page and "unbalanced" not in page


def test_a_missing_story_is_a_404_in_the_pages_language(client, workspace):
    for lang, heading, generic in (("nl", "Niet gevonden", "Deze pagina bestaat niet"),
                                   ("en", "Not found", "This page does not exist")):
        r = client.get(f"/verhaal/bestaat-niet?lang={lang}")
        page = r.get_data(as_text=True)
        assert r.status_code == 404 and heading in page and generic in page, page[:2000]
        assert "not found</p>" not in page, "the public pages do not say why (a hidden story looks the same)"
    c = workspace.test_client()
    login(c, "esseline")
    r = c.get("/editor/story/bestaat-niet?lang=nl")
    page = r.get_data(as_text=True)
    assert r.status_code == 404 and "Er is geen verhaal ‘bestaat-niet’ in het archief." in page
    assert "verhalen list" not in page
    r = c.get("/editor/story/bestaat-niet?lang=en")
    assert r.status_code == 404 and "There is no story ‘bestaat-niet’ in the archive." in r.get_data(as_text=True)


def test_a_core_refusal_in_a_form_and_on_the_error_page_speaks_dutch(workspace):
    admin = workspace.test_client()
    login(admin, "beheer")
    token = csrf_of(admin.get("/editor/users?lang=nl").get_data(as_text=True))
    r = admin.post("/editor/users?lang=nl", data={"csrf_token": token, "name": "KARIM", "password": "x" * 20,
                                                   "role": "editor"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "Er is al een gebruiker die ‘karim’ heet" in page and "already" not in page
    # a keyword review of a proposal that is not (or no longer) open: the core's NotFound on the error page
    with workspace.archive.session() as s:
        version = workspace.archive.story(s, "pop-up-bazaar").meta_version
    r = admin.post("/editor/keywords/pop-up-bazaar?lang=nl", data={
        "csrf_token": token, "name": "geen-voorstel", "action": "reject", "meta_version": str(version)})
    page = r.get_data(as_text=True)
    assert r.status_code == 404 and "‘geen-voorstel’ is geen open trefwoordvoorstel (meer) bij ‘pop-up-bazaar’." \
        in page and "keyword proposal" not in page


def test_uploading_a_recording_whose_story_is_in_the_trash_says_so_and_links_the_trash(workspace):
    archive = workspace.archive
    with archive.session() as s:
        story = archive.story(s, "pop-up-bazaar")
        original = archive.original(story.recording).read_bytes()
        trash.move(archive, s, story, "esseline")
    c = workspace.test_client()
    login(c, "esseline")
    r = _upload(c, "nl", original, "bazaar.mp3")
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "Deze opname staat in de prullenbak als pop-up-bazaar." in page
    assert re.search(r'<a href="/editor/trash" id="to-trash">Open de prullenbak</a>', page)
    assert "al in het archief" not in page
    r = _upload(c, "en", original, "bazaar.mp3")
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "This recording is in the trash as pop-up-bazaar." in page
    assert "Open the trash" in page
    with archive.session() as s:
        trash.restore(archive, s, archive.story(s, "pop-up-bazaar"))
        assert s.query(Story).filter(Story.title == "Nep").count() == 0
    r = _upload(c, "nl", original, "bazaar.mp3")
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "Deze opname staat al in het archief als pop-up-bazaar." in page
    assert 'id="to-trash"' not in page
