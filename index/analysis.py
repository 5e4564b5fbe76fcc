"""Text analysis for Dutch-first, multilingual transcripts.

Words are lower-cased, accents folded ("café" = "cafe", "Syrië" = "syrie") and
stemmed with the Snowball Dutch stemmer ("verhalen" = "verhaal"). Stop words
are kept on purpose: phrases such as "de wijk" must still match exactly.
Scripts other than Latin (Arabic, Farsi) pass through as whole words; the
Dutch stemmer leaves them alone.
"""

from __future__ import annotations

import re
import unicodedata

from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, Tokenizer
from whoosh.analysis.acore import Token
from whoosh.support.charset import accent_map

WORD = r"\w+(?:['’]\w+)*"


def text_analyzer() -> Analyzer:
    return RegexTokenizer(WORD) | LowercaseFilter() | CharsetFilter(accent_map) | StemFilter(lang="nl", cachesize=100_000)


def facet_key(value: str) -> str:
    """The form a facet value is indexed and queried in: folded, lower case, hyphenated.

    "Levensverhalen" -> "levensverhalen", "Stadscoalitie Delfshaven" -> "stadscoalitie-delfshaven".
    """
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode() or value
    return re.sub(r"[^\w]+", "-", folded.lower()).strip("-")


class FacetTokenizer(Tokenizer):
    """Comma-separated values, each turned into its facet_key as one token.

    Used for indexing ("Levensverhalen,Basma Ali") and for query text
    (series:Levensverhalen, person:"Basma Ali"), so both meet in the same form.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        values = value.split(",") if tokenize else [value]
        pos = start_pos
        for item in values:
            key = facet_key(item)
            if not key:
                continue
            t.text = key
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = item
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(item)
            yield t


def facet_analyzer() -> Analyzer:
    return FacetTokenizer()
