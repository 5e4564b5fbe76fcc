"""The one settings object.

Values are layered: the defaults below <- `verhalen.toml` in the archive home
<- environment variables `VERHALEN_<FIELD>` <- command-line flags. Every field
documents its meaning, unit and default in its `help` metadata; docs/settings.md
is checked against these (tests/test_docs.py), so the two cannot drift.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from . import licences
from .errors import UsageError


def _f(default: Any, help: str, **kw: Any) -> Any:
    if isinstance(default, (list, tuple)):
        return field(default_factory=lambda: tuple(default), metadata={"help": help}, **kw)
    return field(default=default, metadata={"help": help}, **kw)


@dataclass(frozen=True)
class Settings:
    home: Path = _f(Path("archive"), "Archive home: catalog, originals, derived audio, index, models.")
    database_url: str = _f("", "SQLAlchemy URL of the catalog; empty means catalog.sqlite in the home.")
    model: str = _f("", "Transcription model: empty or base (the bundled multilingual base), the name of one installed with `verhalen model install`, or a CTranslate2 Whisper model directory.")
    default_language: str = _f("nl", "Language used when detection is unsure or names an unexpected language.")
    expected_languages: tuple = _f(("nl", "en", "ar", "fa", "tr"), "Languages this archive expects; other detections fall back to default_language.")
    language_min_probability: float = _f(0.8, "Minimum language-detection probability (0-1) to trust a detection.")
    beam_size: int = _f(5, "Beam size for decoding (1 = greedy, faster, slightly worse).")
    batch_size: int = _f(8, "Speech chunks decoded together (faster-whisper's batched pipeline); 0 decodes one window at a time.")
    compute_type: str = _f("int8", "CTranslate2 compute type (int8 on CPU).")
    device: str = _f("cpu", "Device for the model: cpu or cuda.")
    cpu_threads: int = _f(0, "Threads for the model and the speakers stage; 0 means all cores.")
    vad: bool = _f(True, "Skip non-speech with Silero VAD before decoding.")
    listening_bitrate: str = _f("96k", "Bitrate of the MP3 listening copy.")
    opus_copy: bool = _f(True, "Also make an Opus listening copy (small, for the web player).")
    speakers: bool = _f(True, "Find who speaks when (the speakers stage: voices, turns, segments split at speaker changes); off leaves what an earlier run found.")
    speaker_count: int = _f(0, "Voices the speakers stage looks for; 0 means 2, or estimated between 2 and 5 when a story lists more than two people.")
    keywords: int = _f(10, "Number of automatic keywords extracted per story (0 disables).")
    publish_keywords: bool = _f(False, "Show automatic keywords publicly before an editor reviews them (run `verhalen reindex` after changing).")
    trash_days: int = _f(30, "Days a deleted story stays in the trash (restorable) before `verhalen trash purge` removes it for good.")
    index_lock_timeout: float = _f(120.0, "Seconds to wait for the search index's single writer lock.")
    redis_url: str = _f("", "Redis URL for the job queue (several workers on several machines); empty means SQLite in the home.")
    worker_lease_seconds: float = _f(120.0, "A job whose worker has not reported for this long is taken over (the worker died).")
    max_upload_mb: int = _f(2048, "Largest recording the web upload accepts, in MiB.")
    session_cookie_secure: bool = _f(False, "Send the login cookie over HTTPS only (turn on behind HTTPS).")
    page_cache_mb: int = _f(128, "Memory per server process for finished public pages, gzip-compressed, in MiB (0 turns the page cache off).")
    server_processes: int = _f(1, "Processes `verhalen serve` runs on one port (waitress in each; use the number of cores on a busy site).")
    trusted_proxy_hops: int = _f(0, "Reverse proxies in front of the server whose X-Forwarded-For/-Proto/-Host are believed (0 = none: the client address is the connection's).")
    session_idle_minutes: int = _f(240, "A signed-in session unused for this many minutes ends (the user signs in again).")
    session_max_hours: int = _f(72, "A signed-in session ends this many hours after sign-in, however busy.")
    login_max_failures_per_account: int = _f(10, "Failed sign-ins for one account (from any address) within login_window_seconds before that account is paused.")
    login_max_failures_per_address: int = _f(50, "Failed sign-ins from one address (for any account) within login_window_seconds before that address is paused.")
    login_window_seconds: int = _f(600, "Sliding window of the sign-in limits, in seconds.")
    max_segment_chars: int = _f(5000, "Longest transcript passage an editor may save or import, in characters (split longer ones).")
    max_redo_seconds: int = _f(120, "Longest stretch an editor may have the model transcribe again in one go, in seconds (it runs while they wait).")
    max_name_chars: int = _f(200, "Longest name of a person, speaker, place, theme or series, in characters.")
    max_title_chars: int = _f(300, "Longest story title, in characters.")
    max_text_chars: int = _f(20000, "Longest free text (description, consent notes), in characters.")
    archive_name: str = _f("Verhalen", "The archive's name as other systems show it: OAI-PMH repositoryName, feeds, schema.org publisher, OHMS repository.")
    admin_email: str = _f("", "Contact address harvesters are given (OAI-PMH adminEmail); empty means beheer@ and the site's host name.")
    default_licence: str = _f("InC", "Licence of a story that has none of its own: a code such as CC-BY-4.0 or InC (in copyright), or its creativecommons.org / rightsstatements.org URI (docs/interchange.md lists them).")
    podcast_locked: bool = _f(True, "Feeds say podcast:locked yes: podcast hosts must not import them into another account (not access control).")
    embed_frame_ancestors: str = _f("*", "Sites that may show the embeddable player (/embed/...) in a frame: a CSP frame-ancestors source list such as 'self' https://buurt.example; other pages stay 'self' only.")

    @property
    def threads(self) -> int:
        """Threads for the model and the speakers stage's encoder: cpu_threads, or every core."""
        return self.cpu_threads or (os.cpu_count() or 1)

    # -- the archive home's paths: joined here and nowhere else (docs/internals.md draws them) ----------
    @property
    def catalog_file(self) -> Path:
        return self.home / "catalog.sqlite"

    @property
    def catalog_url(self) -> str:
        return self.database_url or f"sqlite:///{self.catalog_file}"

    @property
    def queue_file(self) -> Path:
        """Huey's SQLite queue (when no redis_url is set)."""
        return self.home / "queue.sqlite"

    @property
    def secret_key_file(self) -> Path:
        return self.home / "secret_key"

    @property
    def covers_dir(self) -> Path:
        """Cover art found in the originals' tags."""
        return self.home / "covers"

    @property
    def consent_dir(self) -> Path:
        """Consent forms: only ever sent to editors."""
        return self.home / "consent"

    @property
    def incoming_dir(self) -> Path:
        """Uploads while they arrive (removed when the request ends, or at the next start)."""
        return self.home / "incoming"

    @property
    def artwork_dir(self) -> Path:
        return self.home / "artwork"

    @property
    def images_dir(self) -> Path:
        """Resized, EXIF-free derivatives of portraits, artwork and covers (rebuildable)."""
        return self.derived_dir / "images"

    @property
    def originals_dir(self) -> Path:
        return self.home / "originals"

    @property
    def derived_dir(self) -> Path:
        return self.home / "derived"

    @property
    def portraits_dir(self) -> Path:
        return self.home / "portraits"

    def portrait_file(self, slug: str, suffix: str) -> Path:
        """Where a person's portrait is kept as given (never served as is: see image_cache)."""
        return self.portraits_dir / _picture_name(slug, suffix)

    def artwork_file(self, slug: str, suffix: str) -> Path:
        """Where a series' artwork is kept as given (never served as is: see image_cache)."""
        return self.artwork_dir / _picture_name(slug, suffix)

    def cover_file(self, sha256: str, mime: str) -> Path:
        """Where cover art found in an original's tags is kept, named by the original's hash."""
        return self.covers_dir / f"{sha256}{'.png' if mime == 'image/png' else '.jpg'}"

    def image_cache(self, owner: str, owner_id: int) -> Path:
        """The served sizes of one picture; `owner` is cover (a story's), person or series. The CLI builds
        them when a picture is attached, the web when one is first asked for: both must find the same folder."""
        return self.images_dir / f"{owner}-{owner_id}"

    def in_home(self, relative: str) -> Path:
        """A file the catalog names relative to the home (cover art, portraits, artwork, consent forms)."""
        return self.home / relative

    def home_relative(self, path: Path) -> str:
        """How the catalog names a file in the home: the inverse of in_home (the home may move)."""
        return str(path.relative_to(self.home))

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def index_apply_lock(self) -> Path:
        # Beside the index, not in it: a rebuild removes the index folder while holding this lock.
        return self.home / "index-apply.lock"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _picture_name(slug: str, suffix: str) -> str:
    # One file per owner: a new picture replaces the old one of the same kind.
    return f"{slug}{suffix.lower() or '.img'}"


def _coerce(name: str, value: Any) -> Any:
    """Turn a string or TOML value into the field's type; raise UsageError naming the field."""
    default = FIELDS[name].default if FIELDS[name].default is not dataclasses.MISSING else ()
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            v = str(value).strip().lower()
            if v in ("1", "true", "yes", "on", "ja"):
                return True
            if v in ("0", "false", "no", "off", "nee"):
                return False
            raise ValueError(value)
        if isinstance(default, Path):
            return Path(value).expanduser()
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if name == "default_licence":  # refused at start-up, not on the first page that shows it
            try:
                return licences.parse(str(value)).uri
            except UsageError:
                raise UsageError(f"setting {name}: {str(value)!r} is not a licence; use one of "
                                 f"{', '.join(licences.CODES)} or its URI") from None
        if name == "expected_languages":
            items = value.split(",") if isinstance(value, str) else value
            return tuple(s.strip() for s in items if s.strip())
        return str(value)
    except (TypeError, ValueError):
        raise UsageError(f"setting {name}: {value!r} is not a valid value") from None


def load(home: str | Path | None = None, env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
    """Build Settings from defaults <- home/verhalen.toml <- environment <- flags.

    Flags that are None are ignored, so CLI options can be passed straight in.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    home_value = home or env.get("VERHALEN_HOME") or Settings.home
    values["home"] = Path(home_value).expanduser().absolute()
    config = values["home"] / "verhalen.toml"
    if config.is_file():
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise UsageError(f"{config}: not valid TOML ({e})") from None
        for key, value in data.items():
            if key not in FIELDS or key == "home":
                raise UsageError(f"{config}: unknown setting {key!r}")
            values[key] = _coerce(key, value)
    for name in FIELDS:
        if name != "home" and f"VERHALEN_{name.upper()}" in env:
            values[name] = _coerce(name, env[f"VERHALEN_{name.upper()}"])
    for name, value in flags.items():
        if value is not None:
            values[name] = _coerce(name, value)
    return Settings(**values)
