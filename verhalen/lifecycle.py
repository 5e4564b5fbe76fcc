"""The story lifecycle, defined once: the pipeline's stages in order, a stage's states, a story's statuses.

Everything that asks "is this story finished?", "which stages are there?" or
"is this stage still to do?" imports the answer from here (the catalog, the
pipeline, the access rule, indexing, doctor, the jobs page).
"""

from __future__ import annotations

# Done by pipeline.accept() before a story exists in the queue.
INGEST_STAGES = ("probe", "store")
# Run by pipeline.run(), in this order.
RUN_STAGES = ("audio", "transcript", "speakers", "keywords", "contents", "index")
STAGES = INGEST_STAGES + RUN_STAGES
# Stages that came after stories were already finished (an archive older than them): a ready story without
# a row for one has that work left, and `resume` (and the workers) do it. Only stages that build on the
# transcript without replacing it: a missing transcript row must never set off a new transcript.
LATER_STAGES = ("speakers", "contents")
# A stage redone redoes these too, whoever asked (retranscribe, a retry): the speakers stage labels and
# splits the transcript's segments, so a new transcript needs its speakers found again; the draft index
# (contents) is made from the passages, their speakers and the keywords' extractor.
REDONE_WITH = {"transcript": ("speakers", "contents"), "speakers": ("contents",), "keywords": ("contents",)}


def with_followers(redo: tuple[str, ...]) -> tuple[str, ...]:
    """`redo` and the stages that must be redone with them, in pipeline order."""
    wanted = set(redo) | {f for name in redo for f in REDONE_WITH.get(name, ())}
    return tuple(name for name in RUN_STAGES if name in wanted) + tuple(n for n in redo if n not in RUN_STAGES)

# A stage's state.
PENDING, RUNNING, DONE, FAILED, NEEDS_HUMAN, SKIPPED = "pending", "running", "done", "failed", "needs_human", "skipped"
STAGE_STATES = (PENDING, RUNNING, DONE, FAILED, NEEDS_HUMAN, SKIPPED)
# run() leaves these alone unless asked to redo the stage; NEEDS_HUMAN: Whisper cannot transcribe the
# language (Kurdish, Tigrinya), an editor imports a transcript.
SETTLED = (DONE, NEEDS_HUMAN)
# Work left: doctor and resume report it, workers pick it up (pipeline.unfinished).
UNFINISHED_STATES = (PENDING, RUNNING, FAILED)

# A story's status.
READY, NEEDS_TRANSCRIPT = "ready", "needs_transcript"
STATUSES = (PENDING, READY, FAILED, NEEDS_TRANSCRIPT)
# Finished stories are the only ones shown (verhalen.access) and indexed (verhalen.index_sync).
FINISHED = (READY, NEEDS_TRANSCRIPT)
UNFINISHED = (PENDING, FAILED)


def finished(status: str) -> bool:
    return status in FINISHED
