"""Generate the realistic test interviews in tests/data/ (CC0, synthetic).

    .venv/bin/python tests/data/make_interviews.py          # writes every recording
    .venv/bin/python tests/data/make_interviews.py nl_buurtgesprek
    .venv/bin/python tests/data/make_interviews.py --bench --out /tmp/x   # bench/diarize.py's 3-voice and long ones
    .venv/bin/python tests/data/make_interviews.py --demo --out demo/media  # the demo's interview (`make demo`)

Needs espeak-ng, sox and ffmpeg (the system one, else imageio-ffmpeg's) only when
regenerating; the tests read the committed files and never run this script.

Each recording is assembled sample-exactly from pieces this script places itself:
an intro jingle (sox synth: plucked notes, a chord, a fade), turns spoken by two
different espeak-ng Dutch voices (each trimmed to where its voice starts and ends),
pauses between turns, and background noise (sox pink/brown noise, well below speech).
So the reference times in the .tsv are exact: one row per turn, start_s / end_s are
the first and last voiced sample of that turn in the generated audio.

Per recording NAME it writes:
- NAME.opus  16 kHz mono Opus (ffmpeg libopus, bitexact flags);
- NAME.json  the metadata the archive would hold (title, language, people with roles,
             places, series, themes, glossary) and `hotwords`: that vocabulary in the
             order verhalen/pipeline.py stage_transcript passes it (people names, places,
             series, editor themes, glossary terms);
- NAME.tsv   start_s, end_s, speaker, text per turn: the ground truth for WER and for
             which time is speech.

Deterministic: sox runs with -R (fixed noise seed), espeak-ng and the encoder have no
randomness; running it twice gives the same files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RATE = 16000


@dataclass(frozen=True)
class Voice:
    espeak: str  # espeak-ng -v
    speed: int  # -s words per minute
    pitch: int  # -p 0..99
    gain_db: float = 0.0  # level of this speaker relative to the others


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str
    pause_before: float  # seconds of non-speech before this turn starts
    gain_db: float = 0.0  # extra level for this turn only (a quiet start, a speaker turning away)


@dataclass(frozen=True)
class Noise:
    """Background noise over [start, end) (end None: to the end), level in dBFS RMS, sox noise colour."""

    start: float
    end: float | None
    level_db: float
    colour: str = "pinknoise"
    fade: float = 1.0
    turns: tuple[int, int] | None = None  # instead of start/end: from 1 s before turn i to 0.5 s after turn j


@dataclass
class Recording:
    name: str
    title: str
    bitrate: str
    voices: dict[str, Voice]
    turns: list[Turn]
    noises: list[Noise]
    metadata: dict
    jingle: bool = True
    tail: float = 1.5
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- recording A

BUURT = Recording(
    name="nl_buurtgesprek",
    title="Amal en het koor van Delfshaven",
    bitrate="22k",
    voices={
        "interviewer": Voice("nl+m3", 150, 38),
        "verteller": Voice("nl+f2", 128, 62),
    },
    turns=[
        # Quiet start: the first turn about 18 dB below the rest, right after the jingle.
        Turn("interviewer", "Goedemiddag. Welkom bij Sleutelpersonen, de serie over mensen die de buurt bij elkaar "
                            "houden. Vandaag ben ik in Delfshaven, in Rotterdam, bij Amal.", 0.8, -18.0),
        Turn("verteller", "Dank je wel, Esseline. Ik ben Amal, en ik woon al twintig jaar in deze buurt.", 1.2),
        Turn("interviewer", "Hoe ben je begonnen met het koor?", 0.9),
        Turn("verteller", "Dat begon heel klein. Een paar vrouwen uit de straat zongen samen in de keuken. Toen vroeg "
                          "de Stadscoalitie of we wilden optreden op het buurtfeest. Daarna kwamen er steeds meer "
                          "mensen bij.", 1.6),
        Turn("interviewer", "Wanneer repeteren jullie?", 2.2),
        # A refrain the speaker really says twice.
        Turn("verteller", "Elke dinsdag, elke dinsdag. Om zeven uur in het buurthuis aan de haven. Ook als het "
                          "regent, ook als het stormt.", 0.7),
        Turn("interviewer", "Wat zingen jullie dan?", 3.0),
        Turn("verteller", "Liederen uit Marokko, uit Suriname en uit Nederland. Voor Keti Koti oefenen we een lied "
                          "in het Sranantongo. De oudere leden leren het aan de jonge leden.", 1.1),
        # The long pause (~6 s).
        Turn("interviewer", "Je zit ook in het wijkpanel, toch?", 6.0),
        Turn("verteller", "Ja, al vier jaar. In het wijkpanel praten bewoners met de gemeente over de straat, de "
                          "speeltuin en de veiligheid. Soms is het lastig, want niet iedereen is het met elkaar "
                          "eens.", 1.4),
        Turn("interviewer", "En wat doe je dan?", 0.6),
        # A full sentence really repeated by the speaker.
        Turn("verteller", "Dan doen we aan buurtbemiddeling. We gaan samen aan tafel zitten, met koffie en koekjes, "
                          "en we luisteren eerst naar elkaar. Luisteren is het belangrijkste. Luisteren is het "
                          "belangrijkste.", 1.8),
        Turn("interviewer", "Wat betekent Delfshaven voor jou?", 2.5),
        Turn("verteller", "Delfshaven is mijn thuis. Mijn kinderen zijn hier opgegroeid. Ik ken de bakker, de "
                          "buschauffeur en de mensen van de moskee. Als ik over straat loop, zegt iedereen gedag.",
             1.0),
        Turn("interviewer", "Heb je nog een wens voor de buurt?", 3.5),
        Turn("verteller", "Ik hoop dat het koor blijft bestaan, ook als ik er niet meer ben. En dat de jongeren de "
                          "liedjes blijven zingen.", 1.3),
        # Short final turns (the issue saw the last two short turns lost).
        Turn("interviewer", "Dank je wel, Amal.", 1.5),
        Turn("verteller", "Graag gedaan.", 0.9),
        Turn("interviewer", "Tot de volgende keer.", 1.2),
    ],
    noises=[Noise(0.0, None, -52.0, "pinknoise")],
    metadata={
        "people": [["Amal Haddad", "verteller"], ["Esseline Brouwer", "interviewer"]],
        "places": ["Delfshaven", "Rotterdam"],
        "series": "Sleutelpersonen",
        "themes": ["koor", "buurt"],
        "glossary": ["Stadscoalitie", "Keti Koti", "wijkpanel", "buurtbemiddeling"],
    },
    notes=["intro jingle 0-6.6 s", "first turn 18 dB quieter", "refrain 'elke dinsdag, elke dinsdag'",
           "sentence said twice: 'Luisteren is het belangrijkste.'", "6-s pause before the wijkpanel question",
           "three short final turns"],
)

# --------------------------------------------------------------------------- recording B

MARKT = Recording(
    name="nl_marktgesprek",
    title="Henk over veertig jaar op de Afrikaandermarkt",
    bitrate="20k",
    voices={
        "interviewer": Voice("nl+f4", 155, 55),
        "verteller": Voice("nl+m1", 122, 30),
    },
    turns=[
        Turn("interviewer", "We staan op de markt met Henk. Henk, hoe lang sta je hier al?", 0.6),
        Turn("verteller", "Veertig jaar. Mijn vader had hier al een kraam, met groente en fruit. Ik stond er als "
                          "jongen van tien al achter.", 1.0),
        Turn("interviewer", "Wat is er veranderd?", 1.7),
        Turn("verteller", "Alles eigenlijk. Vroeger kwamen de mensen uit de buurt, nu komen ze uit de hele stad. De "
                          "kraamhuur is drie keer zo hoog. En er staan nu ook kramen met poffertjes, met stoffen uit "
                          "Ghana en met kruiden uit Turkije.", 0.8),
        # A stretch outside: loud brown noise (a passing tram) and the speaker turned away, 12 dB quieter.
        Turn("interviewer", "Hoor je die tram?", 2.4),
        Turn("verteller", "Die tram rijdt hier elke tien minuten langs. Dan moet je even wachten met praten, anders "
                          "hoort niemand je.", 1.2, -12.0),
        Turn("verteller", "Zo, hij is weer weg.", 2.6, -6.0),
        Turn("interviewer", "Wie zijn je vaste klanten?", 1.5),
        # The speaker really says this three times (a market call): not a loop.
        Turn("verteller", "Mevrouw Jansen komt al dertig jaar elke zaterdag. Ik roep altijd hetzelfde. Kom maar "
                          "kijken, kom maar kijken, kom maar kijken. Dan lacht ze en koopt ze een kilo appels.",
             0.9),
        Turn("interviewer", "Werk je samen met de andere kooplui?", 3.2),
        Turn("verteller", "Ja, we hebben een marktcommissie. We praten met de gemeente over de Afrikaandermarkt, over "
                          "de plek van de kramen en over het afval. Dat gaat meestal goed.", 1.1),
        # Long silence, then a short turn.
        Turn("interviewer", "Stop je ooit?", 5.0),
        Turn("verteller", "Nooit.", 1.0),
        Turn("interviewer", "Dank je wel, Henk.", 1.4),
        Turn("verteller", "Tot zaterdag.", 0.8),
    ],
    noises=[Noise(0.0, None, -46.0, "pinknoise"), Noise(0.0, None, -50.0, "brownnoise"),
            # The tram: loud brown noise (-22 dBFS RMS, speech is -20 and the turned-away turn -32) over turns 5-6.
            Noise(0, 0, -22.0, "brownnoise", fade=2.0, turns=(5, 6))],
    metadata={
        "people": [["Henk Dijkstra", "verteller"], ["Fatima Ouali", "interviewer"]],
        "places": ["Afrikaanderwijk", "Rotterdam"],
        "series": "Marktverhalen",
        "themes": ["markt", "werk"],
        "glossary": ["Afrikaandermarkt", "kraamhuur", "poffertjes"],
    },
    jingle=False,
)

RECORDINGS = {r.name: r for r in (BUURT, MARKT)}

# --------------------------------------------------------------------------- bench-only recordings
# bench/diarize.py generates these into a temporary folder (`--out DIR`); they are not committed.

# Three voices: an interviewer, a narrator and her daughter, who joins in for several turns.
DRIE = Recording(
    name="nl_driegesprek",
    title="Moeder en dochter over de bakkerij",
    bitrate="24k",
    voices={
        "interviewer": Voice("nl+m3", 150, 40),
        "verteller": Voice("nl+f2", 128, 62),
        "dochter": Voice("nl+f4", 165, 78, -2.0),
    },
    turns=[
        Turn("interviewer", "Welkom. Vandaag praat ik met Basma en met haar dochter Noor over de bakkerij.", 0.7),
        Turn("verteller", "Dank je wel. We hebben de bakkerij in negentienhonderdnegentig geopend, in de Kruiskade. "
                          "Eerst bakten we alleen brood, later ook koekjes en taarten.", 1.0),
        Turn("dochter", "Ik stond er al als klein meisje achter de toonbank. Ik mocht de koekjes tellen.", 0.8),
        Turn("interviewer", "Wat was het moeilijkste in het begin?", 1.2),
        Turn("verteller", "De vroege uren. We begonnen om vier uur in de nacht. En de taal: ik sprak nog weinig "
                          "Nederlands, dus mijn buurvrouw hielp met de papieren.", 0.9),
        Turn("dochter", "Mama vergeet te zeggen dat ze ook nog Nederlandse les nam, elke woensdagavond.", 0.6),
        Turn("verteller", "Ja, dat is waar. Twee jaar lang.", 0.5),
        Turn("interviewer", "En wie komen er nu in de winkel?", 1.5),
        Turn("dochter", "Van alles. Studenten, oude buren, mensen die op weg zijn naar hun werk. Op vrijdag staat "
                        "er een rij tot op de stoep.", 0.9),
        Turn("verteller", "Sommige klanten komen al dertig jaar. Ze kennen mijn kleinkinderen bij naam.", 1.1),
        Turn("interviewer", "Gaat Noor de bakkerij overnemen?", 2.0),
        Turn("dochter", "Misschien. Ik heb eerst een opleiding gedaan in de zorg. Maar het brood zit in mijn bloed.",
             0.8),
        Turn("verteller", "Ze bakt beter dan ik. Dat mag je opschrijven.", 1.0),
        Turn("interviewer", "Dank jullie wel.", 1.2),
        Turn("dochter", "Graag gedaan.", 0.6),
    ],
    noises=[Noise(0.0, None, -50.0, "pinknoise")],
    metadata={
        "people": [["Basma", "verteller"], ["Noor", "guest"], ["Esseline", "interviewer"]],
        "places": ["Kruiskade", "Rotterdam"], "series": "Levensverhalen", "themes": ["bakkerij"], "glossary": [],
    },
    jingle=False,
)


def _long_turns() -> list[Turn]:
    """About four minutes: the two committed interviews' texts, told by other voices, one after the other."""
    out = []
    for rec in (BUURT, MARKT):
        out += [Turn(t.speaker, t.text, t.pause_before) for t in rec.turns]
    return out


LANG = Recording(
    name="nl_langgesprek",
    title="Een lang gesprek",
    bitrate="24k",
    voices={"interviewer": Voice("nl+f3", 150, 58), "verteller": Voice("nl+m7", 125, 34)},
    turns=_long_turns(),
    noises=[Noise(0.0, None, -48.0, "pinknoise")],
    metadata={"people": [["Henk", "verteller"], ["Amal", "interviewer"]], "places": [], "series": "",
              "themes": [], "glossary": []},
    jingle=False,
)

BENCH_RECORDINGS = {r.name: r for r in (DRIE, LANG)}


# --------------------------------------------------------------------------- the demo's interview
# demo/build.sh ingests it (`make demo`): a life story of a few minutes with two voices and two subjects,
# so a newcomer sees speakers and a table of contents at once. Written to demo/media/ (--out demo/media).

DEMO = Recording(
    name="nl_levensverhaal",
    title="Van Aleppo naar de fietsenwerkplaats",
    bitrate="20k",
    voices={"interviewer": Voice("nl+f3", 150, 60), "verteller": Voice("nl+m7", 128, 34)},
    turns=[
        Turn("interviewer", "Welkom bij Levensverhalen. Vandaag praat ik in Rotterdam-West met Yusuf. Hij kwam "
                            "negen jaar geleden naar Nederland. Yusuf, waar kom je vandaan?", 0.8, -10.0),
        Turn("verteller", "Ik kom uit Aleppo, in Syrië. Daar was ik leraar natuurkunde op een middelbare school. "
                          "Toen de oorlog begon, werd de school gesloten.", 1.0),
        Turn("interviewer", "Hoe ben je hier gekomen?", 1.2),
        Turn("verteller", "Eerst gingen we naar Turkije, mijn vrouw, mijn twee zonen en ik. Daar werkten we een "
                          "jaar in een textielfabriek. Daarna kwamen we met de boot naar Griekenland, en verder "
                          "over land. Het was een lange reis.", 0.9),
        Turn("interviewer", "Dat klinkt zwaar.", 1.5),
        Turn("verteller", "Ja. Maar we waren samen. Dat was het belangrijkste.", 0.7),
        Turn("interviewer", "En de eerste tijd in Nederland?", 2.5),
        Turn("verteller", "We woonden eerst in een azc in Groningen. Ik wilde meteen de taal leren. Elke dag "
                          "oefende ik met een boekje en met de radio. Mijn zonen leerden het sneller op school.", 1.0),
        Turn("interviewer", "Wat vond je het moeilijkst aan het Nederlands?", 1.1),
        Turn("verteller", "De lidwoorden. De en het. Dat begrijp ik nog steeds niet helemaal. Mijn taalcoach zei: "
                          "je moet het gewoon onthouden.", 0.8),
        Turn("interviewer", "Had je die taalcoach via de gemeente?", 1.3),
        Turn("verteller", "Via een vrijwilligersorganisatie. Ze heette Ria. Elke donderdag dronken we koffie en "
                          "praatten we een uur. Ze is nu een vriendin van de familie.", 0.9),
        # The long pause where the subject changes.
        Turn("interviewer", "Laten we het over je werkplaats hebben. Hoe is die begonnen?", 5.0),
        Turn("verteller", "In Rotterdam zag ik overal kapotte fietsen staan. Bij de flat, bij het station. Ik "
                          "dacht: die kan ik repareren. Mijn vader had in Aleppo een werkplaats voor "
                          "brommers.", 1.0),
        Turn("interviewer", "Dus je kende het vak al.", 1.0),
        Turn("verteller", "Een beetje. Banden plakken, remmen afstellen, een ketting vervangen. De rest leerde ik "
                          "van filmpjes en van de buurman.", 0.8),
        Turn("interviewer", "Waar zit de fietsenwerkplaats nu?", 1.4),
        Turn("verteller", "In een oude garage achter het buurthuis. De woningcorporatie geeft ons de ruimte. "
                          "Op zaterdag komen er jongeren uit de wijk, en samen maken we de fietsen weer "
                          "rijklaar.", 0.9),
        Turn("interviewer", "Wat gebeurt er met die fietsen?", 1.2),
        Turn("verteller", "Nieuwe Rotterdammers krijgen er een. Wie net in de stad woont, heeft een fiets "
                          "nodig voor de taalles, voor het werk, voor de boodschappen.", 0.8),
        Turn("interviewer", "Hoeveel fietsen hebben jullie al weggegeven?", 1.6),
        Turn("verteller", "Meer dan vierhonderd. Elke fiets krijgt een bel, een slot en goede lampen. Dat is "
                          "onze regel.", 0.7),
        Turn("interviewer", "Wat betekent de werkplaats voor jou?", 2.0),
        Turn("verteller", "Ik ben weer iemand die iets kan geven. In het begin moest ik altijd vragen. Nu vragen "
                          "mensen mij om hulp. Dat voelt goed.", 1.0),
        Turn("interviewer", "Dank je wel, Yusuf.", 1.2),
        Turn("verteller", "Graag gedaan.", 0.6),
    ],
    noises=[Noise(0.0, None, -50.0, "pinknoise")],
    metadata={
        "people": [["Yusuf", "verteller"], ["Esseline", "interviewer"]],
        "places": ["Rotterdam", "Aleppo"], "series": "Levensverhalen", "themes": ["werk", "nieuwkomers"],
        "glossary": [],
    },
)

DEMO_RECORDINGS = {DEMO.name: DEMO}


# --------------------------------------------------------------------------- audio helpers

def run(*cmd: str) -> None:
    subprocess.run(list(cmd), check=True, stdout=subprocess.DEVNULL)


def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE), w.getparams()
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def write_wav(path: Path, x: np.ndarray) -> None:
    pcm = (np.clip(x, -1, 1) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def db(x: float) -> float:
    return 10 ** (x / 20)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def speak(voice: Voice, text: str, work: Path, n: int) -> np.ndarray:
    """The turn spoken by espeak-ng at 16 kHz, trimmed to its first and last voiced sample, at -20 dBFS RMS."""
    raw, wav = work / f"t{n}_raw.wav", work / f"t{n}.wav"
    run("espeak-ng", "-v", voice.espeak, "-s", str(voice.speed), "-p", str(voice.pitch), "-w", str(raw), text)
    run("sox", "-R", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(wav))
    x = read_wav(wav)
    voiced = np.flatnonzero(np.abs(x) > 0.01 * np.abs(x).max())
    x = x[voiced[0]: voiced[-1] + 1]
    return x * (db(-20.0) / rms(x))


def jingle(work: Path) -> np.ndarray:
    """About 6.6 s of plucked notes, a held chord with a hum under it, fading out (sox synth)."""
    notes = [("C4", 0.42), ("E4", 0.42), ("G4", 0.42), ("C5", 0.62), ("A4", 0.42), ("F4", 0.42), ("G4", 0.8)]
    parts = []
    for i, (note, dur) in enumerate(notes):
        p = work / f"note{i}.wav"
        run("sox", "-R", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(p), "synth", str(dur), "pluck", note,
            "pluck", note, "fade", "0.005", str(dur), "0.05", "vol", "0.5")
        parts.append(read_wav(p))
    chord = work / "chord.wav"
    run("sox", "-R", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(chord), "synth", "3.1",
        "pluck", "C4", "pluck", "E4", "pluck", "G4", "sine", "C3", "remix", "-", "fade", "0.01", "3.1", "2.4",
        "vol", "0.3")
    parts.append(read_wav(chord))
    x = np.concatenate(parts)
    return x * (db(-22.0) / rms(x))


def noise(spec: Noise, total: int, work: Path, n: int) -> np.ndarray:
    start = int(spec.start * RATE)
    end = total if spec.end is None else min(total, int(spec.end * RATE))
    p = work / f"noise{n}.wav"
    run("sox", "-R", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(p), "synth", f"{(end - start) / RATE:.4f}",
        spec.colour, "vol", "0.3")
    x = read_wav(p)[: end - start]
    x = x * (db(spec.level_db) / rms(x))
    f = int(spec.fade * RATE)
    if f and spec.start > 0:
        x[:f] *= np.linspace(0, 1, f)
    if f and spec.end is not None:
        x[-f:] *= np.linspace(1, 0, f)
    out = np.zeros(total, dtype=np.float32)
    out[start: start + len(x)] = x
    return out


def build(rec: Recording, work: Path, out_dir: Path = HERE) -> None:
    voices = {k: v for k, v in rec.voices.items()}
    pieces: list[tuple[int, np.ndarray]] = []  # (start sample, audio)
    rows = []
    pos = 0
    if rec.jingle:
        j = jingle(work)
        pieces.append((0, j))
        pos = len(j)
    for n, t in enumerate(rec.turns):
        v = voices[t.speaker]
        x = speak(v, t.text, work, n) * db(v.gain_db + t.gain_db)
        pos += int(round(t.pause_before * RATE))
        pieces.append((pos, x))
        rows.append((pos / RATE, (pos + len(x)) / RATE, t.speaker, t.text))
        pos += len(x)
    total = pos + int(rec.tail * RATE)
    mix = np.zeros(total, dtype=np.float32)
    for start, x in pieces:
        mix[start: start + len(x)] += x
    for n, spec in enumerate(rec.noises):
        if spec.turns:
            i, j = spec.turns
            spec = Noise(rows[i][0] - 1.0, rows[j][1] + 0.5, spec.level_db, spec.colour, spec.fade)
        mix += noise(spec, total, work, n)
    peak = np.abs(mix).max()
    if peak > 0.95:
        mix *= 0.95 / peak
    wav = work / f"{rec.name}.wav"
    write_wav(wav, mix)
    out = out_dir / f"{rec.name}.opus"
    run(ffmpeg(), "-nostdin", "-loglevel", "error", "-y", "-i", str(wav), "-map_metadata", "-1",
        "-fflags", "+bitexact", "-flags:a", "+bitexact", "-c:a", "libopus", "-b:a", rec.bitrate,
        "-ar", str(RATE), "-ac", "1", str(out))
    meta = {"title": rec.title, "language": "nl", **rec.metadata}
    m = rec.metadata
    meta["hotwords"] = ([p[0] for p in m["people"]] + list(m["places"]) + ([m["series"]] if m.get("series") else [])
                        + list(m["themes"]) + list(m["glossary"]))
    (out_dir / f"{rec.name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = ["start_s\tend_s\tspeaker\ttext"] + [f"{a:.3f}\t{b:.3f}\t{s}\t{txt}" for a, b, s, txt in rows]
    (out_dir / f"{rec.name}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if out_dir != HERE:  # the bench's recordings: the reference turns as RTTM too
        (out_dir / f"{rec.name}.rttm").write_text(rttm(rec.name, [(a, b, who) for a, b, who, _ in rows]), encoding="utf-8")
    speech = sum(b - a for a, b, _, _ in rows)
    print(f"{out.name}: {total / RATE:.1f} s, {len(rows)} turns, {speech:.1f} s speech, "
          f"{out.stat().st_size / 1024:.0f} KiB")


def rttm(name: str, turns: list[tuple[float, float, str]]) -> str:
    """Turns in NIST RTTM (the diarization scoring tools' format): one SPEAKER line per turn."""
    return "".join(f"SPEAKER {name} 1 {a:.3f} {b - a:.3f} <NA> <NA> {who} <NA> <NA>\n" for a, b, who in turns)


def main(args: list[str]) -> None:
    """NAME... (default: the committed recordings); `--out DIR` writes there, `--bench` the bench's recordings."""
    out_dir = HERE
    if "--out" in args:
        i = args.index("--out")
        out_dir = Path(args[i + 1])
        args = args[:i] + args[i + 2:]
    every = {**RECORDINGS, **BENCH_RECORDINGS, **DEMO_RECORDINGS}
    names = [a for a in args if a not in ("--bench", "--demo")] or list(
        BENCH_RECORDINGS if "--bench" in args else DEMO_RECORDINGS if "--demo" in args else RECORDINGS)
    for name in names:
        with tempfile.TemporaryDirectory(prefix="make-interviews-") as tmp:
            build(every[name], Path(tmp), out_dir)


if __name__ == "__main__":
    main(sys.argv[1:])
