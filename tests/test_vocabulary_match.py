"""The vocabulary pass (verhalen/vocabulary_match.py): misheard names put right, everything else left alone."""

from __future__ import annotations

import json

import pytest

from verhalen.transcript_guards import SegmentText, Word
from verhalen.vocabulary_match import correct_segments, correct_words, letters, sound, targets

from helpers import DATA

BUURT = json.loads((DATA / "nl_buurtgesprek.json").read_text())["hotwords"]
MARKT = json.loads((DATA / "nl_marktgesprek.json").read_text())["hotwords"]


def heard(text: str, probability: float = 0.5) -> list[Word]:
    """Decoded words as faster-whisper gives them: a leading space, punctuation attached, 0.4 s each."""
    return [Word(round(i * 0.4, 2), round(i * 0.4 + 0.35, 2), " " + w, probability) for i, w in enumerate(text.split())]


def text(words: list[Word]) -> str:
    return "".join(w.word for w in words).strip()


def test_keys_ignore_case_accents_punctuation_and_spelling_of_one_sound():
    assert letters(" Zürtel-personen,") == "zurtelpersonen"
    assert sound("Keti") == sound("Kettie")
    assert sound("Delfshaven") == sound("Delfshaafen")
    assert sound("Stadscoalitie") == sound("Statskoalitie")


@pytest.mark.parametrize("said, vocabulary, written", [
    # measured (Whisper base on tests/data/nl_buurtgesprek.opus): the decoder's own spellings of the names
    ("Dank je wel, Ezeline.", BUURT, "Dank je wel, Esseline."),
    ("welkom bij Zürtelpersonen, de serie", BUURT, "welkom bij Sleutelpersonen, de serie"),
    ("Toen vroeg de stad schoalit of we", BUURT, "Toen vroeg de Stadscoalitie of we"),
    # a name heard as two words becomes the one word the vocabulary has
    ("ik woon in Delfs haven.", BUURT, "ik woon in Delfshaven."),
    ("op de Afrikaander markt staan", MARKT, "op de Afrikaandermarkt staan"),
    ("Voor Ketti Kotti oefenen we", BUURT, "Voor Keti Koti oefenen we"),
    ("De kraam huur is drie keer zo hoog", MARKT, "De kraamhuur is drie keer zo hoog"),
    # the capital of a sentence start is kept for an entry written in lower case
    ("Kraam huur is duur", MARKT, "Kraamhuur is duur"),
])
def test_a_near_spelling_of_an_entry_becomes_the_entry(said, vocabulary, written):
    assert text(correct_words(heard(said, 0.4), vocabulary)[0]) == written


@pytest.mark.parametrize("said, vocabulary", [
    # real Dutch words one letter from a short entry (werk, koor, markt, Henk, Amal): never touched
    ("Het werd een mooie dag", MARKT),
    ("Hoe ben je begonnen met het goor?", BUURT),     # measured spelling of "koor": too short to guess
    ("Ik zing voor de buurt", BUURT),
    ("Mark komt ook", MARKT),
    ("Dat is het hek van de tuin", MARKT),
    # a word that contains an entry is a word of its own
    ("In het buurthuis aan de haven", BUURT),
    ("Rotterdamse koren zingen", BUURT),
    ("Ja, we hebben een marktcommissie", MARKT),
    ("Een zakje poffertje graag", MARKT),              # another form of the entry is not a misspelling
    ("De kraam van mijn vader", MARKT),
    # a name next to a word is not swallowed by it
    ("Vandaag ben ik in Rotterdam", BUURT),
    ("wij gaan naar de Afrikaanderwijk", MARKT),
    # words that only share letters with an entry
    ("met koffie en koekjes", BUURT),
    ("Ik ken de bakker en de buschauffeur", BUURT),
    ("Wat betekent dat voor jou?", BUURT),
])
def test_words_that_are_not_an_entry_stay_as_heard(said, vocabulary):
    words = heard(said, 0.3)
    fixed, replaced = correct_words(words, vocabulary)
    assert fixed == words and replaced == []


def test_how_sure_the_decoder_was_decides_how_far_a_spelling_may_be():
    unsure, sure = heard("welkom bij Zuurtelpersoon", 0.1), heard("welkom bij Zuurtelpersoon", 0.99)
    assert text(correct_words(unsure, BUURT)[0]) == "welkom bij Sleutelpersonen"
    assert correct_words(sure, BUURT)[1] == []


def test_nothing_is_inserted_and_times_stay_the_heard_words_times():
    words = heard("Toen vroeg de stad schoalit of we wilden", 0.3)
    fixed, replaced = correct_words(words, BUURT)
    assert len(fixed) == len(words) - 1
    assert [r.written for r in replaced] == ["Stadscoalitie"] and replaced[0].heard == "stad schoalit"
    merged = fixed[3]
    assert (merged.start, merged.end) == (words[3].start, words[4].end)
    assert merged.probability == 0.3
    assert correct_words([], BUURT) == ([], [])
    assert correct_words(words, []) == (words, [])


def test_an_exact_name_only_takes_the_entrys_capitals():
    fixed, replaced = correct_words(heard("bij de stadscoalitie in delfshaven", 0.9), BUURT)
    assert text(fixed) == "bij de Stadscoalitie in Delfshaven" and replaced == []


def test_first_and_last_names_are_entries_of_their_own():
    assert {t.text for t in targets(["Esseline Brouwer", "Keti Koti", "  ", "Ab"])} >= {
        "Esseline Brouwer", "Esseline", "Brouwer", "Keti Koti"}
    assert "Ab" not in {t.text for t in targets(["Ab"])}


def test_segments_get_their_text_from_the_corrected_words_and_keep_the_rest():
    words = tuple(heard("Dank je wel, Ezeline.", 0.4))
    seg = SegmentText(19.2, 21.0, " Dank je wel, Ezeline.", -0.4, 0.05, words, "nl", None)
    other = SegmentText(21.5, 22.0, " Graag gedaan.", -0.2, 0.01, tuple(heard("Graag gedaan.")), "nl", None)
    out, replaced = correct_segments([seg, other], BUURT)
    assert out[0].text == " Dank je wel, Esseline." and out[0].start == 19.2 and out[0].language == "nl"
    assert out[1] is other
    assert [(r.heard, r.written) for r in replaced] == [("Ezeline.", "Esseline.")]
