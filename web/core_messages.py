"""The core's errors in the page's language: the one rule that turns a verhalen.errors exception into page text.

The core (verhalen/, media/, index/) words its errors in English, for the command line and logs, and knows
nothing of the web's languages. The web shows every one of them through `text`: the English message is
matched against MESSAGES, the core's messages written as their f-strings are (`{name}` for a part that
varies, `{name!r}` for a quoted one, shown without its quotes), and the Dutch text beside it is shown in the
page's language through web/i18n.py (web/translations/en.py holds the English the web shows: worded for a
page, without the command line's hints). The variable parts are carried over; `words` translates a part
that is one of a few fixed English words. A message without an entry is shown as it is, in English, marked
lang="en" so a screen reader reads it as English; tests/test_error_languages.py fails for a core raise
site without one. Text the web itself worded with _() (a web refusal raised as a core error class) is
shown as it is. docs/decisions.md says why a table here and not keys on the exceptions.
"""

from __future__ import annotations

import ast
import logging
import re
from dataclasses import dataclass, field
from functools import cache

from markupsafe import Markup, escape

from verhalen.errors import VerhalenError

from .i18n import PageText, current_language
from .i18n import gettext as _

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    english: str  # the core's message as its f-string writes it: {name} varies, {name!r} is quoted
    dutch: str  # the message id of web/i18n.py (its English is in web/translations/en.py)
    words: dict[str, dict[str, str]] = field(default_factory=dict)  # placeholder -> English word -> Dutch id


# The ingest's field labels (pipeline.StoryMeta.check_sizes) and the probe's kinds of non-audio file.
LABELS = {"title": "titel", "description": "beschrijving", "consent notes": "toelichting bij de toestemming",
          "series": "serie", "name": "naam", "place": "plaats", "theme": "thema"}
KINDS = {"a text file": "een tekstbestand", "an HTML page": "een webpagina (HTML)", "an image": "een afbeelding"}

MESSAGES: tuple[Message, ...] = (
    # media/probe.py: is this a recording?
    Message("{path}: file not found", "{path}: bestand niet gevonden."),
    Message("{path}: is a directory, not a recording", "{path} is een map, geen opname."),
    Message("{name} is empty (0 bytes)", "{name} is leeg (0 bytes)."),
    Message("{name} has an MP3 tag but no readable audio (truncated or damaged)",
            "{name} heeft een MP3-label maar geen leesbaar geluid (afgebroken of beschadigd)."),
    Message("{name} is {kind}, not audio", "{name} is {kind}, geen audio.", {"kind": KINDS}),
    Message("{name} is not a recognisable audio or video file", "{name} is geen herkenbaar geluids- of videobestand."),
    Message("{name} has no audio track", "{name} heeft geen geluidsspoor."),
    Message("{name} could not be decoded as audio ({reason})", "{name} kon niet als geluid worden gelezen ({reason})."),
    Message("{name} contains no decodable audio (damaged or truncated)",
            "{name} bevat geen bruikbaar geluid (beschadigd of afgebroken)."),
    Message("{name} is truncated: its header says {claimed} s, the file holds only {held} s of audio "
            "(the copy or upload stopped early)",
            "{name} is afgebroken: volgens het bestand zelf duurt het {claimed} s, maar het bevat maar {held} s "
            "geluid (het kopiëren of uploaden is te vroeg gestopt)."),
    Message("{name} looks truncated: its header says {claimed} s, the audio ends at {held} s",
            "{name} lijkt afgebroken: volgens het bestand zelf duurt het {claimed} s, maar het geluid stopt bij "
            "{held} s."),
    Message("{name} has no audio (duration 0)", "{name} heeft geen geluid (duur 0)."),
    # media/audio.py, media/images.py
    Message("{name}: ffmpeg could not convert it ({reason})", "{name}: ffmpeg kon het niet omzetten ({reason})."),
    Message("{label} is too large an image (more than {n} megapixels); it looks like a decompression bomb — use "
            "a smaller picture", "{label} is een te grote afbeelding (meer dan {n} megapixel). Kies een kleinere."),
    Message("{label} does not exist", "{label} bestaat niet."),
    Message("{label} is not an image Pillow can read (JPEG, PNG, WebP, GIF...)",
            "{label} is geen afbeelding die we kunnen lezen (JPEG, PNG, WebP, GIF…)."),
    # index/query.py: the search box
    Message("empty query: type one or more words", "Lege zoekvraag: typ een of meer woorden."),
    Message("query too long (more than 1,000 characters)", "De zoekvraag is te lang (meer dan 1.000 tekens)."),
    Message('unbalanced quote in query: close the phrase with " or remove the quote',
            'Er staat een los aanhalingsteken in de zoekvraag: sluit de woordgroep af met " of haal het '
            'aanhalingsteken weg.'),
    Message("unbalanced parentheses in query: every ( needs a )",
            "De haakjes in de zoekvraag kloppen niet: elk ( heeft een ) nodig."),
    Message("unknown field {name!r} in query: use one of {known}",
            "Onbekend veld ‘{name}’ in de zoekvraag: gebruik serie, taal, persoon, thema, plaats of jaar."),
    Message("query cannot be read ({reason})", "De zoekvraag is niet te lezen ({reason})."),
    Message("query has no searchable words", "In de zoekvraag staan geen woorden om op te zoeken."),
    # verhalen/access.py, verhalen/archive.py
    Message("access must be one of {known}, not {access!r}", "Kies een toegangsniveau uit de lijst."),
    Message("an embargoed story needs an end date (--embargo-until DATE)",
            "Een verhaal onder embargo heeft een einddatum nodig."),
    Message("this story does not exist or is not public", "Dit verhaal bestaat niet of is niet openbaar."),
    Message("no story {slug!r} in the archive (see `verhalen list`)", "Er is geen verhaal ‘{slug}’ in het archief."),
    # verhalen/pipeline.py: a new recording and its details
    Message("role must be one of {known}, not {role!r}", "Kies een rol uit de lijst."),
    Message("the {label} {value!r}... is {n} characters long; at most {limit} are accepted",
            "Te lang: {label} ‘{value}…’ heeft {n} tekens; hoogstens {limit} passen.", {"label": LABELS}),
    Message("{name} is in the trash as {slug!r}; `verhalen restore {command}` brings it back",
            "{name} staat in de prullenbak als ‘{slug}’. Zet het verhaal daar terug."),
    Message("{name} is already in the archive as {slug!r}", "{name} staat al in het archief als ‘{slug}’."),
    Message("{name} is being ingested by another process",
            "{name} wordt op dit moment al toegevoegd (door een andere upload)."),
    # verhalen/sheet.py: a collection's sheet
    Message('{name} is not UTF-8 text; in Excel save it as "CSV UTF-8", in LibreOffice choose the character set '
            'Unicode (UTF-8)', "{name} is geen UTF-8-tekst. Bewaar het in Excel als \u2018CSV UTF-8\u2019, "
            "in LibreOffice met de tekenset Unicode (UTF-8)."),
    Message("{path}: sheet not found", "{path}: blad niet gevonden."),
    Message("{path}: cannot read the sheet ({reason})", "{path}: het blad is niet te lezen ({reason})."),
    # verhalen/exports.py: an imported transcript
    Message("{name} is not UTF-8 text; save the transcript as UTF-8 VTT, SRT or TXT",
            "{name} is geen UTF-8-tekst. Bewaar het transcript als UTF-8 (VTT, SRT of TXT)."),
    Message("{name} is empty", "{name} is leeg."),
    Message("{name} has cue timings but no text in them", "{name} heeft tijden maar geen tekst."),
    # verhalen/story_edits.py, verhalen/trash.py, verhalen/keyword_review.py
    Message("{title!r} was changed by someone else after you opened it; reload the page and make your change again",
            "Iemand anders heeft ‘{title}’ gewijzigd nadat je de pagina opende. Jouw wijziging is niet bewaard: "
            "laad de pagina opnieuw en probeer het nog eens."),
    Message("consent notes have at most {limit} characters ({n} given)",
            "De toelichting bij de toestemming heeft hoogstens {limit} tekens ({n} gegeven)."),
    Message("{slug!r} is in the trash (verhalen restore {command})",
            "‘{slug}’ staat in de prullenbak. Zet het daar terug om er weer aan te werken."),
    Message("{title!r} is already in the trash", "‘{title}’ staat al in de prullenbak."),
    Message("{title!r} is not in the trash", "‘{title}’ staat niet in de prullenbak."),
    Message("{slug!r} is not in the trash; `verhalen delete {command}` puts it there first",
            "‘{slug}’ staat niet in de prullenbak; zet het er eerst in."),
    Message("{name!r} is not an open keyword proposal of {slug!r}",
            "‘{name}’ is geen open trefwoordvoorstel (meer) bij ‘{slug}’."),
    Message("the new name for {old!r} is empty", "De nieuwe naam voor ‘{old}’ is leeg."),
    Message("the theme {name!r}... is {n} characters long; at most {limit} are accepted",
            "Te lang: het thema ‘{name}…’ heeft {n} tekens; hoogstens {limit} passen."),
    # verhalen/users.py
    Message("a user name is 1-100 characters without spaces or control characters",
            "Een naam is 1 tot 100 tekens, zonder spaties."),
    Message("the password must be at least {n} characters", "Een wachtwoord heeft minstens {n} tekens."),
    Message("there is already a user called {name!r} (names are the same in upper and lower case)",
            "Er is al een gebruiker die ‘{name}’ heet (hoofdletters en kleine letters tellen daarbij niet)."),
    Message("there is already a user called {name!r}", "Er is al een gebruiker die ‘{name}’ heet."),
    Message("no user called {name!r}", "Er is geen gebruiker die ‘{name}’ heet."),
    # verhalen/editing.py: transcript corrections (as they are worded now; others are changing them)
    Message("split at word {at}: the segment has {n} words; split between two of them",
            "Splitsen bij woord {at} kan niet: de passage heeft {n} woorden. Splits tussen twee woorden."),
    Message("words {first}-{last}: the passage has {n} words; choose words between 1 and {n}",
            "Woorden {first}-{last}: de passage heeft {n} woorden. Kies woorden tussen 1 en {n}."),
    Message("segment {id} is not part of {slug!r} (it may have been merged)",
            "Passage {id} hoort niet (meer) bij ‘{slug}’; misschien is ze samengevoegd. Laad de pagina opnieuw."),
    Message("a segment cannot be empty; merge it with a neighbour or redact it instead",
            "Een passage kan niet leeg zijn. Voeg haar samen met een buurpassage of scherm haar af."),
    Message("this passage has {n} characters; at most {limit} fit in one passage: split it into several",
            "Deze passage heeft {n} tekens; hoogstens {limit} passen in één passage. Splits haar in stukken."),
    Message("a speaker's name has at most {limit} characters ({n} given)",
            "De naam van een spreker heeft hoogstens {limit} tekens ({n} gegeven)."),
    Message("no segment in {slug!r} has the speaker {old!r}", "Geen passage in ‘{slug}’ heeft de spreker ‘{old}’."),
    Message("this passage is already redacted as a whole", "Deze passage is al helemaal afgeschermd."),
    Message("choose a range of at least {seconds} s inside the recording (00:00-{duration}); {start}-{end} is not",
            "Kies een stuk van minstens {seconds} s binnen de opname (00:00-{duration}); {start}-{end} is dat niet."),
    Message('{start}-{end} overlaps the passage at {at} ("{text}"): choose a range without text, or correct that '
            'passage', "{start}-{end} overlapt de passage bij {at} (‘{text}’). Kies een stuk zonder tekst, of "
            "verbeter die passage."),
    Message("a proposed passage ({at}) lies outside {start}-{end}",
            "Een voorgestelde passage ({at}) ligt buiten {start}-{end}."),
    Message("the last segment has no next segment to merge with",
            "De laatste passage heeft geen volgende om mee samen te voegen."),
    Message("change {id} is not in the history of {slug!r}", "Wijziging {id} staat niet in de geschiedenis van "
            "‘{slug}’."),
    Message("change {id} was already reverted", "Wijziging {id} is al teruggedraaid."),
    Message("change {id} cannot be reverted: the passage was changed again since; revert the later change first",
            "Wijziging {id} kan niet worden teruggedraaid: de passage is daarna opnieuw gewijzigd. Draai eerst de "
            "latere wijziging terug."),
    # verhalen/editing.py: the voices (speakers) of a story named, merged, swapped
    Message("{slug!r} has no voice {voice!r}; its voices are {known}",
            "‘{slug}’ heeft geen spreker {voice}; de sprekers zijn {known}."),
    Message("{slug!r} has no voices yet: the speakers stage has not run on it",
            "‘{slug}’ heeft nog geen sprekers: die zijn nog niet bepaald."),
    Message("the speakers of {title!r} were changed by someone else after you opened the page; reload it and make "
            "your change again", "Iemand anders heeft de sprekers van ‘{title}’ gewijzigd nadat je de pagina opende. "
            "Jouw wijziging is niet bewaard: laad de pagina opnieuw en probeer het nog eens."),
    Message("merge voice {voice!r} into another voice, not into itself",
            "Spreker {voice} kan niet met zichzelf worden samengevoegd; kies een andere spreker."),
    Message("swap voice {voice!r} with another voice, not with itself",
            "Spreker {voice} kan niet met zichzelf worden omgewisseld; kies een andere spreker."),
    Message("voices {a!r} and {b!r} have no names yet: name them instead of swapping",
            "Sprekers {a} en {b} hebben nog geen naam: geef ze een naam in plaats van ze om te wisselen."),
    Message("change {id} cannot be reverted: the speakers were changed again since; revert the later change first",
            "Wijziging {id} kan niet worden teruggedraaid: de sprekers zijn daarna opnieuw gewijzigd. Draai eerst de "
            "latere wijziging terug."),
    # media/voices.py: the speakers stage's measurements (shown on the jobs page when the stage fails)
    Message("{name}: expected 16 kHz mono 16-bit audio", "{name}: verwacht werd geluid van 16 kHz, mono, 16 bit."),
    Message("{name}: not a readable WAV file ({reason})", "{name} is geen leesbaar WAV-bestand ({reason})."),
    Message("the voice encoder's weights {name} cannot be read ({reason})",
            "De gegevens van de stemherkenning ({name}) zijn niet te lezen ({reason})."),
    # verhalen/redo.py: a stretch transcribed again
    Message("choose a stretch of at least half a second inside the recording (00:00-{duration})",
            "Kies een stuk van minstens een halve seconde binnen de opname (00:00-{duration})."),
    Message("{start}-{end} is {n} s; at most {limit} s can be transcribed again in one go (max_redo_seconds): "
            "choose a shorter stretch",
            "{start}-{end} duurt {n} s; hoogstens {limit} s kan in één keer opnieuw worden uitgeschreven. Kies een "
            "korter stuk."),
    Message("the model cannot transcribe {language!r}; type the text instead",
            "Het model kan ‘{language}’ niet uitschrijven; typ de tekst zelf."),
    Message("this story has no audio to transcribe yet (its audio stage has not run)",
            "Dit verhaal heeft nog geen geluid om uit te schrijven (de opname is nog niet omgezet)."),
    Message("the model found no words in {start}-{end}; nothing was changed (type the text instead, or try "
            "another language)", "Het model vond geen woorden in {start}-{end}; er is niets veranderd. Typ de tekst "
            "zelf, of probeer een andere taal."),
    # verhalen/cancel.py, verhalen/jobs.py: cancelling and retrying a job (the jobs page words most by reason)
    Message("{slug!r} is cancelled already; `verhalen jobs retry {command}` lets it run again",
            "‘{slug}’ is al geannuleerd. Met ‘Opnieuw proberen’ op de takenpagina gaat het verder."),
    Message("{slug!r} is finished: nothing is running or waiting, so there is nothing to cancel",
            "‘{slug}’ is al klaar: er loopt of wacht niets meer, dus er is niets te annuleren."),
    Message("{slug!r} has nothing running or waiting: a stage failed (`verhalen jobs retry {command}`, or "
            "`verhalen delete {command2}`)",
            "Bij ‘{slug}’ loopt of wacht niets: er is iets mislukt. Kies ‘Opnieuw proberen’, of verwijder het verhaal."),
    Message("{slug!r} is having a redacted passage muted in its listening copies; that cannot be cancelled",
            "Bij ‘{slug}’ wordt een afgeschermde passage in het geluid gedempt; dat kan niet worden geannuleerd."),
    Message("{slug!r} was finished before, so a cancel does not remove it: cancel without --remove, or "
            "`verhalen delete {command}`",
            "‘{slug}’ was al eerder klaar, dus annuleren verwijdert het niet. Annuleer zonder te verwijderen, of "
            "verwijder het verhaal."),
    Message("{slug!r} is still being stopped after its cancel; try again in a moment",
            "‘{slug}’ wordt nog gestopt na het annuleren; probeer het zo opnieuw."),
    Message("nothing failed or was cancelled in {slug!r}: there is nothing to retry",
            "Bij ‘{slug}’ is niets mislukt of geannuleerd: opnieuw proberen is niet nodig."),
    # verhalen/index_points.py: a story's index (table of contents)
    Message("the {what} of an index point has at most {limit} characters ({n} given)",
            "De {what} van een punt van de inhoudsopgave heeft hoogstens {limit} tekens ({n} gegeven).",
            {"what": {"title": "titel", "synopsis": "samenvatting", "place": "plaats"}}),
    Message("a keyword of an index point has at most {limit} characters ({n} given)",
            "Een trefwoord van een punt van de inhoudsopgave heeft hoogstens {limit} tekens ({n} gegeven)."),
    Message("an index point has at most {limit} keywords ({n} given)",
            "Een punt van de inhoudsopgave heeft hoogstens {limit} trefwoorden ({n} gegeven)."),
    Message("give both a latitude and a longitude, or neither",
            "Geef zowel een breedtegraad als een lengtegraad, of geen van beide."),
    Message("latitude {value} is outside -90..90", "Breedtegraad {value} ligt buiten -90 tot 90."),
    Message("longitude {value} is outside -180..180", "Lengtegraad {value} ligt buiten -180 tot 180."),
    Message("index point {id} is not part of {slug!r} (it may have been merged or deleted)",
            "Punt {id} hoort niet (meer) bij de inhoudsopgave van ‘{slug}’; misschien is het samengevoegd of "
            "verwijderd. Laad de pagina opnieuw."),
    Message("the index of {slug!r} was changed after you opened it; reload the page and make your change again",
            "De inhoudsopgave van ‘{slug}’ is gewijzigd nadat je de pagina opende. Jouw wijziging is niet bewaard: "
            "laad de pagina opnieuw en probeer het nog eens."),
    Message("choose a moment inside the recording (00:00-{end}) for the index point",
            "Kies voor het punt een moment binnen de opname (00:00-{end})."),
    Message("there is already an index point at {time} ({title!r})",
            "Bij {time} staat al een punt in de inhoudsopgave (‘{title}’)."),
    Message("an index point needs a title", "Een punt van de inhoudsopgave heeft een titel nodig."),
    Message("the last index point has no next point to merge with",
            "Het laatste punt van de inhoudsopgave heeft geen volgend punt om mee samen te voegen."),
    # settings, the job queue and models: said at start more than on a page, but said in Dutch there too
    Message("setting {name}: {value!r} is not a valid value", "Instelling {name}: ‘{value}’ is geen geldige waarde."),
    Message("{config}: not valid TOML ({reason})", "{config}: geen geldige TOML ({reason})."),
    Message("{config}: unknown setting {key!r}", "{config}: onbekende instelling ‘{key}’."),
    Message("redis_url is set but the redis package is not installed: pip install 'verhalen[redis]' (or unset "
            "VERHALEN_REDIS_URL for the SQLite queue)",
            "redis_url is ingesteld, maar het pakket redis is niet geïnstalleerd. Vraag de beheerder het te "
            "installeren of redis_url weg te halen."),
    Message("unknown model {name!r}; known: {bundled} (bundled), {known}",
            "Onbekend model ‘{name}’; bekend zijn {bundled} (meegeleverd), {known}."),
    Message("setting {name}: {value!r} is not a licence; use one of {codes} or its URI",
            "Instelling {name}: ‘{value}’ is geen licentie; kies een van {codes} of het adres ervan."),
    # verhalen/licences.py and the OHMS import (verhalen/ohms.py, ohms_catalog.py)
    Message('unknown licence {text!r}: use one of {codes} or its creativecommons.org / rightsstatements.org URI',
            'Onbekende licentie ‘{text}’: kies een van {codes} of het adres ervan bij creativecommons.org of rightsstatements.org.'),
    Message('{name} is {size} MB; an OHMS file is at most {limit} MiB',
            '{name} is {size} MB; een OHMS-bestand is hoogstens {limit} MiB.'),
    Message('{name} is not well-formed XML ({reason}); is it an OHMS export?',
            '{name} is geen geldige XML ({reason}); is het wel een OHMS-export?'),
    Message('{name} has a DOCTYPE; OHMS files have none, and verhalen does not read entities or DTDs (they can hide an XML bomb)',
            "{name} heeft een DOCTYPE; OHMS-bestanden hebben dat niet, en verhalen leest geen entiteiten of DTD's (daar kan een XML-bom in zitten)."),
    Message('{name} is not an OHMS file: its root element is <{root}>, not <ROOT> with a <record>',
            '{name} is geen OHMS-bestand: het begint met <{root}>, niet met <ROOT> en een <record>.'),
    Message('{name} has no <record>: it is not an OHMS export',
            '{name} heeft geen <record>: het is geen OHMS-export.'),
    Message('{name} holds {count} records; verhalen imports one interview per file',
            '{name} bevat {count} records; verhalen leest één interview per bestand.'),
    Message('{name}: the OHMS record has no <title>',
            '{name}: het OHMS-record heeft geen <title>.'),
    Message('{name}: cannot read it ({reason})',
            '{name}: kan het niet lezen ({reason}).'),
    Message('{name}: file not found (--audio)',
            '{name}: bestand niet gevonden (--audio).'),
    Message('{name} comes without its recording{said}: give it with --audio FILE',
            '{name} komt zonder opname{said}: geef die mee met --audio BESTAND.'),
    Message('--slug {slug!r}: use lower-case letters, digits and hyphens (e.g. {example!r})',
            '--slug ‘{slug}’: gebruik kleine letters, cijfers en streepjes (bijvoorbeeld ‘{example}’).'),
    Message('--slug {slug!r} is taken by another story; choose another one',
            '--slug ‘{slug}’ is al van een ander verhaal; kies een andere.'),
    Message('{name}: a passage has {length} characters; at most {limit} fit in one (max_segment_chars)',
            '{name}: een passage heeft {length} tekens; er passen er hoogstens {limit} in één (max_segment_chars).'),
    Message('{name} or its recording is being imported by another process',
            '{name} of de opname ervan wordt al door een ander proces ingelezen.'),
)

_PLACEHOLDER = re.compile(r"\{(\w+)(!r)?\}")
# A Python repr of a text, as {name!r} writes it: '...' or "..." with backslash escapes.
_QUOTED = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\""""


@dataclass(frozen=True)
class _Compiled:
    message: Message
    regex: re.Pattern
    quoted: frozenset[str]  # groups to unquote
    names: dict[str, str]  # group -> placeholder name
    literal: int  # characters outside placeholders: of two matches, the more specific wins


def _compile(message: Message) -> _Compiled:
    parts, names, quoted, pos = [], {}, set(), 0
    for i, m in enumerate(_PLACEHOLDER.finditer(message.english)):
        group = f"p{i}"  # a name may occur twice (words {n} ... between 1 and {n}): each occurrence its own group
        parts.append(re.escape(message.english[pos:m.start()]))
        parts.append(f"(?P<{group}>{_QUOTED if m[2] else '.*?'})")
        names[group] = m[1]
        if m[2]:
            quoted.add(group)
        pos = m.end()
    parts.append(re.escape(message.english[pos:]))
    literal = len(_PLACEHOLDER.sub("", message.english))
    return _Compiled(message, re.compile("".join(parts), re.DOTALL), frozenset(quoted), names, literal)


@cache
def _compiled() -> tuple[_Compiled, ...]:
    return tuple(_compile(m) for m in MESSAGES)


def lookup(english: str) -> tuple[Message, dict[str, str]] | None:
    """The entry for a core message and its variable parts (quoted ones unquoted); None if it has none."""
    best = None
    for c in _compiled():
        m = c.regex.fullmatch(english)
        if m and (best is None or c.literal > best[0].literal):
            best = (c, m)
    if best is None:
        return None
    c, m = best
    params: dict[str, str] = {}
    for group, name in c.names.items():
        value = m[group]
        if group in c.quoted:
            try:
                value = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                value = value[1:-1]
        params.setdefault(name, value)
    return c.message, params


def english(message: str) -> Markup:
    """A message as it is, in English: marked so on a page in another language."""
    if current_language() == "en":
        return escape(message)
    return Markup('<span lang="en">{}</span>').format(message)


def text(error: VerhalenError | str) -> Markup:
    """What a page shows for a core error (or its message): in the page's language, as safe HTML."""
    message = error.message if isinstance(error, VerhalenError) else error
    if isinstance(message, (Markup, PageText)):  # worded by the web already
        return escape(message)
    found = lookup(str(message))
    if found is None:
        log.info("a core message without a Dutch text (web/core_messages.py): %s", message)
        return english(str(message))
    entry, params = found
    for name, table in entry.words.items():
        if params.get(name) in table:
            params[name] = _(table[params[name]])
    return escape(_(entry.dutch, **params) if params else _(entry.dutch))
