"""A fix for whoosh-ng 5.4's position decoder, used by our text fields.

whoosh-ng encodes positions as varints but decides "old pickle format" by
looking at the last byte: any value ending in 0x2E ('.') is unpickled, which
happens whenever the last gap between two positions is 46 (e.g. positions
[3, 49]). Phrase queries then crash with "unregistered extension code"
(found by bench/search.py at 1,000 hours). We decode the varints first and
fall back to the pickle format only when they do not account for every byte.
"""

from __future__ import annotations

from whoosh.formats import Positions
from whoosh.system import _INT_SIZE, unpack_uint


def decode_varint_positions(value: bytes) -> list[int] | None:
    """Positions from whoosh-ng's varint encoding, or None if `value` is not in it."""
    if len(value) < _INT_SIZE:
        return None
    n = unpack_uint(value[:_INT_SIZE])[0]
    pos, position, out = _INT_SIZE, 0, []
    try:
        for _ in range(n):
            b = value[pos]
            pos += 1
            delta, shift = b & 0x7F, 7
            while b & 0x80:
                b = value[pos]
                pos += 1
                delta |= (b & 0x7F) << shift
                shift += 7
            position += delta
            out.append(position)
    except IndexError:
        return None
    return out if pos == len(value) else None


class ExactPositions(Positions):
    """Positions whose decoder does not mistake a gap of 46 for a pickle."""

    def decode_positions(self, valuestring):
        decoded = decode_varint_positions(valuestring)
        return decoded if decoded is not None else self._decode_positions_legacy(valuestring)
