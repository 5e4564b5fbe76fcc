"""The search index on disk: two whoosh indexes in one directory.

* `stories`: one document per story (title, whole transcript, facet fields).
  Ranking, the exact total and the facet counts come from here: there are
  thousands of stories where there are hundreds of thousands of segments, so
  counting and faceting every match stays cheap even for the commonest word.
* `segments`: one document per transcript segment, with its start time and a
  word-offset -> time table. Only searched inside the stories on the current
  page, to find where in each story the words are said and to build snippets.

whoosh allows one writer per index at a time; writers wait for the lock
(`lock_timeout`) instead of failing, so two ingests both land.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from bisect import bisect_right
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as windex
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.query import And, NumericRange, Or, Query, Term
from whoosh.index import LockError

from verhalen.errors import ArchiveError

from .analysis import facet_analyzer, facet_key, text_analyzer
from .formats import ExactPositions
from .documents import SearchResult, SegmentDoc, SegmentHit, StoryDoc, StoryHit, Visibility
from .query import FACETS, expand, highlight_terms, mark_ranges, moments, parse

STORIES, SEGMENTS = "stories", "segments"


def _text(**kw) -> TEXT:
    field = TEXT(analyzer=text_analyzer(), **kw)
    field.format = ExactPositions(field_boost=field.format.field_boost)
    return field


def _facet_fields() -> dict:
    return {name: KEYWORD(analyzer=facet_analyzer(), commas=True) for name in FACETS if name != "year"}


def story_schema() -> Schema:
    return Schema(
        story_id=ID(unique=True, stored=True),
        slug=STORED(),
        title=_text(stored=True, field_boost=2.0),
        text=_text(),
        # Names of the story's people, places, series and themes, so a plain
        # word such as "Rotterdam" also finds stories filed under that place.
        meta=_text(),
        access=ID(),
        embargo=NUMERIC(int, bits=32),
        year=NUMERIC(int, bits=32),
        facets=STORED(),
        **_facet_fields(),
    )


def segment_schema() -> Schema:
    return Schema(
        story_id=ID(stored=True),
        segment_id=STORED(),
        start=STORED(),
        end=STORED(),
        text=_text(stored=True),
        times=STORED(),
        access=ID(),
        embargo=NUMERIC(int, bits=32),
        year=NUMERIC(int, bits=32),
        **_facet_fields(),
    )


def _date_int(d: dt.date | None) -> int:
    return int(d.strftime("%Y%m%d")) if d else 0


def _common_fields(doc: StoryDoc) -> dict:
    fields = {
        "story_id": str(doc.story_id),
        "access": doc.access,
        "embargo": _date_int(doc.embargo_until),
        "series": doc.series or "",
        "language": ",".join(doc.languages),
        "person": ",".join(doc.people),
        "theme": ",".join(doc.themes),
        "place": ",".join(doc.places),
    }
    if doc.year:
        fields["year"] = doc.year
    return fields


def word_times(seg: SegmentDoc) -> list[tuple[int, float]]:
    """(character offset in seg.text, start time) per word, for landing on the matched word."""
    table, pos = [], 0
    for start, word in seg.words:
        found = seg.text.find(word.strip(), pos) if word.strip() else -1
        if found < 0:
            continue
        table.append((found, float(start)))
        pos = found + len(word.strip())
    return table


def time_at(times: list[tuple[int, float]], offset: int, default: float) -> float:
    i = bisect_right([o for o, _ in times], offset) - 1
    return times[i][1] if i >= 0 else default


class SearchIndex:
    """Open (or create) the index in `path`; add, remove and search stories."""

    def __init__(self, path: Path, lock_timeout: float = 120.0, withheld: Callable[[], Iterable[int]] | None = None):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        # Story ids to leave out of every search whatever their documents say: the owner's changes
        # that hide something and have not been written here yet (asked on every search).
        self.withheld = withheld
        # One searcher per index, used by one search at a time: whoosh is pure
        # Python, so threads gain nothing by searching at once (the GIL), while a
        # searcher per server thread multiplied memory (bench/web.py: 4.7 GB at
        # 1,000 h) and a shared searcher is not meant for concurrent use.
        self._lock = threading.RLock()
        self._searchers: dict = {}
        self._facet_cache: tuple | None = None
        self._allowed_cache: dict[tuple, set[int]] = {}
        # True when an index made by an older version (another schema) was
        # found and replaced by an empty one: the owner must refill it.
        self.stale = False
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._ix = {
                STORIES: self._open(STORIES, story_schema()),
                SEGMENTS: self._open(SEGMENTS, segment_schema()),
            }
        except OSError as e:
            raise ArchiveError(f"search index at {self.path} cannot be opened: {e.strerror or e}") from None

    def _open(self, name: str, schema: Schema):
        if windex.exists_in(str(self.path), indexname=name):
            ix = windex.open_dir(str(self.path), indexname=name)
            if _same_schema(ix.schema, schema):
                return ix
            self.stale = True
        return windex.create_in(str(self.path), schema, indexname=name)

    # -- writing ----------------------------------------------------------

    def _writer(self, name: str):
        try:
            return self._ix[name].writer(timeout=self.lock_timeout, delay=0.1)
        except LockError:
            raise ArchiveError(f"search index is busy (another process held its write lock for {self.lock_timeout:.0f} s)") from None

    def write(self, add: Iterable[StoryDoc] = (), remove: Iterable[int] = ()) -> None:
        """Replace the given stories' documents and remove others, in one commit per index.

        The segment index is committed first: a story never shows in the story
        index without its segments (a crash in between leaves it unsearchable,
        and the next write of that story repairs it).
        """
        add, remove = list(add), [str(r) for r in remove]
        seg_w = self._writer(SEGMENTS)
        try:
            for sid in remove + [str(d.story_id) for d in add]:
                seg_w.delete_by_term("story_id", sid)
            for doc in add:
                common = _common_fields(doc)
                for seg in doc.segments:
                    seg_w.add_document(
                        segment_id=seg.segment_id, start=seg.start, end=seg.end, text=seg.text,
                        times=word_times(seg), **{**common, "language": seg.language or common["language"]},
                    )
        except BaseException:
            seg_w.cancel()
            raise
        seg_w.commit()
        story_w = self._writer(STORIES)
        try:
            for sid in remove:
                story_w.delete_by_term("story_id", sid)
            for doc in add:
                text = "\n".join(s.text for s in doc.segments)
                facets = {
                    "series": [doc.series] if doc.series else [],
                    "language": list(doc.languages), "person": list(doc.people),
                    "theme": list(doc.themes), "place": list(doc.places),
                    "year": [str(doc.year)] if doc.year else [],
                }
                meta = "\n".join([*(doc.series and [doc.series] or []), *doc.people, *doc.places, *doc.themes,
                                  *doc.keywords])
                story_w.update_document(slug=doc.slug, title=doc.title, text=doc.description + "\n" + text,
                                        meta=meta, facets=facets, **_common_fields(doc))
        except BaseException:
            story_w.cancel()
            raise
        story_w.commit()

    def optimize(self) -> None:
        """Merge each index into one segment. whoosh sets up matchers per segment for every
        search, so a freshly rebuilt 1,000-h index (10 segments) searched ~2x slower than the
        same index merged (bench/web.py: 19.6 vs 10.5 ms per search); merging took 166 s."""
        for name in (SEGMENTS, STORIES):
            self._writer(name).commit(optimize=True)

    def add(self, doc: StoryDoc) -> None:
        self.write(add=[doc])

    def remove(self, story_id: int) -> None:
        self.write(remove=[story_id])

    def story_ids(self) -> set[int]:
        with self._ix[STORIES].searcher() as s:
            return {int(f["story_id"]) for f in s.all_stored_fields()}

    def generation(self) -> tuple[int, int]:
        """Both indexes' generations: equal tuples mean no search result changed in between."""
        return self._ix[STORIES].latest_generation(), self._ix[SEGMENTS].latest_generation()

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())

    # -- searching --------------------------------------------------------

    def _searcher(self, name: str):
        """The index's searcher, fresh when the index changed (call with self._lock held)."""
        s = self._searchers.get(name)
        if s is not None and not s.up_to_date():
            # A fresh searcher, not s.refresh(): refresh reuses segment
            # readers and can miss deletions made in place.
            s.close()
            s = None
        if s is None:
            s = self._searchers[name] = self._ix[name].searcher()
        return s

    def _facet_table(self, searcher) -> dict[int, dict]:
        # Facet values of every story, read once per index generation: counting
        # facets is then a dictionary walk over the matching story numbers.
        # Keyed by the index generation, so every thread's searcher of the same
        # generation shares one table (document numbers are the same).
        key = searcher.reader().generation()
        if self._facet_cache is None or self._facet_cache[0] != key:
            table = {docnum: f.get("facets", {}) for docnum, f in searcher.reader().iter_docs()}
            self._facet_cache = (key, table)
        return self._facet_cache[1]

    def _allowed(self, searcher, visibility: Visibility) -> set[int]:
        # The story numbers a reader may see, per index generation and visibility: whoosh
        # expands the embargo date range into terms on every search otherwise (~10 ms each
        # at 1,000 h, even for a query that finds nothing). Never mutated by whoosh.
        key = (searcher.reader().generation(), visibility)
        docs = self._allowed_cache.get(key)
        if docs is None:
            if len(self._allowed_cache) >= 32:
                self._allowed_cache.clear()
            docs = self._allowed_cache[key] = set(searcher.docs_for_query(_visibility_filter(visibility)))
        return docs

    def search(self, text: str, visibility: Visibility | None = None, page: int = 1, per_page: int = 10,
               hits_per_story: int = 3) -> SearchResult:
        """Stories matching `text` (ranked), their best moments with snippets, the exact total and facet counts.

        Raises QueryError for a query that cannot be understood.
        """
        with self._lock:
            return self._search(text, visibility or Visibility(), page, per_page, hits_per_story)

    def _search(self, text: str, visibility: Visibility, page: int, per_page: int, hits_per_story: int) -> SearchResult:
        stories = self._searcher(STORIES)
        q = parse(text, stories.schema, ("title", "text", "meta"))
        allowed = self._allowed(stories, visibility)
        held = self.withheld() if self.withheld is not None else ()
        if held:
            allowed = allowed.difference(*(stories.docs_for_query(Term("story_id", str(sid))) for sid in held))
        if not allowed:
            # whoosh treats an empty filter as no filter at all ("if filter or mask"): the reader may see
            # nothing, so nothing is searched.
            return SearchResult(text, 0, max(1, page), per_page, (), {})
        results = stories.search(q, filter=allowed, limit=None)
        total = len(results)
        table = self._facet_table(stories)
        found_facets = [table.get(docnum, {}) for docnum in results.docs()]
        counts = {name: Counter(v for f in found_facets for v in f.get(name, ())) for name in FACETS}
        page = max(1, page)
        top = results[(page - 1) * per_page: page * per_page]
        # Prefixes are expanded once, against the stories' vocabulary, and the
        # expanded words are reused for every story's moments and snippets.
        seg_q = moments(expand(q, stories.reader()))
        terms = highlight_terms(seg_q) if seg_q is not None else frozenset()
        segments = self._searcher(SEGMENTS)
        found: dict[str, list[SegmentHit]] = {hit["story_id"]: [] for hit in top}

        if seg_q is not None and found:
            for sh in self._moments(segments, seg_q, list(found), hits_per_story):
                marks = mark_ranges(sh["text"], terms)
                when = time_at(sh["times"], marks[0][0], sh["start"]) if marks else sh["start"]
                found[sh["story_id"]].append(
                    SegmentHit(sh["segment_id"], sh["start"], sh["end"], when, sh["text"], tuple(marks)))
        story_hits = [StoryHit(int(hit["story_id"]), hit["slug"], hit["title"], hit.score or 0.0,
                               tuple(sorted(found[hit["story_id"]], key=lambda m: m.start))) for hit in top]
        facets = {name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) for name, c in counts.items() if c}
        return SearchResult(text, total, page, per_page, tuple(story_hits), facets)

    @staticmethod
    def _moments(segments, seg_q: Query, story_ids: list[str], per_story: int) -> list[dict]:
        """The best `per_story` matching segments of each story on the page (stored fields).

        Not one search per story: whoosh sets up matchers per index segment for every search,
        and ten searches per page made a search page cost ~30 ms at 1,000 h (bench/web.py).
        A story's segments are written together, so they normally fill one run of document
        numbers: then one matcher walks just those runs (no union of the stories' posting
        lists to read and score). Otherwise one search, restricted to the stories, decides.
        No limit either way, so no story loses its moments to another's; stored fields are
        read only for the hits kept.
        """
        spans = _spans(segments, story_ids)
        if spans is not None:
            ranked = _ranked_within(segments, seg_q, spans)
        else:
            owner = {docnum: sid for sid in story_ids for docnum in segments.docs_for_query(Term("story_id", sid))}
            results = segments.search(And([seg_q, Or([Term("story_id", sid) for sid in story_ids])]), limit=None)
            ranked = [(docnum, owner[docnum]) for _score, docnum in results.top_n]  # best first
        kept: Counter = Counter()
        picked = []
        for docnum, sid in ranked:
            if kept[sid] < per_story:
                kept[sid] += 1
                picked.append(docnum)
        return [segments.stored_fields(docnum) for docnum in picked]

    def close(self) -> None:
        with self._lock:
            for s in self._searchers.values():
                s.close()
            self._searchers.clear()


def _spans(segments, story_ids: list[str]) -> list[tuple[int, int, str]] | None:
    """(first, last docnum, story id) per story, sorted, when each story's segments fill their
    whole docnum range (range length = the story id's posting count, so no other story's
    document and no re-added copy lies inside); None when any does not."""
    reader = segments.reader()
    spans = []
    for sid in story_ids:
        if ("story_id", sid) not in reader:
            continue
        info = reader.term_info("story_id", sid)
        lo, hi = info.min_id(), info.max_id()
        if hi - lo + 1 != info.doc_frequency():
            return None
        spans.append((lo, hi, sid))
    return sorted(spans)


def _ranked_within(segments, q: Query, spans: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """(docnum, story id) of the documents matching `q` inside the spans, best score first."""
    scored = []
    for sub, offset in segments.leaf_searchers():
        end = offset + sub.doc_count_all()
        m = q.matcher(sub, sub.context())
        for lo, hi, sid in spans:
            if hi < offset or lo >= end:
                continue
            if m.is_active() and m.id() + offset < lo:
                m.skip_to(lo - offset)
            while m.is_active() and m.id() + offset <= hi:
                scored.append((-m.score(), m.id() + offset, sid))  # deleted documents never match
                m.next()
    scored.sort()
    return [(docnum, sid) for _neg, docnum, sid in scored]


def _same_schema(old: Schema, new: Schema) -> bool:
    """Same fields with the same posting formats (an older index may use whoosh's buggy Positions)."""
    return sorted(old.names()) == sorted(new.names()) and all(
        type(old[n].format) is type(new[n].format) for n in new.names())


def _visibility_filter(v: Visibility) -> Query:
    # A reader with the "embargoed" level sees embargoed stories before their date too (access.level_allows).
    parts: list[Query] = [Term("access", level) for level in sorted(v.levels)]
    if "embargoed" not in v.levels:
        parts.append(And([Term("access", "embargoed"), NumericRange("embargo", 1, _date_int(v.today))]))
    return Or(parts)


def destroy(path: Path) -> None:
    """Remove an index directory entirely (rebuild starts from nothing)."""
    shutil.rmtree(path, ignore_errors=True)


__all__ = ["SearchIndex", "destroy", "facet_key"]
