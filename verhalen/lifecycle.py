"""The story lifecycle, defined once: the pipeline's stages in order, a stage's states, a story's statuses.

Everything that asks "is this story finished?", "which stages are there?" or
"is this stage still to do?" imports the answer from here (the catalog, the
pipeline, the access rule, indexing, doctor, the jobs page).
"""

from __future__ import annotations

# Done by pipeline.accept() before a story exists in the queue.
INGEST_STAGES = ("probe", "store")
# Run by pipeline.run(), in this order.
RUN_STAGES = ("audio", "transcript", "keywords", "index")
STAGES = INGEST_STAGES + RUN_STAGES

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
