"""verhalen.media: probing, ffmpeg work, tags and images.

Takes paths and plain data, returns plain data; knows nothing of the catalog
or of Flask. Every call into PyAV, ffmpeg and mutagen goes through this room,
which turns their failures into `verhalen.errors.UnsupportedMedia` naming the file.
"""

from .audio import AudioOutputs, convert, excerpt_wav, ffmpeg_binary
from .probe import MediaInfo, probe

__all__ = ["AudioOutputs", "MediaInfo", "convert", "excerpt_wav", "ffmpeg_binary", "probe"]
