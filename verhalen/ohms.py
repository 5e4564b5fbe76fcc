"""OHMS XML (Oral History Metadata Synchronizer, version 5.4): write a story as a record, read one back. Pure:
plain data in, bytes out, and bytes in, plain data out. No catalog, no Flask, no disk (verhalen.ohms_catalog
joins this to the catalog for the CLI and the web alike).

The format (tests/schemas/ohms/ohms.xsd, the official 5.4 schema; docs/interchange.md): `ROOT > record` in the
default namespace https://www.weareavp.com/nunncenter/ohms, the record's children in the schema's fixed order.
The transcript is plain text, one line per passage, `NAME: ` where a speaker's turn starts and a blank line
between turns. <sync> says where each minute starts: `1:|L(W)|L(W)...`, mark k pointing at line L (1-based,
blank lines counted) and word W of that line (1-based, the speaker's label counted as words), at k minutes.

Reading is tolerant of files other archives made: with or without the namespace, optional fields missing, no
<sync>, `;` between keywords, the `[[footnote]]` markup kept as text. It refuses what is not an OHMS record,
XML that is not well-formed and any DOCTYPE (entities are never expanded, nothing is fetched: an XML bomb or
an external entity stops here) with a UsageError saying so.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field

from lxml import etree

from .errors import UsageError
from .exports import parse_time, speaker_label

NS = "https://www.weareavp.com/nunncenter/ohms"
VERSION = "5.4"
MIME = "application/xml"
MAX_BYTES = 32 * 1024 * 1024  # a 10-hour interview's transcript is ~2 MB; a bigger "OHMS file" is something else
GPS_ZOOM = "15"  # OHMS wants a zoom with every point; we store none, so a neighbourhood's
WORDS_PER_SECOND = 2.5  # ordinary talk (150 words a minute), for times the file does not give
LONG_LINE = 1000  # a line longer than this becomes several passages, cut at sentence ends
PIECE = 600

# ISO 639-1 code -> the English name OHMS's <language> carries (the languages oral-history archives here hold).
LANGUAGES = {
    "nl": "Dutch", "en": "English", "ar": "Arabic", "fa": "Persian", "tr": "Turkish", "ku": "Kurdish",
    "ti": "Tigrinya", "so": "Somali", "am": "Amharic", "de": "German", "fr": "French", "es": "Spanish",
    "pt": "Portuguese", "it": "Italian", "pl": "Polish", "ro": "Romanian", "bg": "Bulgarian", "uk": "Ukrainian",
    "ru": "Russian", "zh": "Chinese", "hi": "Hindi", "ur": "Urdu", "ps": "Pashto", "ber": "Berber",
    "fy": "Frisian", "li": "Limburgish", "id": "Indonesian", "jv": "Javanese", "sr": "Serbian", "hr": "Croatian",
    "bs": "Bosnian", "el": "Greek", "he": "Hebrew", "vi": "Vietnamese", "ja": "Japanese", "ko": "Korean",
}
_CODES = {name.lower(): code for code, name in LANGUAGES.items()}
_CODES.update({"farsi": "fa", "mandarin": "zh", "west frisian": "fy", "flemish": "nl"})


@dataclass
class Point:
    """One index point: where a part starts (seconds), its title, synopsis, keywords and a place."""

    start: float
    title: str = ""
    synopsis: str = ""
    keywords: list[str] = field(default_factory=list)
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    partial_transcript: str = ""  # the part's first words (OHMS shows them; reading uses them to place lines)


@dataclass
class Line:
    """A transcript line as read: its number (1-based, blank lines counted), speaker (None: not said), text."""

    number: int
    speaker: str | None
    text: str
    label_words: int = 0  # words of the `NAME:` label, which <sync>'s word numbers count


@dataclass
class Record:
    """What an OHMS record says that verhalen models. Writing takes `segments` (exports.rows dicts: start, end,
    text, speaker, voice, words); reading fills `lines` and `sync` (and `segments_for` times them)."""

    id: int
    title: str
    recorded: dt.date | None = None
    accession: str = ""
    duration: float | None = None
    series: str | None = None
    repository: str = ""
    subjects: list[str] = field(default_factory=list)  # our editors' themes
    keywords: list[str] = field(default_factory=list)  # our accepted keywords
    interviewees: list[str] = field(default_factory=list)
    interviewers: list[str] = field(default_factory=list)
    file_name: str = ""
    media_url: str = ""
    language: str | None = None  # ISO 639-1 code; <language> carries its English name
    points: list[Point] = field(default_factory=list)
    description: str = ""
    rights: str = ""
    fmt: str = "audio"
    changed: dt.date | None = None  # record@dt
    segments: list[dict] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    sync: list[tuple[float, int, int]] = field(default_factory=list)  # (seconds, line, word)


def _one_line(text) -> str:
    return " ".join(str(text or "").split())


def hms(seconds: float) -> str:
    """h:mm:ss, as OHMS's <duration> writes it (0:31:10)."""
    s = int(round(max(0.0, seconds)))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def language_name(code: str | None) -> str:
    if not code:
        return ""
    return LANGUAGES.get(code.lower().split("-")[0], code)


def language_code(name: str | None) -> str | None:
    """An ISO 639-1 code from OHMS's <language> (an English name, sometimes a code; "Dutch; English": the first)."""
    first = re.split(r"[;,/]", name or "")[0].strip().lower()
    if not first:
        return None
    if first in _CODES:
        return _CODES[first]
    if first.split("-")[0] in LANGUAGES:
        return first.split("-")[0]
    return None


# -- writing ----------------------------------------------------------------------------------------------------


def transcript_lines(segments: list[dict]) -> tuple[list[str], list[tuple[int, int] | None]]:
    """The transcript's lines and, per segment, (line number, words of its label) or None (no text): one line
    per passage, `NAME: ` at the start of each turn, a blank line between turns."""
    lines: list[str] = []
    where: list[tuple[int, int] | None] = []
    previous: object = object()
    for seg in segments:
        text = _one_line(seg.get("text"))
        if not text:
            where.append(None)
            continue
        speaker = speaker_label(seg)
        label_words = 0
        if speaker != previous:
            if lines:
                lines.append("")
            if speaker:
                text = f"{speaker}: {text}"
                label_words = len(speaker.split())
            previous = speaker
        lines.append(text)
        where.append((len(lines), label_words))
    return lines, where


def _word_at(seg: dict, t: float) -> int:
    """The 0-based word of a segment's text being said at `t` (its timed words when they spell the text,
    else in proportion to the time)."""
    tokens = _one_line(seg.get("text")).split()
    words = seg.get("words") or []
    if len(words) == len(tokens):
        for i, w in enumerate(words):
            if float(w[1]) > t:
                return i
        return len(tokens) - 1
    span = float(seg["end"]) - float(seg["start"])
    share = (t - float(seg["start"])) / span if span > 0 else 0.0
    return min(len(tokens) - 1, max(0, int(share * len(tokens))))


def sync_marks(segments: list[dict], where: list[tuple[int, int] | None]) -> str:
    """<sync>: for each whole minute inside the transcript, the line and word being said then."""
    timed = [(seg, w) for seg, w in zip(segments, where) if w is not None]
    if not timed:
        return ""
    last = max(float(seg["end"]) for seg, _ in timed)
    marks, i = [], 0
    for minute in range(1, int(last // 60) + 1):
        t = minute * 60.0
        while i < len(timed) - 1 and float(timed[i][0]["end"]) <= t:
            i += 1
        seg, (line, label_words) = timed[i]
        word = 0 if t < float(seg["start"]) else _word_at(seg, t)
        marks.append(f"{line}({label_words + word + 1})")
    return "1:|" + "|".join(marks) if marks else ""


def timed_moments(segments: list[dict], points: list[Point]) -> set[int]:
    """Which segments (by position) the writer reads word timings of: those said at a whole minute (<sync>) or
    where an index point starts (its partial_transcript). A caller may leave `words` out of the others, which
    saves decoding them (an hour's 450 passages, of which ~70 are needed)."""
    ends = [float(seg["end"]) for seg in segments]
    moments = [minute * 60.0 for minute in range(1, int(max(ends, default=0) // 60) + 1)]
    moments += [float(p.start) for p in points]
    out = set()
    for t in moments:
        i = next((n for n, end in enumerate(ends) if end > t), None)
        if i is not None:
            out.add(i)
    return out


def _partial(segments: list[dict], start: float, words: int = 12) -> str:
    """The first words said from `start` on (OHMS's partial_transcript of an index point)."""
    for seg in segments:
        if float(seg["end"]) > start and _one_line(seg.get("text")):
            tokens = _one_line(seg["text"]).split()
            if float(seg["start"]) < start:
                tokens = tokens[_word_at(seg, start):]
            return " ".join(tokens[:words])
    return ""


def _coord(value: float) -> str:
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


def build(record: Record) -> bytes:
    """The record as an OHMS 5.4 document (UTF-8, with an XML declaration)."""
    E = lambda name: f"{{{NS}}}{name}"  # noqa: E731 - the namespaced tag, kept short below
    root = etree.Element(E("ROOT"), nsmap={None: NS})
    rec = etree.SubElement(root, E("record"), id=str(int(record.id)),
                           dt=(record.changed or dt.date.today()).isoformat())

    def add(name: str, text, parent=rec):
        el = etree.SubElement(parent, E(name))
        if text is not None and text != "":
            el.text = str(text)
        return el

    add("version", VERSION)
    etree.SubElement(rec, E("date"), value=record.recorded.isoformat() if record.recorded else "",
                     format="yyyy-mm-dd")
    add("title", _one_line(record.title))
    if record.accession:
        add("accession", record.accession)
    if record.duration:
        add("duration", hms(record.duration))
    if record.series:
        add("series_name", _one_line(record.series))
    if record.repository:
        add("repository", _one_line(record.repository))
    for name in record.subjects:
        add("subject", _one_line(name))
    for name in record.keywords:
        add("keyword", _one_line(name))
    for name in record.interviewees:
        add("interviewee", _one_line(name))
    for name in record.interviewers:
        add("interviewer", _one_line(name))
    if record.file_name:
        add("file_name", record.file_name)
    lines, where = transcript_lines(record.segments)
    sync = sync_marks(record.segments, where)
    if sync:
        add("sync", sync)
    if record.media_url:
        add("media_url", record.media_url)
    if record.language:
        add("language", language_name(record.language))
    if record.points:
        index = add("index", None)
        for p in sorted(record.points, key=lambda p: float(p.start)):
            point = add("point", None, index)
            add("time", int(math.floor(float(p.start))), point)
            add("title", _one_line(p.title), point)
            partial = _one_line(p.partial_transcript) or _partial(record.segments, float(p.start))
            if partial:
                add("partial_transcript", partial, point)
            if _one_line(p.synopsis):
                add("synopsis", _one_line(p.synopsis), point)
            if p.keywords:
                add("keywords", ";".join(_one_line(k) for k in p.keywords if _one_line(k)), point)
            has_gps = p.latitude is not None and p.longitude is not None
            if has_gps or _one_line(p.place):
                gps = add("gpspoints", None, point)
                if has_gps:
                    add("gps", f"{_coord(p.latitude)}, {_coord(p.longitude)}", gps)
                add("gps_zoom", GPS_ZOOM if has_gps else "", gps)
                if _one_line(p.place):
                    add("gps_text", _one_line(p.place), gps)
    if record.description.strip():
        add("description", record.description.strip())
    if lines:
        add("transcript", "\n".join(lines))
    if record.rights:
        add("rights", record.rights)
    add("fmt", record.fmt if record.fmt in ("audio", "video") else "audio")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# -- reading ----------------------------------------------------------------------------------------------------

_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                       huge_tree=False, remove_comments=True, remove_pis=True)


def _local(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _children(el, name: str) -> list:
    return [c for c in el if _local(c) == name]


def _text(el, name: str) -> str:
    found = _children(el, name)
    return "".join(found[0].itertext()).strip() if found else ""


def _texts(el, name: str) -> list[str]:
    """Repeated elements, each possibly holding several `;`-separated values; each once, in order."""
    out: list[str] = []
    for c in _children(el, name):
        for part in "".join(c.itertext()).split(";"):
            part = _one_line(part)
            if part and part.lower() not in {o.lower() for o in out}:
                out.append(part)
    return out


def _date(value: str, fmt: str) -> dt.date | None:
    value, fmt = value.strip(), fmt.strip().lower()
    if not value:
        return None
    patterns = {"mm/dd/yyyy": "%m/%d/%Y", "dd/mm/yyyy": "%d/%m/%Y", "dd-mm-yyyy": "%d-%m-%Y"}
    tries = ([patterns[fmt]] if fmt in patterns else []) + ["%Y-%m-%d", "%m/%d/%Y", "%Y-%m", "%Y"]
    for p in tries:
        try:
            return dt.datetime.strptime(value[:10], p).date()
        except ValueError:
            continue
    return None


def _seconds(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
        return value if math.isfinite(value) and value >= 0 else None
    except ValueError:
        return parse_time(text)


def _gps(text: str) -> tuple[float | None, float | None]:
    nums = re.findall(r"-?\d+(?:\.\d+)?", text or "")
    if len(nums) != 2:
        return None, None
    lat, lon = float(nums[0]), float(nums[1])
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None, None


def _point(el) -> Point | None:
    start = _seconds(_text(el, "time"))
    if start is None:
        return None
    keywords = _texts(el, "keywords")
    keywords += [k for k in _texts(el, "subjects") if k.lower() not in {x.lower() for x in keywords}]
    p = Point(start=start, title=_one_line(_text(el, "title")), synopsis=_one_line(_text(el, "synopsis")),
              keywords=keywords, partial_transcript=_one_line(_text(el, "partial_transcript")))
    for gps in _children(el, "gpspoints"):  # one place per point in verhalen: the first that says something
        lat, lon = _gps(_text(gps, "gps"))
        place = _one_line(_text(gps, "gps_text"))
        if lat is not None or place:
            p.latitude, p.longitude, p.place = lat, lon, place
            break
    return p


def parse(data: bytes, name: str = "the file") -> Record:
    """An OHMS record from XML bytes; UsageError (naming `name`) for anything that is not one."""
    if len(data) > MAX_BYTES:
        raise UsageError(f"{name} is {len(data) / 1e6:.0f} MB; an OHMS file is at most {MAX_BYTES // 2**20} MiB")
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"{name} is not well-formed XML ({exc.msg or exc}); is it an OHMS export?") from None
    if root is None:
        raise UsageError(f"{name} is empty")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UsageError(f"{name} has a DOCTYPE; OHMS files have none, and verhalen does not read entities "
                         "or DTDs (they can hide an XML bomb)")
    if _local(root) == "ROOT":
        records = _children(root, "record")
    elif _local(root) == "record":
        records = [root]
    else:
        raise UsageError(f"{name} is not an OHMS file: its root element is <{_local(root) or root.tag}>, "
                         "not <ROOT> with a <record>")
    if not records:
        raise UsageError(f"{name} has no <record>: it is not an OHMS export")
    if len(records) > 1:
        raise UsageError(f"{name} holds {len(records)} records; verhalen imports one interview per file")
    rec = records[0]
    title = _one_line(_text(rec, "title"))
    if not title:
        raise UsageError(f"{name}: the OHMS record has no <title>")
    date_el = (_children(rec, "date") or [None])[0]
    recorded = _date(date_el.get("value", ""), date_el.get("format", "")) if date_el is not None else None
    recorded = recorded or _date(_text(rec, "date_nonpreferred_format"), "")
    try:
        record_id = int(rec.get("id", "0") or 0)
    except ValueError:
        record_id = 0
    points = [p for p in (_point(el) for idx in _children(rec, "index") for el in _children(idx, "point")) if p]
    fmt = _text(rec, "fmt").lower()
    out = Record(
        id=record_id, title=title, recorded=recorded, accession=_one_line(_text(rec, "accession")),
        duration=_seconds(_text(rec, "duration")),
        series=_one_line(_text(rec, "series_name")) or _one_line(_text(rec, "collection_name")) or None,
        repository=_one_line(_text(rec, "repository")), subjects=_texts(rec, "subject"),
        keywords=_texts(rec, "keyword"), interviewees=_texts(rec, "interviewee"),
        interviewers=_texts(rec, "interviewer"), file_name=_text(rec, "file_name"),
        media_url=_text(rec, "media_url"), language=language_code(_text(rec, "language")),
        points=sorted(points, key=lambda p: p.start), description=_text(rec, "description"),
        rights=_one_line(_text(rec, "rights")), fmt=fmt if fmt in ("audio", "video") else "audio",
        changed=_date(rec.get("dt", ""), ""))
    out.lines = read_lines(_text(rec, "transcript"), out.interviewees + out.interviewers)
    out.sync = read_sync(_text(rec, "sync"))
    return out


def read_sync(text: str) -> list[tuple[float, int, int]]:
    """<sync> as (seconds, line, word): `M:|L(W)|...`, mark k at k*M minutes; unreadable marks are skipped."""
    head, _, marks = (text or "").partition(":")
    try:
        minutes = float(head.strip())
    except ValueError:
        return []
    if not (minutes > 0 and math.isfinite(minutes)):
        return []
    out = []
    for k, mark in enumerate(marks.split("|")):
        m = re.fullmatch(r"\s*(\d+)\((\d+)\)\s*", mark)
        if m:
            out.append((k * minutes * 60.0, int(m.group(1)), int(m.group(2))))
    return out


# Lower-case words that may stand inside a name used as a speaker label (Anna de Vries, Amal el Idrissi).
_PARTICLES = {"de", "van", "der", "den", "het", "ter", "ten", "te", "von", "el", "al", "bin", "ibn", "la", "le",
              "da", "di", "du", "dos", "y", "zu", "ben", "bint"}
_LABEL = re.compile(r"^\s*([^\s:][^:]{0,59}?)\s*:\s+(\S.*)$")


def _fold(text: str) -> str:
    """For matching a label to a name: no accents, Turkish dotless i as i, case folded (YILMAZ = Yılmaz)."""
    text = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("İ", "I"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def _speaker_like(label: str, names: dict[str, str]) -> bool:
    if _fold(label) in names:
        return True
    if re.search(r"[0-9?!;,\"“”()\[\]]", label) and not re.fullmatch(r"Speaker [A-Z0-9]+", label):
        return False
    words = label.split()
    if not 1 <= len(words) <= 5 or not any(ch.isalpha() for ch in label):
        return False
    if label == label.upper():
        return True  # the OHMS habit: BAKKER:, DE VRIES:
    return all(w[0].isupper() or w[0].isdigit() or w in _PARTICLES for w in words)


def _name_for(label: str, names: dict[str, str]) -> str:
    """A label as a person of the record when it is their name, or its last or first word (YILMAZ: Şükrü
    Yılmaz); else as written."""
    return names.get(_fold(label), " ".join(label.split()))


def read_lines(transcript: str, people: list[str]) -> list[Line]:
    """The transcript's lines that carry text, numbered as <sync> counts them, each with its speaker: a label
    at the line's start, else the speaker before it (a turn goes on over lines and paragraphs)."""
    names: dict[str, str] = {}
    for person in people:
        words = person.split()
        for key in ([person, words[-1], words[0]] if words else []):
            names.setdefault(_fold(key), person)
    out: list[Line] = []
    speaker: str | None = None
    for number, raw in enumerate(transcript.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        text = _one_line(raw)
        if not text:
            continue
        label_words = 0
        m = _LABEL.match(text)
        if m and _speaker_like(m.group(1), names):
            speaker, text = _name_for(m.group(1), names), m.group(2).strip()
            label_words = len(m.group(1).split())
        out.append(Line(number=number, speaker=speaker, text=text, label_words=label_words))
    return out


def _pieces(text: str) -> list[str]:
    """A long line cut at sentence ends into passages of about PIECE characters (one line stays one passage
    up to LONG_LINE characters, so our own exports come back line for line)."""
    if len(text) <= LONG_LINE:
        return [text]
    out, current = [], ""
    for sentence in re.split(r"(?<=[.!?…])\s+", text):
        if current and len(current) + 1 + len(sentence) > PIECE:
            out.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    out.append(current)
    return [p for chunk in out for p in ([chunk] if len(chunk) <= LONG_LINE else
                                         [chunk[i:i + PIECE] for i in range(0, len(chunk), PIECE)])]


def _norm_words(text: str) -> list[str]:
    return [w for w in (re.sub(r"\W+", "", t.casefold()) for t in text.split()) if w]


def segments_for(record: Record, duration: float | None = None) -> list[dict]:
    """The transcript as timed passages {start, end, text, speaker}: one per line (long lines cut at sentence
    ends). Times: each <sync> mark and each index point whose partial_transcript is found in the text fix the
    time of a word; between two fixed words time runs evenly over the words; after the last one up to the
    recording's end (`duration`, else <duration>), else at the pace so far, else 2.5 words a second."""
    duration = duration or record.duration
    # The spoken words (labels left out) numbered through the transcript; where each line's first one is.
    passages: list[tuple[Line, str, int]] = []  # (line, text, index of its first word)
    line_start: dict[int, int] = {}
    total = 0
    for line in record.lines:
        line_start[line.number] = total
        for piece in _pieces(line.text):
            passages.append((line, piece, total))
            total += len(piece.split())
    if not passages:
        return []
    anchors: list[tuple[int, float]] = [(0, 0.0)]
    by_number = {ln.number: ln for ln in record.lines}
    for seconds, number, word in record.sync:
        # A mark may point at a blank line (counted, but without words): the next line with words then.
        later = [n for n in line_start if n >= number]
        if not later:
            continue
        n = min(later)
        line = by_number[n]
        offset = min(max(0, word - 1 - line.label_words), len(line.text.split()) - 1) if n == number else 0
        anchors.append((line_start[n] + offset, seconds))
    # Index points that quote their first words: those words start at the point's time.
    normalised: list[str] = []
    at: list[int] = []  # the word index of each normalised word
    for _, piece, first in passages:
        for k, token in enumerate(piece.split()):
            if word := re.sub(r"\W+", "", token.casefold()):
                normalised.append(word)
                at.append(first + k)
    for p in record.points:
        quote = _norm_words(p.partial_transcript)[:6]
        if len(quote) < 3:
            continue
        for i in range(len(normalised) - len(quote) + 1):
            if normalised[i:i + len(quote)] == quote:
                anchors.append((at[i], float(p.start)))
                break
    # Keep the anchors that agree with the ones before them: a later word, a later time.
    kept: list[tuple[int, float]] = []
    for index, seconds in sorted(anchors):
        if not kept or (index > kept[-1][0] and seconds > kept[-1][1]):
            kept.append((index, seconds))
    last_index, last_time = kept[-1]
    if duration and duration > last_time and total > last_index:
        kept.append((total, float(duration)))
    elif total > last_index:
        pace = (last_time - kept[0][1]) / (last_index - kept[0][0]) if last_index > kept[0][0] else 0
        pace = pace if pace > 0 else 1 / WORDS_PER_SECOND
        kept.append((total, last_time + (total - last_index) * pace))

    def time_of(index: int) -> float:
        for (i0, t0), (i1, t1) in zip(kept, kept[1:]):
            if i0 <= index <= i1:
                return t0 + (t1 - t0) * (index - i0) / (i1 - i0) if i1 > i0 else t0
        return kept[-1][1]

    end_of_all = kept[-1][1]
    if duration:
        end_of_all = min(end_of_all, float(duration))
    out = []
    for n, (line, text, first) in enumerate(passages):
        start = time_of(first)
        end = time_of(passages[n + 1][2]) if n + 1 < len(passages) else end_of_all
        start = round(min(start, end_of_all), 3)
        end = round(max(min(end, end_of_all), start), 3)
        out.append({"start": start, "end": end, "text": text, "speaker": line.speaker})
    return out
