"""verhalen: a story archive and oral-history media pipeline."""

__version__ = "0.1.0"
