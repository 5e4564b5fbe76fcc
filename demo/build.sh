#!/usr/bin/env bash
# Build the demo archive from the recordings in tests/data and demo/media, then search it.
# Re-running is safe: stories already in the archive are reported as duplicates and skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin/verhalen
D=tests/data
export VERHALEN_HOME="${VERHALEN_HOME:-demo-archive}"

ingest() { "$V" ingest "$@" || [ $? -eq 5 ]; }   # 5 = duplicate: already there

$V glossary add "Tarab" "Delfshaven" "Stadscoalitie Delfshaven" >/dev/null
ingest "$D/nl_koor_tagged.mp3" --title "Het Tarab-koor" --narrator "Amal" --interviewer "Esseline" \
    --series "Sleutelpersonen" --recorded 2024-03-12 --place Rotterdam --theme muziek --theme koor
ingest "$D/nl_wijkagenda.opus" --title "De wijkagenda" --narrator "Fatima" --host "Esseline" \
    --series "Sleutelpersonen" --recorded 2024-04-02 --place Delfshaven --theme buurt
ingest "$D/en_market.wav" --title "Pop-up bazaar" --narrator "Basma" --series "Levensverhalen" \
    --recorded 2024-05-03 --place Rotterdam --theme werk --language en
# A life story of three and a half minutes, two voices, two subjects: speakers and a table of contents.
ingest demo/media/nl_levensverhaal.opus --title "Van Aleppo naar de fietsenwerkplaats" --narrator "Yusuf" \
    --interviewer "Esseline" --series "Levensverhalen" --recorded 2024-06-14 --place Rotterdam --place Aleppo \
    --theme werk --theme nieuwkomers --language nl
echo
echo '$ verhalen transcript speakers van-aleppo-naar-de-fietsenwerkplaats'
$V transcript speakers van-aleppo-naar-de-fietsenwerkplaats
echo
echo '$ verhalen contents van-aleppo-naar-de-fietsenwerkplaats'
$V contents van-aleppo-naar-de-fietsenwerkplaats
echo
$V list
echo
echo '$ verhalen search rotterdam'
$V search rotterdam
echo
echo '$ verhalen search "perfume series:Levensverhalen"'
$V search 'perfume series:Levensverhalen'
echo
# The viewer: a portrait and a series description, then serve the archive (skip with VERHALEN_DEMO_NO_SERVE=1).
$V person add "Basma" --portrait "$D/portrait_exif_rotated_gps.jpg" --bio "Basma verkoopt parfum op de pop-up bazaar." >/dev/null
$V series set "Levensverhalen" --description "Levensverhalen uit Rotterdamse wijken." >/dev/null
echo
echo "\$ verhalen export van-aleppo-naar-de-fietsenwerkplaats --format ohms -o $VERHALEN_HOME/van-aleppo.ohms.xml"
$V export van-aleppo-naar-de-fietsenwerkplaats --format ohms -o "$VERHALEN_HOME/van-aleppo.ohms.xml" &&
    head -c 400 "$VERHALEN_HOME/van-aleppo.ohms.xml" && echo ' ...'
echo
echo 'Other archives and apps read the served archive at (docs/interchange.md):'
echo '  http://127.0.0.1:8000/oai?verb=ListRecords&metadataPrefix=oai_dc   OAI-PMH harvest'
echo '  http://127.0.0.1:8000/iiif/van-aleppo-naar-de-fietsenwerkplaats/manifest.json   IIIF viewers'
echo '  http://127.0.0.1:8000/feed.xml   podcast apps;  http://127.0.0.1:8000/embed/van-aleppo-naar-de-fietsenwerkplaats?t=60   embed'
if [ "${VERHALEN_DEMO_NO_SERVE:-0}" != "1" ]; then
    echo '$ verhalen serve   (open http://127.0.0.1:8000/ ; Ctrl+C stops)'
    exec $V serve
fi
