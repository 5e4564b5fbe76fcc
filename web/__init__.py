"""verhalen.web: the Flask viewer (see issue: the public viewer)."""
