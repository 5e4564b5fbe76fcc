"""Licences and rights statements a story can carry, as the URIs other systems expect.

IIIF Presentation 3 `rights` must be a Creative Commons or RightsStatements.org URI, and its JSON
Schema accepts them only as http:// URIs with a trailing slash; OAI-PMH's dc:rights, OHMS <rights> and
schema.org `license` take the same URI. So the catalog stores exactly that form, and everything a
person types (a short code such as "CC-BY-4.0" or "InC", or an https:// URI) is turned into it here.

A story without its own licence has the archive's `default_licence` (settings): "InC" (in copyright)
unless the archive says otherwise, because a life story belongs to its narrator until they agree to more.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UsageError


@dataclass(frozen=True)
class Licence:
    code: str   # what people type and what the page shows: CC-BY-4.0, InC
    uri: str    # what the catalog stores and what interchange formats carry
    nl: str
    en: str
    open: bool  # may others reuse it (Creative Commons licence or public domain)?


def _cc(code: str, path: str, nl: str, en: str) -> Licence:
    return Licence(code, f"http://creativecommons.org/{path}/", nl, en, True)


def _rs(code: str, nl: str, en: str) -> Licence:
    return Licence(code, f"http://rightsstatements.org/vocab/{code}/1.0/", nl, en, False)


LICENCES: tuple[Licence, ...] = (
    _rs("InC", "Auteursrechtelijk beschermd", "In copyright"),
    _rs("InC-EDU", "Auteursrechtelijk beschermd, gebruik voor onderwijs toegestaan",
        "In copyright, educational use permitted"),
    _rs("InC-NC", "Auteursrechtelijk beschermd, niet-commercieel gebruik toegestaan",
        "In copyright, non-commercial use permitted"),
    _rs("CNE", "Auteursrechtelijke status niet vastgesteld", "Copyright not evaluated"),
    _rs("UND", "Auteursrechtelijke status onbekend", "Copyright undetermined"),
    _cc("CC-BY-4.0", "licenses/by/4.0", "Creative Commons Naamsvermelding 4.0", "Creative Commons Attribution 4.0"),
    _cc("CC-BY-SA-4.0", "licenses/by-sa/4.0", "Creative Commons Naamsvermelding-GelijkDelen 4.0",
        "Creative Commons Attribution-ShareAlike 4.0"),
    _cc("CC-BY-NC-4.0", "licenses/by-nc/4.0", "Creative Commons Naamsvermelding-NietCommercieel 4.0",
        "Creative Commons Attribution-NonCommercial 4.0"),
    _cc("CC-BY-NC-SA-4.0", "licenses/by-nc-sa/4.0", "Creative Commons Naamsvermelding-NietCommercieel-GelijkDelen 4.0",
        "Creative Commons Attribution-NonCommercial-ShareAlike 4.0"),
    _cc("CC-BY-ND-4.0", "licenses/by-nd/4.0", "Creative Commons Naamsvermelding-GeenAfgeleideWerken 4.0",
        "Creative Commons Attribution-NoDerivatives 4.0"),
    _cc("CC-BY-NC-ND-4.0", "licenses/by-nc-nd/4.0",
        "Creative Commons Naamsvermelding-NietCommercieel-GeenAfgeleideWerken 4.0",
        "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0"),
    _cc("CC0-1.0", "publicdomain/zero/1.0", "Publiek domein (CC0 1.0)", "Public domain dedication (CC0 1.0)"),
    _cc("PDM-1.0", "publicdomain/mark/1.0", "Publiek domein (Public Domain Mark 1.0)", "Public Domain Mark 1.0"),
)
CODES = tuple(lic.code for lic in LICENCES)
_BY_KEY = {key: lic for lic in LICENCES for key in (lic.code.lower(), lic.uri.lower())}


def parse(text: str) -> Licence:
    """The licence someone means by `text`: a code (any case) or a CC / RightsStatements URI, http or
    https, with or without the trailing slash; anything else is a UsageError naming the choices."""
    key = " ".join((text or "").split()).lower()
    if key.startswith("https://"):
        key = "http://" + key[len("https://"):]
    if key.startswith("http://") and not key.endswith("/"):
        key += "/"
    found = _BY_KEY.get(key)
    if found is None:
        raise UsageError(f"unknown licence {text!r}: use one of {', '.join(CODES)} "
                         "or its creativecommons.org / rightsstatements.org URI")
    return found


def of(stored: str | None, default: str) -> Licence:
    """The licence a story carries: its own (`Story.licence`, a URI) or else the archive's default
    (`Settings.default_licence`, a code or URI)."""
    return parse(stored or default)
