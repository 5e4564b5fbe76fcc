"""`verhalen doctor`: checks that the archive's parts agree, each a (ok, label, detail) row."""

from __future__ import annotations

import subprocess
from typing import Iterator

from sqlalchemy import select

from . import catalog, outbox
from .archive import Archive
from .errors import VerhalenError
from .index_sync import indexable
from .pipeline import unfinished

Check = tuple[bool, str, str]


def checks(archive: Archive) -> Iterator[Check]:
    from verhalen.media import ffmpeg_binary

    try:
        out = subprocess.run([ffmpeg_binary(), "-version"], capture_output=True, text=True, timeout=20)
        yield out.returncode == 0, "ffmpeg", f"{ffmpeg_binary()} ({out.stdout.split(chr(10))[0]})"
    except (OSError, subprocess.TimeoutExpired) as e:
        yield False, "ffmpeg", str(e)
    try:
        yield True, "model", str(archive.model_dir)
    except VerhalenError as e:
        yield False, "model", str(e)
    with archive.session() as s:
        stories = s.scalars(select(catalog.Story)).all()
        yield True, "catalog", f"{len(stories)} stories in {archive.settings.catalog_url}"
        left = set(unfinished(archive))
        broken = []
        for st in stories:
            if st.id in left:
                stages = [f"{x.stage}: {x.error or x.state}" for x in st.stages if x.state in ("failed", "running")]
                broken.append(f"{st.slug} ({'; '.join(stages) or 'status ' + st.status})")
        yield not broken, "pipeline", ("unfinished: " + "; ".join(broken) + " - run `verhalen resume`") if broken else "all stages done"
        owed = outbox.pending(s)
        if owed:
            slug = {st.id: st.slug for st in stories}
            items = [f"{slug.get(w.story_id, f'deleted story {w.story_id}')} ({w.kind}"
                     f"{', hidden from search meanwhile' if w.hides and w.kind == outbox.INDEX else ''}"
                     f"{', ' + w.error if w.error else ''})" for w in owed]
            yield False, "pending", "not yet applied: " + "; ".join(dict.fromkeys(items)) + " - run `verhalen resume`"
        else:
            yield True, "pending", "index and listening copies agree with the catalog"
        wanted = {st.id for st in stories if indexable(st)}
        known = {st.id: st.slug for st in stories}
        have = archive.index.story_ids()
        missing, extra = wanted - have, have - wanted
        detail = []
        if missing:
            detail.append("not indexed: " + ", ".join(known[i] for i in sorted(missing)))
        if extra:
            detail.append(f"{len(extra)} index entries without a finished story")
        yield not detail, "index", "; ".join(detail) + (" - run `verhalen reindex`" if detail else f"{len(have)} stories")
        expected = {}
        for st in stories:
            if st.recording:
                p = archive.original(st.recording)
                expected[p] = st.slug
        lost = [slug for p, slug in expected.items() if not p.is_file()]
        yield not lost, "originals", ("missing for: " + ", ".join(lost)) if lost else f"{len(expected)} present"
        root = archive.settings.originals_dir
        orphans = [p for p in root.glob("*/*") if p.is_file() and p not in expected] if root.exists() else []
        yield True, "orphans", f"{len(orphans)} stored originals without a story" if orphans else "none"
