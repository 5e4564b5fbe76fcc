"""The vendored interchange schemas (tests/schemas/, see its README.md) load offline, accept a minimal
valid document written by hand and reject a broken one, through tests/schema_validation.py.

lxml and jsonschema are not yet in the `test` extras of pyproject.toml: until they are, these tests
skip (pytest.importorskip) instead of failing.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest

from schema_validation import JSON_SCHEMAS, SCHEMA_DIR, XML_SCHEMAS, validate_json, validate_xml, xml_schema


# Byte for byte what upstream publishes (tests/schemas/README.md says where from). A local edit
# must show up here and in the README.
SHA256 = {
    "ohms/ohms.xsd": "cbddba4b8ad2013b9b149d80e190998928fc424dfee51e1afc5063b501872f0f",
    "oai-pmh/OAI-PMH.xsd": "da217eb992fff3261ce109282e8be17f46f84cfb2e417667aa5c9359744fc55d",
    "oai-pmh/oai_dc.xsd": "7383d21bca49c1186627e820a5da7ec209febfc5b4295fada39720ad0cebee9a",
    "oai-pmh/simpledc20021212.xsd": "e9542e0cd08b59ad3ad994f50226dd7e6707792327b08f46eaa6250dd728d3aa",
    "oai-pmh/xml.xsd": "0ed94db44402526e7a683424d0bd4b65e5bc50e65d9b9a762b11b30bae06d0c8",
    "iiif/iiif_3_0.json": "14dd7ee8aee25d959be4b12feddb4179c726909fc85b925f6707f4ab3bfe2ad6",
}


@pytest.fixture
def lxml():
    return pytest.importorskip("lxml.etree")


@pytest.fixture
def jsonschema():
    return pytest.importorskip("jsonschema")


def test_vendored_files_are_the_upstream_bytes():
    for name, digest in SHA256.items():
        assert hashlib.sha256((SCHEMA_DIR / name).read_bytes()).hexdigest() == digest, name
    readme = (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    for name, digest in SHA256.items():
        assert digest in readme, f"{name}: its sha256 is not in tests/schemas/README.md"


def test_every_schema_file_is_in_the_checksums():
    vendored = {p.relative_to(SCHEMA_DIR).as_posix() for p in SCHEMA_DIR.rglob("*")
                if p.suffix in (".xsd", ".json")}
    assert vendored == set(SHA256)


@pytest.mark.parametrize("name", sorted(XML_SCHEMAS))
def test_xml_schema_compiles_offline(lxml, name):
    assert xml_schema(name) is not None


def test_unknown_schema_name_is_a_clear_error(lxml):
    with pytest.raises(KeyError, match="known"):
        validate_xml(b"<x/>", "oai")


# --- OAI-PMH 2.0 + oai_dc -------------------------------------------------------------------

IDENTIFY = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
  <responseDate>2024-05-01T12:00:00Z</responseDate>
  <request verb="Identify">https://verhalen.example/oai</request>
  <Identify>
    <repositoryName>Verhalen</repositoryName>
    <baseURL>https://verhalen.example/oai</baseURL>
    <protocolVersion>2.0</protocolVersion>
    <adminEmail>archief@verhalen.example</adminEmail>
    <earliestDatestamp>2024-01-01T00:00:00Z</earliestDatestamp>
    <deletedRecord>persistent</deletedRecord>
    <granularity>YYYY-MM-DDThh:mm:ssZ</granularity>
  </Identify>
</OAI-PMH>"""

DC_RECORD = """<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
           xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title xml:lang="nl">De haven van Anna</dc:title>
  <dc:creator>de Vries, Anna</dc:creator>
  <dc:contributor>Bakker, Piet (interviewer)</dc:contributor>
  <dc:subject>haven</dc:subject>
  <dc:subject>werk</dc:subject>
  <dc:date>1998-03-12</dc:date>
  <dc:type>Sound</dc:type>
  <dc:format>audio/mpeg</dc:format>
  <dc:identifier>https://verhalen.example/verhalen/de-haven-van-anna</dc:identifier>
  <dc:language>nl</dc:language>
</oai_dc:dc>"""

GET_RECORD = f"""<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2024-05-01T12:00:00Z</responseDate>
  <request verb="GetRecord" identifier="oai:verhalen.example:42"
           metadataPrefix="oai_dc">https://verhalen.example/oai</request>
  <GetRecord><record>
    <header><identifier>oai:verhalen.example:42</identifier><datestamp>2024-04-30T09:15:00Z</datestamp>
      <setSpec>series:haven</setSpec></header>
    <metadata>{DC_RECORD}</metadata>
  </record></GetRecord>
</OAI-PMH>"""


def test_oai_identify_valid(lxml):
    validate_xml(IDENTIFY.encode(), "oai-pmh")


def test_oai_identify_without_utc_z_or_admin_email_is_rejected(lxml):
    no_z = IDENTIFY.replace("<earliestDatestamp>2024-01-01T00:00:00Z", "<earliestDatestamp>2024-01-01T00:00:00")
    with pytest.raises(AssertionError, match="earliestDatestamp"):
        validate_xml(no_z.encode(), "oai-pmh")
    no_admin = IDENTIFY.replace("<adminEmail>archief@verhalen.example</adminEmail>", "")
    with pytest.raises(AssertionError, match="adminEmail"):
        validate_xml(no_admin.encode(), "oai-pmh")


def test_oai_get_record_validates_the_oai_dc_inside(lxml):
    validate_xml(GET_RECORD, "oai-pmh")
    bad_dc = GET_RECORD.replace("<dc:type>Sound</dc:type>", "<dc:duration>PT31M10S</dc:duration>")
    with pytest.raises(AssertionError, match="duration"):
        validate_xml(bad_dc, "oai-pmh")


def test_oai_deleted_header_and_error_response(lxml):
    deleted = GET_RECORD.replace("<header>", '<header status="deleted">').split("<metadata>")[0] + \
        "</record></GetRecord></OAI-PMH>"
    validate_xml(deleted, "oai-pmh")
    error = """<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
      <responseDate>2024-05-01T12:00:00Z</responseDate><request>https://verhalen.example/oai</request>
      <error code="badVerb">Illegal verb</error></OAI-PMH>"""
    validate_xml(error, "oai-pmh")
    with pytest.raises(AssertionError, match="code"):
        validate_xml(error.replace("badVerb", "notAnOaiError"), "oai-pmh")


def test_oai_dc_alone(lxml):
    validate_xml(DC_RECORD, "oai_dc")
    with pytest.raises(AssertionError, match="lang"):
        validate_xml(DC_RECORD.replace('xml:lang="nl"', 'xml:lang="not a language"'), "oai_dc")
    with pytest.raises(AssertionError):
        validate_xml(DC_RECORD.replace("oai_dc:dc", "oai_dc:record"), "oai_dc")


def test_not_well_formed_xml_is_an_assertion(lxml):
    with pytest.raises(AssertionError, match="well-formed"):
        validate_xml(b"<OAI-PMH", "oai-pmh")


# --- OHMS 5.4 -------------------------------------------------------------------------------

OHMS = """<?xml version="1.0" encoding="UTF-8"?>
<ROOT xmlns="https://www.weareavp.com/nunncenter/ohms"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xsi:schemaLocation="https://www.weareavp.com/nunncenter/ohms/ohms.xsd">
  <record id="42" dt="2024-05-01">
    <version>5.4</version>
    <date value="1998-03-12" format="yyyy-mm-dd"/>
    <title>De haven van Anna</title>
    <interviewee>Anna de Vries</interviewee>
    <interviewer>Piet Bakker</interviewer>
    <sync>1:|2(3)</sync>
    <media_url>https://verhalen.example/a/42.mp3</media_url>
    <index><point><time>95</time><title>Eerste werkdag</title><keywords>haven;werk</keywords>
      <gpspoints><gps>51.90, 4.48</gps><gps_zoom></gps_zoom></gpspoints></point></index>
    <transcript>BAKKER: Waar begon het?
DE VRIES: Op de kade.</transcript>
    <fmt>audio</fmt>
  </record>
</ROOT>"""


def test_ohms_minimal_record_valid(lxml):
    validate_xml(OHMS, "ohms")


def test_ohms_rejects_wrong_order_and_non_integer_time(lxml):
    swapped = OHMS.replace("<interviewee>Anna de Vries</interviewee>\n    <interviewer>Piet Bakker</interviewer>",
                           "<interviewer>Piet Bakker</interviewer>\n    <interviewee>Anna de Vries</interviewee>")
    with pytest.raises(AssertionError, match="interviewee"):
        validate_xml(swapped, "ohms")
    with pytest.raises(AssertionError, match="time"):
        validate_xml(OHMS.replace("<time>95</time>", "<time>1:35</time>"), "ohms")
    with pytest.raises(AssertionError, match="id"):
        validate_xml(OHMS.replace('id="42" ', ""), "ohms")


def test_ohms_wrong_namespace_is_rejected(lxml):
    # The namespace is the URL without /ohms.xsd; the file's own xmlns= is a red herring.
    wrong = OHMS.replace('xmlns="https://www.weareavp.com/nunncenter/ohms"',
                         'xmlns="https://www.weareavp.com/nunncenter/ohms/ohms.xsd"')
    with pytest.raises(AssertionError):
        validate_xml(wrong, "ohms")


# --- IIIF Presentation 3.0 -------------------------------------------------------------------

M = "https://verhalen.example/iiif/de-haven-van-anna"
MANIFEST = {
    "@context": "http://iiif.io/api/presentation/3/context.json",
    "id": f"{M}/manifest.json",
    "type": "Manifest",
    "label": {"nl": ["De haven van Anna"]},
    "rights": "http://creativecommons.org/licenses/by-nc/4.0/",
    "items": [{
        "id": f"{M}/canvas/1",
        "type": "Canvas",
        "duration": 1870.0,
        "items": [{
            "id": f"{M}/canvas/1/page",
            "type": "AnnotationPage",
            "items": [{
                "id": f"{M}/canvas/1/page/audio",
                "type": "Annotation",
                "motivation": "painting",
                "target": f"{M}/canvas/1",
                "body": {"id": "https://verhalen.example/a/42.mp3", "type": "Sound",
                         "format": "audio/mpeg", "duration": 1870.0},
            }],
        }],
    }],
}


def test_iiif_schema_is_draft7_and_well_formed(jsonschema):
    from jsonschema import Draft7Validator
    import json

    schema = json.loads((SCHEMA_DIR / JSON_SCHEMAS["iiif-presentation-3"]).read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)


def test_iiif_minimal_audio_manifest_valid(jsonschema):
    validate_json(MANIFEST, "iiif-presentation-3")


def test_iiif_rejects_canvas_without_duration_and_unknown_property(jsonschema):
    no_duration = copy.deepcopy(MANIFEST)
    del no_duration["items"][0]["duration"]
    with pytest.raises(AssertionError, match="invalid against iiif-presentation-3"):
        validate_json(no_duration, "iiif-presentation-3")
    extra = copy.deepcopy(MANIFEST)
    extra["synopsis"] = "not a IIIF property"
    with pytest.raises(AssertionError, match="synopsis"):
        validate_json(extra, "iiif-presentation-3")


def test_iiif_rights_must_be_the_http_uri(jsonschema):
    https_rights = copy.deepcopy(MANIFEST)
    https_rights["rights"] = "https://creativecommons.org/licenses/by-nc/4.0/"
    with pytest.raises(AssertionError, match="creativecommons"):
        validate_json(https_rights, "iiif-presentation-3")
