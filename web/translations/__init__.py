"""Interface translations: one dict module per language; Dutch is the source text."""
