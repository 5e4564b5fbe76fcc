"""Validate interchange outputs against the official schemas vendored in tests/schemas/.

    from schema_validation import validate_xml, validate_json   # tests/ is on sys.path
    validate_xml(response.data, "oai-pmh")      # an OAI-PMH response, oai_dc records included
    validate_xml(xml_bytes, "ohms")             # an OHMS 5.4 export
    validate_json(manifest, "iiif-presentation-3")

Both raise AssertionError carrying the validator's own messages; both work offline.
The vendored files are kept byte for byte as upstream publishes them (tests/schemas/README.md
lists sources, commits and sha256). The two remote `schemaLocation` imports inside them
(oai_dc.xsd -> dublincore.org simpledc20021212.xsd -> w3.org xml.xsd) are mapped to the local
copies here by an lxml resolver instead of by editing the files, and the network is switched
off in every parser, so a missing mapping fails loudly instead of fetching.

XML: lxml (libxml2, XML Schema 1.0; all these schemas are XSD 1.0).
JSON: jsonschema, Draft 7 (the draft iiif_3_0.json declares), without format checking, the
same way IIIF's own presentation-validator runs it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OHMS_NS = "https://www.weareavp.com/nunncenter/ohms"

# name -> list of (namespace, file under tests/schemas) that make up the schema set.
XML_SCHEMAS: dict[str, list[tuple[str, str]]] = {
    # Any OAI-PMH 2.0 response. <metadata> is xs:any processContents="strict", so oai_dc is
    # loaded alongside: a record's oai_dc:dc is validated too, and an unknown metadata
    # namespace is an error.
    "oai-pmh": [(OAI_NS, "oai-pmh/OAI-PMH.xsd"), (OAI_DC_NS, "oai-pmh/oai_dc.xsd")],
    # A bare <oai_dc:dc> document (the content of one record's <metadata>).
    "oai_dc": [(OAI_DC_NS, "oai-pmh/oai_dc.xsd")],
    # OHMS XML 5.4: <ROOT xmlns="https://www.weareavp.com/nunncenter/ohms"><record>...
    "ohms": [(OHMS_NS, "ohms/ohms.xsd")],
}

JSON_SCHEMAS: dict[str, str] = {
    # IIIF Presentation API 3.0 (Manifest, Collection, AnnotationPage, Annotation, ...).
    "iiif-presentation-3": "iiif/iiif_3_0.json",
}

# Remote schemaLocations found inside the vendored XSDs -> the local copy.
_LOCAL_COPIES = {
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "oai-pmh/simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "oai-pmh/xml.xsd",
}


def _etree():
    try:
        from lxml import etree
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("validate_xml needs lxml (the `test` extras)") from exc
    return etree


def _parser(etree):
    # No network, no DTD loading, no entity expansion: a test must not reach out.
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False,
                             huge_tree=True)

    class LocalCopies(etree.Resolver):
        def resolve(self, url, pubid, context):
            local = _LOCAL_COPIES.get(url)
            if local is not None:
                return self.resolve_filename(str(SCHEMA_DIR / local), context)
            return None

    parser.resolvers.add(LocalCopies())
    return parser


@functools.lru_cache(maxsize=None)
def xml_schema(schema_name: str):
    """The compiled lxml XMLSchema for `schema_name` (cached: compile once per run)."""
    if schema_name not in XML_SCHEMAS:
        raise KeyError(f"unknown XML schema {schema_name!r}; known: {sorted(XML_SCHEMAS)}")
    etree = _etree()
    parts = XML_SCHEMAS[schema_name]
    # A driver schema that imports each part, so several namespaces validate together.
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(SCHEMA_DIR / path).as_uri()}"/>'
        for ns, path in parts)
    driver = ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
              f"{imports}</xs:schema>").encode()
    doc = etree.fromstring(driver, _parser(etree),
                           base_url=(SCHEMA_DIR / "driver.xsd").as_uri())
    return etree.XMLSchema(etree.ElementTree(doc))


@functools.lru_cache(maxsize=None)
def json_schema(schema_name: str) -> dict:
    if schema_name not in JSON_SCHEMAS:
        raise KeyError(f"unknown JSON schema {schema_name!r}; known: {sorted(JSON_SCHEMAS)}")
    return json.loads((SCHEMA_DIR / JSON_SCHEMAS[schema_name]).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def _json_validator(schema_name: str):
    from jsonschema import Draft7Validator

    schema = json_schema(schema_name)
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def validate_xml(xml_bytes: bytes | str, schema_name: str) -> None:
    """Raise AssertionError with libxml2's messages unless `xml_bytes` is valid."""
    etree = _etree()
    schema = xml_schema(schema_name)
    if isinstance(xml_bytes, str):
        xml_bytes = xml_bytes.encode("utf-8")
    try:
        doc = etree.fromstring(xml_bytes, _parser(etree))
    except etree.XMLSyntaxError as exc:
        raise AssertionError(f"not well-formed XML: {exc}") from None
    if not schema.validate(doc):
        messages = [f"line {e.line}: {e.message}" for e in schema.error_log]
        raise AssertionError(f"invalid against {schema_name}:\n  " + "\n  ".join(messages))


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."


def _branch(error) -> list:
    """What to show for a failed oneOf/anyOf: the errors of the branch whose $ref names the
    instance's "type" (IIIF's classes are #/classes/manifest, #/classes/canvas, ...); else the
    best error of each branch when there are few, or of best_match's branch."""
    from jsonschema.exceptions import best_match

    groups: dict = {}
    for sub in error.context:
        groups.setdefault(sub.relative_schema_path[0], []).append(sub)
    instance, branches = error.instance, error.validator_value
    if isinstance(instance, dict) and isinstance(instance.get("type"), str) and isinstance(branches, list):
        for i, branch in enumerate(branches):
            ref = branch.get("$ref", "") if isinstance(branch, dict) else ""
            if i in groups and ref.rsplit("/", 1)[-1].lower() == instance["type"].lower():
                return groups[i]
    if len(groups) <= 4:  # a few small alternatives (e.g. Canvas: width, height or duration): all
        return [best_match(g) for g in groups.values()]
    return groups[best_match(error.context).relative_schema_path[0]]


def _describe(error, depth: int = 0) -> list[str]:
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    pad = "    " * depth
    if error.context and depth < 6:
        lines = [f"{pad}{where}: matches none of the {error.validator} alternatives:"]
        for sub in _branch(error):
            lines += _describe(sub, depth + 1)
        return lines
    return [f"{pad}{where}: {_short(error.message)}"]


def validate_json(obj, schema_name: str) -> None:
    """Raise AssertionError with jsonschema's messages unless `obj` is valid.

    `obj` is the parsed JSON (dict/list) or a JSON string/bytes.
    """
    if isinstance(obj, (str, bytes, bytearray)):
        obj = json.loads(obj)
    validator = _json_validator(schema_name)
    errors = sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [line for e in errors for line in _describe(e)]
        raise AssertionError(f"invalid against {schema_name}:\n  " + "\n  ".join(lines))
