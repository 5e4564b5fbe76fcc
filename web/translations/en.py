"""English interface text. Keys are the Dutch source strings used in templates and code.

tests/test_web.py checks that every _("...") in the templates has an entry here.
"""

MESSAGES = {
    "Taal van dit stuk": "Language of this stretch",
    "Woorden afschermen: van woord": "Redact words: from word",
    "tot en met": "through",
    "Woorden afschermen…": "Redact words…",
    "Opnieuw laten herkennen…": "Transcribe again…",
    "Sneltoetsen": "Keyboard shortcuts",
    "afspelen of pauzeren": "play or pause",
    "5 seconden terug": "back 5 seconds",
    "5 seconden vooruit": "forward 5 seconds",
    "naar het volgende woord waar de computer aan twijfelde": "to the next word the computer was unsure of",
    "de passage bewaren": "save the passage",
    "Tekst toevoegen waar niets staat": "Add text where there is none",
    "Voor spraak zonder tekst: kies het stuk in de speler (begin en einde), typ wat er gezegd wordt. De woorden worden over dat stuk verdeeld.": "For speech without text: pick the stretch in the player (start and end) and type what is said. The words are spread over that stretch.",
    "Begin (mm:ss)": "Start (mm:ss)",
    "Einde (mm:ss)": "End (mm:ss)",
    "Nu in de speler": "Now in the player",
    "Wat wordt er gezegd?": "What is being said?",
    "Spreker (mag leeg)": "Speaker (may be empty)",
    "Tekst toevoegen": "Add text",
    "tekst toegevoegd": "text added",
    "opnieuw herkend": "transcribed again",
    "geen spreker": "no speaker",
    "{n} s gedempt": "{n} s muted",
    "{n} s weer hoorbaar": "{n} s audible again",
    "Woorden afschermen: {title}": "Redact words: {title}",
    "Woorden afschermen": "Redact words",
    "In {title}, vanaf {time}:": "In {title}, from {time}:",
    "Deze woorden verdwijnen van de openbare pagina, uit zoeken, feeds en downloads, en het geluid wordt daar {seconds} seconden gedempt ({start} tot {end}). Luisteraars zien op die plek [afgeschermd, {seconds} s]. De rest van de passage blijft staan. Je kunt dit later terugdraaien in de geschiedenis.": "These words disappear from the public page, search, feeds and downloads, and the sound is muted there for {seconds} seconds ({start} to {end}). Listeners see [redacted, {seconds} s] in their place. The rest of the passage stays. You can undo this later in the history.",
    "Ja, deze woorden afschermen": "Yes, redact these words",
    "Niet afschermen": "Do not redact",
    "Opnieuw laten herkennen: {title}": "Transcribe again: {title}",
    "Opnieuw laten herkennen": "Transcribe again",
    "De computer luistert nog eens naar een stuk van {title}, bijvoorbeeld in een andere taal of zonder de woordenlijst. Je ziet het resultaat eerst naast de huidige tekst; er verandert pas iets als je het overneemt.": "The computer listens again to a stretch of {title}, for example in another language or without the vocabulary. You see the result next to the current text first; nothing changes until you accept it.",
    "Vanaf {time}: {text}": "From {time}: {text}",
    "Tot en met de passage": "Up to and including the passage",
    "(geen tekst)": "(no text)",
    "Hoogstens {n} seconden tegelijk.": "At most {n} seconds at a time.",
    "de taal van het verhaal ({code})": "the story's language ({code})",
    "Met de woordenlijst (namen en plaatsen van dit verhaal)": "With the vocabulary (names and places of this story)",
    "Laten herkennen": "Transcribe",
    "Bezig met luisteren… dit duurt even.": "Listening… this takes a moment.",
    "Voorstel voor {start} tot {end}": "Proposal for {start} to {end}",
    "Nu": "Now",
    "geen tekst herkend": "no text recognised",
    "Voorstel": "Proposal",
    "Voorstel overnemen": "Accept the proposal",
    "Houden zoals het is": "Keep it as it is",
    "Geef een tijd als 1:15 of 75 (seconden).": "Give a time such as 1:15 or 75 (seconds).",
    "Kies de woorden om af te schermen: van woord ... tot en met woord ....": "Choose the words to redact: from word ... through word ....",
    "Deze passage bestaat niet (meer).": "This passage does not exist (any more).",
    "Kies woorden tussen 1 en {n}.": "Choose words between 1 and {n}.",
    "Afgeschermd: alleen die woorden zijn verborgen en worden gedempt.": "Redacted: only those words are hidden and muted.",
    "De tekst is toegevoegd.": "The text was added.",
    "Dit verhaal heeft nog geen transcript.": "This story has no transcript yet.",
    "Dit voorstel is niet (meer) geldig. Laat het stuk opnieuw herkennen.": "This proposal is not valid (any more). Have the stretch transcribed again.",
    "De nieuwe tekst staat erin. Je kunt het terugdraaien in de geschiedenis.": "The new text is in. You can undo it in the history.",
    "[afgeschermd, {seconds} s]": "[redacted, {seconds} s]",
    "1 verhaal gevonden": "1 story found",
    "1 verhaal": "1 story",
    "Afbeelding bij {name}": "Artwork for {name}",
    "Afleveringen": "Episodes",
    "Hoofdstukken": "Chapters",
    "Bekijk hierboven hoe je zoekt, of probeer gewoon een paar woorden.": "See above how to search, or just try a few words.",
    "Citeer dit moment": "Cite this moment",
    "Dat lukte niet": "That did not work",
    "Deze link begint bij {time}.": "This link starts at {time}.",
    "Deze pagina bestaat niet, of is (nog) niet openbaar.": "This page does not exist, or is not public (yet).",
    "Deze zoekvraag begrijpen we niet": "We cannot understand this search",
    "Download de mp3": "Download the mp3",
    "Downloads": "Downloads",
    "Duur": "Duration",
    "Een open archief van verhalen uit de buurt.": "An open archive of neighbourhood stories.",
    "Er ging iets mis": "Something went wrong",
    "Gevonden in titel of beschrijving.": "Found in the title or description.",
    "Het archief is even niet bereikbaar. Probeer het later opnieuw.": "The archive cannot be reached right now. Please try again later.",
    "Hoesafbeelding van {title}": "Cover art of {title}",
    "Home": "Home",
    "Jaar": "Year",
    "Je browser kan deze audio niet afspelen.": "Your browser cannot play this audio.",
    "Klik op een tijd of woord om daar te luisteren. Onderstreepte stippellijn: de tekst is daar mogelijk onjuist.":
        "Click a time or a word to listen from there. Dotted underline: the text may be wrong there.",
    "Luister naar levensverhalen, lees mee met de tekst en zoek tot op de seconde.":
        "Listen to life stories, read along with the text and search down to the second.",
    "Mensen": "People",
    "Naar de inhoud": "Skip to content",
    "Niet gevonden": "Not found",
    "Nieuwste verhalen": "Latest stories",
    "Nog geen verhalen.": "No stories yet.",
    "Nog niets om te tonen.": "Nothing to show yet.",
    "Opgenomen": "Recorded",
    "Pagina {page} van {pages}": "Page {page} of {pages}",
    "Persoon": "Person",
    "Plaats": "Place",
    "Plaatsen": "Places",
    "Podcastfeed (RSS)": "Podcast feed (RSS)",
    "Portret van {name}": "Portrait of {name}",
    "Serie": "Series",
    "Series": "Series",
    "Sitemap": "Sitemap",
    "Taal": "Language",
    "Tekst volgt het geluid": "Text follows the audio",
    "Tekst": "Text",
    "Terug naar de startpagina": "Back to the home page",
    "Thema": "Theme",
    "Thema's": "Themes",
    "Transcript": "Transcript",
    "Trefwoorden": "Keywords",
    "Verfijn": "Refine",
    "Verhalen uit de buurt": "Stories from the neighbourhood",
    "Verhalen": "Stories",
    "Verhalenarchief": "Story archive",
    "Verteld door": "Told by",
    "Vertellers": "Narrators",
    "Volgende": "Next",
    "Voor dit verhaal is nog geen transcript.": "There is no transcript for this story yet.",
    "Vorige": "Previous",
    "Zo zoek je": "How to search",
    "Zoek in alle verhalen": "Search all stories",
    "Zoeken": "Search",
    "alleen verhalen met dit kenmerk": "only stories with this property",
    "een precieze woordgroep": "an exact phrase",
    "een woord (vindt ook bakkerijen; accenten mogen weg)": "a word (also finds plurals; accents optional)",
    "gast": "guest",
    "het een of het ander; NIET sluit uit": "either one; NOT excludes",
    "interviewer": "interviewer",
    "mogelijk onjuist": "may be wrong",
    "presentator": "host",
    "verteller": "narrator",
    "woorden die beginnen met bakk": "words starting with bakk",
    "{n} verhalen gevonden": "{n} stories found",
    "{n} verhalen": "{n} stories",
    "Hoofdmenu": "Main menu",
    "Luister vanaf {time}": "Listen from {time}",
    "Pagina’s": "Pages",
    "Speler": "Player",
}

# The editors' workspace (login, /editor/, export).
MESSAGES.update({
    " door {user} om {time}": " by {user} at {time}",
    "Account": "Account",
    "Actief": "Active",
    "Afgeschermd: de passage is verborgen voor publiek en zoeken; het geluid wordt gedempt.":
        "Redacted: the passage is hidden from the public and from search; its sound will be muted.",
    "Afschermen": "Redact",
    "Afspraken over toestemming": "Consent arrangements",
    "Alle verhalen, nieuwste eerst": "All stories, newest first",
    "Bekijk de openbare pagina": "See the public page",
    "Beschrijving": "Description",
    "Beschrijving voor het archief": "Description for the archive",
    "Bewaard toestemmingsformulier downloaden": "Download the stored consent form",
    "Bewaard.": "Saved.",
    "Bewaren": "Save",
    "Bewaren lukte niet. Controleer de verbinding en probeer het opnieuw.":
        "Saving did not work. Check the connection and try again.",
    "Bewerken": "Edit",
    "Bezig met bewaren…": "Saving…",
    "Bezig met uploaden… Sluit deze pagina niet.": "Uploading… Do not close this page.",
    "Bij dit verhaal is geen toestemmingsbestand bewaard.": "No consent file is stored with this story.",
    "Bij {title} is niets mislukt; opnieuw proberen is niet nodig.": "Nothing failed for {title}; there is nothing to retry.",
    "Controleren": "Checking",
    "De passage is gesplitst.": "The passage was split.",
    "De passage is weer zichtbaar; het geluid wordt hersteld.": "The passage is visible again; its sound will be restored.",
    "De wijziging is teruggedraaid.": "The change was reverted.",
    "Deze opname staat al in het archief als {slug}.": "This recording is already in the archive as {slug}.",
    "Deze pagina ververst zichzelf. Zonder JavaScript: laad de pagina opnieuw om de stand te zien.":
        "This page refreshes itself. Without JavaScript: reload the page to see the state.",
    "Deze passage is intussen gewijzigd{who}. Jouw wijziging is niet bewaard: laad de pagina opnieuw "
    "en breng je correctie nog eens aan.":
        "This passage was changed{who} in the meantime. Your change was not saved: reload the page and "
        "make your correction again.",
    "Deze taak bestaat niet (meer).": "This job does not exist (any more).",
    "Dit bestand is te groot: het archief neemt opnames tot {mb} MB aan. "
    "Maak het kleiner (bijvoorbeeld als mp3) of vraag de beheerder de grens te verhogen.":
        "This file is too large: the archive accepts recordings up to {mb} MB. "
        "Make it smaller (for example as an mp3) or ask the administrator to raise the limit.",
    "Dit formulier is verlopen of niet compleet. Laad de pagina opnieuw en probeer het nog eens.":
        "This form has expired or is incomplete. Reload the page and try again.",
    "Dit ging mis bij “{stage}”: {error}": "This went wrong at “{stage}”: {error}",
    "Download deze zoekresultaten als CSV": "Download these search results as CSV",
    "Een naam is 1 tot 100 tekens, zonder spaties.": "A name is 1 to 100 characters, without spaces.",
    "Een verhaal onder embargo heeft een einddatum nodig.": "An embargoed story needs an end date.",
    "Een wachtwoord heeft minstens {n} tekens.": "A password has at least {n} characters.",
    "Embargo tot (alleen bij embargo)": "Embargo until (only for embargo)",
    "Er wordt nu niets verwerkt.": "Nothing is being processed now.",
    "Gebruiker toevoegen": "Add a user",
    "Gebruikers": "Users",
    "Geef de nieuwe naam van de spreker.": "Give the speaker's new name.",
    "Geef een datum als jjjj-mm-dd.": "Give a date as yyyy-mm-dd.",
    "Geef het verhaal een titel.": "Give the story a title.",
    "Geluid omzetten": "Converting audio",
    "Geluids- of videobestand": "Audio or video file",
    "Gepubliceerd": "Published",
    "Gepubliceerd: het verhaal verschijnt zodra de verwerking klaar is.":
        "Published: the story appears as soon as processing is finished.",
    "Geschiedenis": "History",
    "Herken automatisch": "Detect automatically",
    "Het archief is nog leeg. Voeg een eerste opname toe.": "The archive is still empty. Add a first recording.",
    "Het formulier is nog niet goed ingevuld:": "The form is not filled in correctly yet:",
    "Het veld {name} ontbreekt of is geen getal.": "The field {name} is missing or not a number.",
    "Het wachtwoord van {name} is gewijzigd.": "The password of {name} was changed.",
    "Inloggen": "Log in",
    "Inschakelen": "Enable",
    "Je account heeft geen toegang tot dit deel van het archief.": "Your account has no access to this part of the archive.",
    "Je bent ingelogd als {name}.": "You are logged in as {name}.",
    "Je bent uitgelogd.": "You are logged out.",
    "Je kunt je eigen beheerdersrol niet weghalen; laat een andere beheerder dat doen.":
        "You cannot remove your own admin role; ask another admin to do it.",
    "Je kunt jezelf niet uitschakelen.": "You cannot disable yourself.",
    "Kies een opname om te uploaden.": "Choose a recording to upload.",
    "Kies een rol.": "Choose a role.",
    "Kies een toegangsniveau uit de lijst.": "Choose an access level from the list.",
    "Let op: {warning}": "Note: {warning}",
    "Mensen en hun rol": "People and their role",
    "Na het uploaden wordt de opname omgezet en uitgeschreven. Het verhaal blijft verborgen tot je het publiceert.":
        "After the upload the recording is converted and transcribed. The story stays hidden until you publish it.",
    "Naam": "Name",
    "Naam of wachtwoord klopt niet.": "Name or password is not right.",
    "Naam {n}": "Name {n}",
    "Naar de verwerking": "To processing",
    "Nakijken": "Review",
    "Niet meer publiceren": "Unpublish",
    "Niets na te kijken.": "Nothing to review.",
    "Nieuw wachtwoord": "New password",
    "Nieuw wachtwoord voor {name}": "New password for {name}",
    "Nog geen wijzigingen.": "No changes yet.",
    "Opgenomen op": "Recorded on",
    "Opname": "Recording",
    "Opname toevoegen": "Add a recording",
    "Opnieuw proberen": "Retry",
    "Overal hernoemen": "Rename everywhere",
    "Spraak waarin de computer geen tekst herkende komt eerst, daarna de passages waar hij het minst zeker "
    "van was. Verbeter ze in de editor; een verbeterde passage verdwijnt van deze lijst.":
        "Speech in which the computer recognised no text comes first, then the passages it was least sure of. "
        "Correct them in the editor; a corrected passage leaves this list.",
    "geen tekst herkend, {time}: luister en vul aan": "no text recognised, {time}: listen and fill it in",
    "geen tekst herkend: luister en vul aan": "no text recognised: listen and fill it in",
    "opnieuw herkend, controleer": "recognised on a second try, please check",
    "Wat wordt hier gezegd?": "What is said here?",
    "Trefwoorden nakijken": "Review keywords",
    "1 onzeker woord": "1 uncertain word",
    "{n} onzekere woorden": "{n} uncertain words",
    "de computer twijfelde aan de hele passage": "the computer doubted the whole passage",
    "De computer stelt trefwoorden voor uit de transcriptie. Een voorstel is pas openbaar (op de verhaalpagina, "
    "bij de thema's en als zoekfilter) als u het aanvaardt; zoeken vindt het verhaal er al wel mee. Een "
    "afgewezen voorstel komt niet terug.":
        "The computer proposes keywords from the transcript. A proposal becomes public (on the story page, among "
        "the themes and as a search filter) only once you accept it; search already finds the story by it. A "
        "rejected proposal does not come back.",
    "Dit archief toont voorstellen al openbaar voordat ze zijn nagekeken (instelling publish_keywords).":
        "This archive shows proposals publicly before they are reviewed (setting publish_keywords).",
    "Geen voorstellen om na te kijken.": "No proposals to review.",
    "Aanvaarden": "Accept",
    "Afwijzen": "Reject",
    "of hernoemen tot": "or rename to",
    "Hernoemen": "Rename",
    "{name} staat nu bij {title}.": "{name} is now shown with {title}.",
    "{name} is afgewezen.": "{name} was rejected.",
    "Geef de nieuwe naam voor {name}.": "Give the new name for {name}.",
    "{name} heet nu {new} (een thema).": "{name} is now {new} (a theme).",
    "Kies aanvaarden, afwijzen of hernoemen.": "Choose accept, reject or rename.",
    "Plaatsen (gescheiden door komma's)": "Places (separated by commas)",
    "Publiceren": "Publish",
    "Rol": "Role",
    "Rol van {name}": "Role of {name}",
    "Rol {n}": "Role {n}",
    "Samengevoegd met de volgende passage.": "Merged with the next passage.",
    "Samenvoegen met volgende": "Merge with next",
    "Speel de passage af als je gaat bewerken": "Play the passage when you start editing it",
    "Speel vanaf {time}": "Play from {time}",
    "Splits vóór woord": "Split before word",
    "Splitsen": "Split",
    "Spreker": "Speaker",
    "Spreker aangepast.": "Speaker changed.",
    "Spreker instellen": "Set speaker",
    "Sprekers": "Speakers",
    "Stand": "State",
    "Te veel mislukte pogingen. Wacht {minutes} minuten en probeer het dan opnieuw.":
        "Too many failed attempts. Wait {minutes} minutes and then try again.",
    "Tekst vanaf {time}": "Text from {time}",
    "Terugdraaien": "Revert",
    "Thema's (gescheiden door komma's)": "Themes (separated by commas)",
    "Titel": "Title",
    "Toegang": "Access",
    "Toegang aangepast.": "Access changed.",
    "Toegang bewaren": "Save access",
    "Toegang en toestemming": "Access and consent",
    "Toestemming": "Consent",
    "Toestemming bewaard.": "Consent saved.",
    "Toestemming bewaren": "Save consent",
    "Toestemmingsformulier (wordt nooit openbaar)": "Consent form (never made public)",
    "Toevoegen": "Add",
    "Twijfel bij: {words}": "Doubtful: {words}",
    "Uitloggen": "Log out",
    "Uitschakelen": "Disable",
    "Uitschrijven": "Transcribing",
    "Uploaden": "Upload",
    "Verwerking": "Processing",
    "Voor redacteuren, onderzoekers en beheerders van het archief.": "For the archive's editors, researchers and admins.",
    "Wachtwoord": "Password",
    "Wachtwoord (minstens 10 tekens)": "Password (at least 10 characters)",
    "Weer tonen": "Show again",
    "Werkplaats": "Workspace",
    "Wie mag het horen": "Who may hear it",
    "Wie mag inloggen": "Who may log in",
    "Wijzig rol": "Change role",
    "Zoekindex": "Search index",
    "afgeschermd": "redacted",
    "alleen onderzoekers": "researchers only",
    "alleen redactie": "editors only",
    "beheerder": "admin",
    "bezig": "running",
    "embargo tot een datum": "embargoed until a date",
    "gepubliceerd": "published",
    "gesplitst": "split",
    "handwerk nodig": "needs a person",
    "heet voortaan": "is from now on called",
    "in behandeling": "in progress",
    "ja": "yes",
    "klaar": "done",
    "klaar, transcript met de hand": "done, transcript by hand",
    "mislukt": "failed",
    "nee": "no",
    "nog niet gepubliceerd": "not published yet",
    "nog ongeveer {m} min {s} s": "about {m} min {s} s left",
    "nog ongeveer {n} s": "about {n} s left",
    "onderzoeker": "researcher",
    "openbaar": "public",
    "overgeslagen": "skipped",
    "redacteur": "editor",
    "samengevoegd": "merged",
    "spreker": "speaker",
    "tekst": "text",
    "teruggedraaid": "reverted",
    "toegevoegd door {name}": "added by {name}",
    "wacht": "waiting",
    "weer getoond": "shown again",
    "{name} is nu {role}.": "{name} is now {role}.",
    "{name} kan niet meer inloggen.": "{name} can no longer log in.",
    "{name} kan nu inloggen als {role}.": "{name} can now log in as {role}.",
    "{name} kan weer inloggen.": "{name} can log in again.",
    "{old} heet nu {new}.": "{old} is now called {new}.",
    "{title} is gepubliceerd.": "{title} is published.",
    "{title} is niet meer gepubliceerd.": "{title} is no longer published.",
    "{title} is ontvangen en staat in de wachtrij. Het verhaal blijft verborgen tot je het publiceert.":
        "{title} was received and is in the queue. The story stays hidden until you publish it.",
    "{title} staat weer in de wachtrij.": "{title} is in the queue again.",
    "Iemand anders heeft dit verhaal gewijzigd nadat je de pagina opende. Jouw wijziging is niet bewaard: laad de pagina opnieuw en probeer het nog eens.":
        "Someone else changed this story after you opened the page. Your change was not saved: reload the page and try again.",
    "De toelichting is te lang: hoogstens {n} tekens.": "The notes are too long: at most {n} characters.",
    "Dit verhaal wordt bijgewerkt. Probeer het over een minuut opnieuw.":
        "This story is being updated. Please try again in a minute.",
})

# A whole collection: the sheet upload (web/editor/upload.py, editor/upload_sheet.html).
MESSAGES.update({
    "Een hele collectie toevoegen": "Add a whole collection",
    "Een hele collectie, met een blad (CSV) erbij?": "A whole collection, with a sheet (CSV)?",
    "Voeg de collectie in één keer toe": "Add the collection in one go",
    "Een blad (CSV) met een rij per opname, en de opnamen die het noemt. Goede rijen worden toegevoegd en "
    "uitgeschreven; bij elke rij met een probleem staat wat er mis is. Opnieuw versturen is veilig: wat al in het "
    "archief staat wordt overgeslagen.":
        "A sheet (CSV) with one row per recording, and the recordings it names. Good rows are added and "
        "transcribed; every row with a problem says what is wrong. Sending it again is safe: what is already in "
        "the archive is skipped.",
    "Resultaat": "Result",
    "Alleen gecontroleerd: er is nog niets toegevoegd.": "Checked only: nothing has been added yet.",
    "Deze opnamen uit het blad zijn niet meegestuurd:": "These recordings named in the sheet were not sent:",
    "Kies ze ook bij de opnamen en verstuur het blad opnieuw; wat al binnen is wordt overgeslagen.":
        "Choose them among the recordings too and send the sheet again; what is already in is skipped.",
    "Deze rijen zijn niet toegevoegd:": "These rows were not added:",
    "Toegevoegd en in de wachtrij (verborgen tot je ze publiceert):":
        "Added and queued (hidden until you publish them):",
    "hervat": "resumed",
    "wordt hervat": "will be resumed",
    "voortgang": "progress",
    "Klaar om toe te voegen:": "Ready to add:",
    "Overgeslagen, staan al in het archief:": "Skipped, already in the archive:",
    "Meegestuurd maar niet in het blad (niet gebruikt):": "Sent but not in the sheet (not used):",
    "Blad (CSV, UTF-8)": "Sheet (CSV, UTF-8)",
    "De opnamen die het blad noemt (kies ze allemaal tegelijk)": "The recordings the sheet names (choose them all at once)",
    "Alleen controleren, nog niets toevoegen": "Check only, add nothing yet",
    "Versturen": "Send",
    "Het blad": "The sheet",
    "De eerste rij noemt de kolommen: file (de naam van de opname) en verder, naar wens:":
        "The first row names the columns: file (the recording's name) and, as you like:",
    "Meer namen, plaatsen of thema's in een cel scheid je met ;. Datums als 2024-05-03. Toegang (access) is een van:":
        "Separate several names, places or themes in one cell with ;. Dates like 2024-05-03. Access is one of:",
    "Alles samen mag niet groter zijn dan de uploadgrens van het archief; een grotere collectie voeg je in delen "
    "toe, of met verhalen ingest --sheet.":
        "Everything together may not be larger than the archive's upload limit; add a larger collection in parts, "
        "or with verhalen ingest --sheet.",
    "Kies het blad (CSV) met een rij per opname.": "Choose the sheet (CSV) with one row per recording.",
    "{name} is geen UTF-8-tekst. Bewaar het in Excel als \u2018CSV UTF-8\u2019, in LibreOffice met de tekenset "
    "Unicode (UTF-8).":
        "{name} is not UTF-8 text. In Excel save it as \u2018CSV UTF-8\u2019, in LibreOffice with the character "
        "set Unicode (UTF-8).",
    "rij {row}: {problem}": "row {row}: {problem}",
    "rij {row}: {name}": "row {row}: {name}",
    "rij {row}: {title}": "row {row}: {title}",
    "rij {row}: al in het archief als {slug}": "row {row}: already in the archive as {slug}",
    "onbekende kolom(men) {columns}; de kolommen heten {known}": "unknown column(s) {columns}; the columns are {known}",
    "de kolom {columns} staat er meer dan eens in": "column {columns} appears more than once",
    "het blad heeft geen kolom file (die noemt per rij de opname) of is leeg":
        "the sheet has no file column (it names each row's recording) or is empty",
    "meer cellen ({cells}) dan de kop kolommen heeft ({columns}); zet een cel met meer waarden, gescheiden door ;, "
    "tussen aanhalingstekens":
        "more cells ({cells}) than the header has columns ({columns}); put a cell with several values, separated "
        "by ;, in quotes",
    "de cel file noemt geen opname": "the file cell names no recording",
    "{column}: {value} is geen datum als 2024-05-03": "{column}: {value} is not a date like 2024-05-03",
    "access: {value} is geen van {known}": "access: {value} is not one of {known}",
    "access is embargoed maar embargo_until is leeg: een embargo loopt af op een datum":
        "access is embargoed but embargo_until is empty: an embargo lifts on a date",
    "{file} is niet meegestuurd": "{file} was not sent",
    "{file} is geen bruikbare opname ({reason})": "{file} is not a usable recording ({reason})",
    "{file} is dezelfde opname als rij {other}": "{file} is the same recording as row {other}",
})

# A story's details in the workspace (web/editor/story.py, editor/story.html).
MESSAGES.update({
    "Gegevens": "Details",
    "Gegevens bewaren": "Save details",
    "Gegevens bewaard.": "Details saved.",
    "Er was niets veranderd.": "Nothing had changed.",
    "Opnamedatum": "Recording date",
    "Serie (leeg: geen serie)": "Series (empty: no series)",
    "Taal (code, zoals nl)": "Language (a code, such as nl)",
    "Personen": "People",
    "Nog niemand bij dit verhaal.": "Nobody is credited in this story yet.",
    "{name} ({role}) weghalen": "Remove {name} ({role})",
    "{name} weghalen": "Remove {name}",
    "Persoon toevoegen": "Add a person",
    "als": "as",
    "Hernoemen (overal in het archief)": "Rename (everywhere in the archive)",
    "Koppelen": "Link",
    "is dezelfde persoon als": "is the same person as",
    "Plaatsen toevoegen (gescheiden door komma's)": "Add places (separated by commas)",
    "Thema's toevoegen (gescheiden door komma's)": "Add themes (separated by commas)",
    "titel": "title",
    "beschrijving": "description",
    "opnamedatum": "recording date",
    "serie": "series",
    "personen": "people",
    "plaatsen": "places",
    "thema's": "themes",
    "taal": "language",
    "toegang": "access",
    "embargo tot": "embargo until",
    "toestemming": "consent",
    "licentie": "licence",
    "licence: {value} is geen van {known}": "licence: {value} is not one of {known}",
    "Licentie": "Licence",
    "Kies een licentie uit de lijst.": "Choose a licence from the list.",
    "Standaard van het archief: {name}": "The archive's default: {name}",
    "toestemmingsformulier": "consent form",
    "Een verhaal heeft een titel nodig.": "A story needs a title.",
    "Het veld {field} is te lang; maak het korter.": "The field {field} is too long; make it shorter.",
    "Kies een rol uit de lijst.": "Choose a role from the list.",
    "Een persoon heeft een naam nodig.": "A person needs a name.",
    "{name} staat niet bij dit verhaal.": "{name} is not credited in this story.",
    "Er is al iemand die {name} heet. Koppel de vermelding aan die persoon in plaats van te hernoemen.":
        "There is already someone called {name}. Link the credit to that person instead of renaming.",
    "Er is niemand die {name} heet om aan te koppelen; voeg die persoon toe.":
        "There is nobody called {name} to link to; add that person instead.",
    "{name} is geen plaats van dit verhaal.": "{name} is not a place of this story.",
    "{name} is geen thema van de redactie bij dit verhaal.": "{name} is not an editors' theme of this story.",
    "Geef een taalcode zoals nl, en of ar.": "Give a language code such as nl, en or ar.",
    "Een embargodatum hoort alleen bij een verhaal onder embargo.": "An embargo date belongs to an embargoed story only.",
})

# Delete and restore: the trash (web/editor/trash.py).
MESSAGES.update({
    "Prullenbak": "Trash",
    "Verwijderen": "Delete",
    "Acties": "Actions",
    "{title} verwijderen": "Delete {title}",
    "Verwijderen: {title}": "Delete: {title}",
    "Dit verhaal staat al in de prullenbak.": "This story is already in the trash.",
    "Naar de prullenbak": "Move to the trash",
    "Dit gaat naar de prullenbak:": "This goes to the trash:",
    "het verhaal {title}": "the story {title}",
    "de opname {name} ({duration})": "the recording {name} ({duration})",
    "{n} passages transcript": "{n} transcript passages",
    "Het verdwijnt meteen van de openbare pagina's, uit zoeken en uit de feeds. Het blijft {days} dagen in de prullenbak; zolang kun je het terugzetten. Daarna wordt het voorgoed verwijderd, met de opname.":
        "It disappears at once from the public pages, search and the feeds. It stays in the trash for {days} days; until then you can restore it. After that it is removed for good, with its recording.",
    "Niet verwijderen": "Do not delete",
    "Verwijderde verhalen blijven {days} dagen in de prullenbak. Niemand buiten deze pagina ziet ze; terugzetten maakt ze weer zichtbaar zoals voorheen.":
        "Deleted stories stay in the trash for {days} days. Nobody sees them outside this page; restoring one makes it visible again as before.",
    "De prullenbak is leeg.": "The trash is empty.",
    "Verhalen in de prullenbak, laatst verwijderd eerst": "Stories in the trash, most recently deleted first",
    "Verwijderd": "Deleted",
    "Nog": "Left",
    "door {name}": "by {name}",
    "{n} dagen": "{n} days",
    "Terugzetten": "Restore",
    "Voorgoed verwijderen": "Delete for good",
    "{title} staat al in de prullenbak.": "{title} is already in the trash.",
    "{title} staat nu in de prullenbak. Je kunt het daar {days} dagen terugzetten.":
        "{title} is now in the trash. You can restore it from there for {days} days.",
    "{title} staat niet in de prullenbak.": "{title} is not in the trash.",
    "{title} is teruggezet.": "{title} has been restored.",
    "Alleen beheerders kunnen verhalen voorgoed verwijderen.": "Only admins can delete stories for good.",
    "{title} is voorgoed verwijderd.": "{title} has been deleted for good.",
    "Dit verhaal staat in de prullenbak. Zet het daar terug om er weer aan te werken.":
        "This story is in the trash. Restore it there to work on it again.",
})

# The core's errors in the web (web/core_messages.py), the workspace's upload and the error page (web/errors.py).
MESSAGES.update({
    "{path}: bestand niet gevonden.": "{path}: file not found.",
    "{path} is een map, geen opname.": "{path} is a folder, not a recording.",
    "{name} is leeg (0 bytes).": "{name} is empty (0 bytes).",
    "{name} heeft een MP3-label maar geen leesbaar geluid (afgebroken of beschadigd).":
        "{name} has an MP3 tag but no readable audio (truncated or damaged).",
    "{name} is {kind}, geen audio.": "{name} is {kind}, not audio.",
    "een tekstbestand": "a text file",
    "een webpagina (HTML)": "a web page (HTML)",
    "een afbeelding": "an image",
    "{name} is geen herkenbaar geluids- of videobestand.": "{name} is not a recognisable audio or video file.",
    "{name} heeft geen geluidsspoor.": "{name} has no audio track.",
    "{name} kon niet als geluid worden gelezen ({reason}).": "{name} could not be read as audio ({reason}).",
    "{name} bevat geen bruikbaar geluid (beschadigd of afgebroken).":
        "{name} contains no usable audio (damaged or truncated).",
    "{name} is afgebroken: volgens het bestand zelf duurt het {claimed} s, maar het bevat maar {held} s geluid "
    "(het kopiëren of uploaden is te vroeg gestopt).":
        "{name} is truncated: the file says it lasts {claimed} s, but it holds only {held} s of audio (the copy "
        "or upload stopped early).",
    "{name} lijkt afgebroken: volgens het bestand zelf duurt het {claimed} s, maar het geluid stopt bij {held} s.":
        "{name} looks truncated: the file says it lasts {claimed} s, but the audio ends at {held} s.",
    "{name} heeft geen geluid (duur 0).": "{name} has no audio (duration 0).",
    "{name}: ffmpeg kon het niet omzetten ({reason}).": "{name}: ffmpeg could not convert it ({reason}).",
    "{label} is een te grote afbeelding (meer dan {n} megapixel). Kies een kleinere.":
        "{label} is too large an image (more than {n} megapixels). Choose a smaller one.",
    "{label} bestaat niet.": "{label} does not exist.",
    "{label} is geen afbeelding die we kunnen lezen (JPEG, PNG, WebP, GIF…).":
        "{label} is not an image we can read (JPEG, PNG, WebP, GIF…).",
    "Lege zoekvraag: typ een of meer woorden.": "Empty search: type one or more words.",
    "De zoekvraag is te lang (meer dan 1.000 tekens).": "The search is too long (more than 1,000 characters).",
    'Er staat een los aanhalingsteken in de zoekvraag: sluit de woordgroep af met " of haal het aanhalingsteken '
    'weg.': 'The search has a quote that is not closed: end the phrase with " or remove the quote.',
    "De haakjes in de zoekvraag kloppen niet: elk ( heeft een ) nodig.":
        "The brackets in the search do not match: every ( needs a ).",
    "Onbekend veld ‘{name}’ in de zoekvraag: gebruik serie, taal, persoon, thema, plaats of jaar.":
        "Unknown field ‘{name}’ in the search: use series, language, person, theme, place or year.",
    "De zoekvraag is niet te lezen ({reason}).": "The search cannot be read ({reason}).",
    "In de zoekvraag staan geen woorden om op te zoeken.": "The search has no words to search for.",
    "Dit verhaal bestaat niet of is niet openbaar.": "This story does not exist or is not public.",
    "Er is geen verhaal ‘{slug}’ in het archief.": "There is no story ‘{slug}’ in the archive.",
    "Te lang: {label} ‘{value}…’ heeft {n} tekens; hoogstens {limit} passen.":
        "Too long: {label} ‘{value}…’ has {n} characters; at most {limit} fit.",
    "toelichting bij de toestemming": "consent notes",
    "naam": "name",
    "plaats": "place",
    "thema": "theme",
    "{name} staat in de prullenbak als ‘{slug}’. Zet het verhaal daar terug.":
        "{name} is in the trash as ‘{slug}’. Restore the story there.",
    "{name} staat al in het archief als ‘{slug}’.": "{name} is already in the archive as ‘{slug}’.",
    "{name} wordt op dit moment al toegevoegd (door een andere upload).":
        "{name} is being added right now (by another upload).",
    "{path}: blad niet gevonden.": "{path}: sheet not found.",
    "{path}: het blad is niet te lezen ({reason}).": "{path}: the sheet cannot be read ({reason}).",
    "{name} is geen UTF-8-tekst. Bewaar het transcript als UTF-8 (VTT, SRT of TXT).":
        "{name} is not UTF-8 text. Save the transcript as UTF-8 (VTT, SRT or TXT).",
    "{name} is leeg.": "{name} is empty.",
    "{name} heeft tijden maar geen tekst.": "{name} has cue timings but no text.",
    "Iemand anders heeft ‘{title}’ gewijzigd nadat je de pagina opende. Jouw wijziging is niet bewaard: laad de "
    "pagina opnieuw en probeer het nog eens.":
        "Someone else changed ‘{title}’ after you opened the page. Your change was not saved: reload the page "
        "and try again.",
    "De toelichting bij de toestemming heeft hoogstens {limit} tekens ({n} gegeven).":
        "Consent notes have at most {limit} characters ({n} given).",
    "‘{slug}’ staat in de prullenbak. Zet het daar terug om er weer aan te werken.":
        "‘{slug}’ is in the trash. Restore it there to work on it again.",
    "‘{title}’ staat al in de prullenbak.": "‘{title}’ is already in the trash.",
    "‘{title}’ staat niet in de prullenbak.": "‘{title}’ is not in the trash.",
    "‘{slug}’ staat niet in de prullenbak; zet het er eerst in.": "‘{slug}’ is not in the trash; move it there first.",
    "‘{name}’ is geen open trefwoordvoorstel (meer) bij ‘{slug}’.":
        "‘{name}’ is not (or no longer) an open keyword proposal of ‘{slug}’.",
    "De nieuwe naam voor ‘{old}’ is leeg.": "The new name for ‘{old}’ is empty.",
    "Te lang: het thema ‘{name}…’ heeft {n} tekens; hoogstens {limit} passen.":
        "Too long: the theme ‘{name}…’ has {n} characters; at most {limit} fit.",
    "Er is al een gebruiker die ‘{name}’ heet (hoofdletters en kleine letters tellen daarbij niet).":
        "There is already a user called ‘{name}’ (upper and lower case count as the same).",
    "Er is al een gebruiker die ‘{name}’ heet.": "There is already a user called ‘{name}’.",
    "Er is geen gebruiker die ‘{name}’ heet.": "There is no user called ‘{name}’.",
    "Splitsen bij woord {at} kan niet: de passage heeft {n} woorden. Splits tussen twee woorden.":
        "Cannot split at word {at}: the passage has {n} words. Split between two words.",
    "Woorden {first}-{last}: de passage heeft {n} woorden. Kies woorden tussen 1 en {n}.":
        "Words {first}-{last}: the passage has {n} words. Choose words between 1 and {n}.",
    "Passage {id} hoort niet (meer) bij ‘{slug}’; misschien is ze samengevoegd. Laad de pagina opnieuw.":
        "Passage {id} is not (or no longer) part of ‘{slug}’; it may have been merged. Reload the page.",
    "Een passage kan niet leeg zijn. Voeg haar samen met een buurpassage of scherm haar af.":
        "A passage cannot be empty. Merge it with a neighbour or redact it.",
    "Deze passage heeft {n} tekens; hoogstens {limit} passen in één passage. Splits haar in stukken.":
        "This passage has {n} characters; at most {limit} fit in one passage. Split it into several.",
    "De naam van een spreker heeft hoogstens {limit} tekens ({n} gegeven).":
        "A speaker's name has at most {limit} characters ({n} given).",
    "Geen passage in ‘{slug}’ heeft de spreker ‘{old}’.": "No passage in ‘{slug}’ has the speaker ‘{old}’.",
    "Deze passage is al helemaal afgeschermd.": "This passage is already redacted as a whole.",
    "Kies een stuk van minstens {seconds} s binnen de opname (00:00-{duration}); {start}-{end} is dat niet.":
        "Choose a stretch of at least {seconds} s inside the recording (00:00-{duration}); {start}-{end} is not.",
    "{start}-{end} overlapt de passage bij {at} (‘{text}’). Kies een stuk zonder tekst, of verbeter die passage.":
        "{start}-{end} overlaps the passage at {at} (‘{text}’). Choose a stretch without text, or correct that "
        "passage.",
    "Een voorgestelde passage ({at}) ligt buiten {start}-{end}.": "A proposed passage ({at}) lies outside {start}-{end}.",
    "De laatste passage heeft geen volgende om mee samen te voegen.":
        "The last passage has no next passage to merge with.",
    "Wijziging {id} staat niet in de geschiedenis van ‘{slug}’.": "Change {id} is not in the history of ‘{slug}’.",
    "Wijziging {id} is al teruggedraaid.": "Change {id} was already reverted.",
    "Wijziging {id} kan niet worden teruggedraaid: de passage is daarna opnieuw gewijzigd. Draai eerst de latere "
    "wijziging terug.":
        "Change {id} cannot be reverted: the passage was changed again since. Revert the later change first.",
    "Kies een stuk van minstens een halve seconde binnen de opname (00:00-{duration}).":
        "Choose a stretch of at least half a second inside the recording (00:00-{duration}).",
    "{start}-{end} duurt {n} s; hoogstens {limit} s kan in één keer opnieuw worden uitgeschreven. Kies een korter "
    "stuk.": "{start}-{end} lasts {n} s; at most {limit} s can be transcribed again in one go. Choose a shorter "
             "stretch.",
    "Het model kan ‘{language}’ niet uitschrijven; typ de tekst zelf.":
        "The model cannot transcribe ‘{language}’; type the text yourself.",
    "Dit verhaal heeft nog geen geluid om uit te schrijven (de opname is nog niet omgezet).":
        "This story has no audio to transcribe yet (the recording has not been converted yet).",
    "Het model vond geen woorden in {start}-{end}; er is niets veranderd. Typ de tekst zelf, of probeer een andere "
    "taal.": "The model found no words in {start}-{end}; nothing was changed. Type the text yourself, or try "
             "another language.",
    "Instelling {name}: ‘{value}’ is geen geldige waarde.": "Setting {name}: ‘{value}’ is not a valid value.",
    "{config}: geen geldige TOML ({reason}).": "{config}: not valid TOML ({reason}).",
    "{config}: onbekende instelling ‘{key}’.": "{config}: unknown setting ‘{key}’.",
    "redis_url is ingesteld, maar het pakket redis is niet geïnstalleerd. Vraag de beheerder het te installeren of "
    "redis_url weg te halen.": "redis_url is set, but the redis package is not installed. Ask the administrator "
                               "to install it or to remove redis_url.",
    "Onbekend model ‘{name}’; bekend zijn {bundled} (meegeleverd), {known}.":
        "Unknown model ‘{name}’; known are {bundled} (bundled), {known}.",
    "Dit verzoek kunnen we niet lezen. Laad de pagina opnieuw en probeer het nog eens.":
        "We cannot read this request. Reload the page and try again.",
    "Je hebt geen toegang tot deze pagina.": "You have no access to this page.",
    "Deze pagina kan dat niet. Gebruik de knoppen en formulieren op de site.":
        "This page cannot do that. Use the buttons and forms on the site.",
    "Deze opname staat in de prullenbak als {slug}. Zet het verhaal daar terug in plaats van de opname opnieuw te "
    "uploaden.": "This recording is in the trash as {slug}. Restore the story there instead of uploading the "
                 "recording again.",
    "Open de prullenbak": "Open the trash",
    "‘{slug}’ is al geannuleerd. Met ‘Opnieuw proberen’ op de takenpagina gaat het verder.":
        "‘{slug}’ is cancelled already. ‘Retry’ on the jobs page lets it go on.",
    "‘{slug}’ is al klaar: er loopt of wacht niets meer, dus er is niets te annuleren.":
        "‘{slug}’ is finished: nothing is running or waiting, so there is nothing to cancel.",
    "Bij ‘{slug}’ loopt of wacht niets: er is iets mislukt. Kies ‘Opnieuw proberen’, of verwijder het verhaal.":
        "Nothing is running or waiting for ‘{slug}’: something failed. Choose ‘Retry’, or delete the story.",
    "Bij ‘{slug}’ wordt een afgeschermde passage in het geluid gedempt; dat kan niet worden geannuleerd.":
        "A redacted passage of ‘{slug}’ is being muted in its audio; that cannot be cancelled.",
    "‘{slug}’ was al eerder klaar, dus annuleren verwijdert het niet. Annuleer zonder te verwijderen, of verwijder "
    "het verhaal.": "‘{slug}’ was finished before, so cancelling does not remove it. Cancel without removing, or "
                    "delete the story.",
    "‘{slug}’ wordt nog gestopt na het annuleren; probeer het zo opnieuw.":
        "‘{slug}’ is still being stopped after its cancel; try again in a moment.",
    "Bij ‘{slug}’ is niets mislukt of geannuleerd: opnieuw proberen is niet nodig.":
        "Nothing failed or was cancelled in ‘{slug}’: there is nothing to try again.",
})

# Cancelling a job (web/editor/jobs.py, editor/jobs.html).
MESSAGES.update({
    "{title} staat in de prullenbak; daar is niets te annuleren.": "{title} is in the trash; there is nothing to cancel.",
    "{title} is al geannuleerd. Met “Opnieuw proberen” gaat het verder.":
        "{title} is cancelled already. “Retry” lets it go on.",
    "{title} is al klaar: er loopt of wacht niets meer, dus er is niets te annuleren.":
        "{title} is finished: nothing is running or waiting, so there is nothing to cancel.",
    "Bij {title} is iets mislukt, dus er loopt of wacht niets. Kies “Opnieuw proberen”, of verwijder het verhaal.":
        "Something failed for {title}, so nothing is running or waiting. Choose “Retry”, or delete the story.",
    "Bij {title} wordt een afgeschermde passage in het geluid gedempt; dat kan niet geannuleerd worden. "
    "Het duurt meestal maar even.":
        "A redacted passage of {title} is being muted in its audio; that cannot be cancelled. It usually takes "
        "only a moment.",
    "{title} was al eerder klaar en gaat daarom niet met het annuleren naar de prullenbak. "
    "Verwijderen kan op de pagina van het verhaal.":
        "{title} was finished before, so cancelling does not move it to the trash. You can delete it on the "
        "story's page.",
    "wordt gestopt": "being stopped",
    "geannuleerd": "cancelled",
    "Geannuleerd door {name} op {at}.": "Cancelled by {name} at {at}.",
    "{title} wordt nog gestopt; probeer het zo opnieuw.": "{title} is still being stopped; try again in a moment.",
    "{title} is niet meer geannuleerd; er was niets meer te doen.":
        "{title} is no longer cancelled; there was nothing left to do.",
    "Kies of het verhaal blijft zoals het is of naar de prullenbak gaat.":
        "Choose whether the story stays as it is or goes to the trash.",
    "{title} is geannuleerd en staat in de prullenbak; daar kun je het {days} dagen terugzetten.":
        "{title} is cancelled and in the trash; you can restore it there for {days} days.",
    "{title} wordt gestopt. Wat klaar was blijft klaar; met “Opnieuw proberen” gaat het later verder.":
        "{title} is being stopped. What was done stays done; “Retry” lets it go on later.",
    "{title} is geannuleerd en begint niet. Met “Opnieuw proberen” gaat het alsnog verder.":
        "{title} is cancelled and will not start. “Retry” lets it go on after all.",
    "Verwerking annuleren: {title}": "Cancel processing: {title}",
    "Terug naar de verwerking": "Back to processing",
    "Dit verhaal wordt nu verwerkt (“{stage}”). Annuleren stopt het zo snel mogelijk, meestal binnen enkele "
    "seconden; wat al klaar was, blijft klaar.":
        "This story is being processed now (“{stage}”). Cancelling stops it as soon as possible, usually within "
        "seconds; what was done stays done.",
    "Dit verhaal wacht op verwerking. Na annuleren begint het niet.":
        "This story is waiting to be processed. Once cancelled, it will not start.",
    "Wat gebeurt er met het verhaal?": "What happens to the story?",
    "Het blijft zoals het is: wat klaar is blijft klaar, een eerder transcript blijft staan. Met “Opnieuw "
    "proberen” gaat de verwerking later verder.":
        "It stays as it is: what is done stays done, an earlier transcript stays. “Retry” lets the processing "
        "go on later.",
    "Verwijderen: deze nieuwe upload gaat naar de prullenbak. Daar kun je het nog {days} dagen terugzetten.":
        "Remove: this new upload goes to the trash. You can restore it there for {days} days.",
    "Verwerking annuleren": "Cancel processing",
    "Niet annuleren": "Do not cancel",
    "Annuleren…": "Cancel…",
    # the story's index (verhalen/index_points.py, web/editor/contents.py)
    "De {what} van een punt van de inhoudsopgave heeft hoogstens {limit} tekens ({n} gegeven).":
        "The {what} of an index point has at most {limit} characters ({n} given).",
    "samenvatting": "synopsis",
    "Een trefwoord van een punt van de inhoudsopgave heeft hoogstens {limit} tekens ({n} gegeven).":
        "A keyword of an index point has at most {limit} characters ({n} given).",
    "Een punt van de inhoudsopgave heeft hoogstens {limit} trefwoorden ({n} gegeven).":
        "An index point has at most {limit} keywords ({n} given).",
    "Geef zowel een breedtegraad als een lengtegraad, of geen van beide.":
        "Give both a latitude and a longitude, or neither.",
    "Breedtegraad {value} ligt buiten -90 tot 90.": "Latitude {value} is outside -90 to 90.",
    "Lengtegraad {value} ligt buiten -180 tot 180.": "Longitude {value} is outside -180 to 180.",
    "Punt {id} hoort niet (meer) bij de inhoudsopgave van ‘{slug}’; misschien is het samengevoegd of verwijderd. "
    "Laad de pagina opnieuw.":
        "Point {id} is not (or no longer) part of the index of ‘{slug}’; it may have been merged or deleted. "
        "Reload the page.",
    "De inhoudsopgave van ‘{slug}’ is gewijzigd nadat je de pagina opende. Jouw wijziging is niet bewaard: laad de "
    "pagina opnieuw en probeer het nog eens.":
        "The index of ‘{slug}’ was changed after you opened the page. Your change was not saved: reload the page "
        "and try again.",
    "Kies voor het punt een moment binnen de opname (00:00-{end}).":
        "Choose a moment inside the recording (00:00-{end}) for the point.",
    "Bij {time} staat al een punt in de inhoudsopgave (‘{title}’).": "There is already an index point at {time} (‘{title}’).",
    "Een punt van de inhoudsopgave heeft een titel nodig.": "An index point needs a title.",
    "Het laatste punt van de inhoudsopgave heeft geen volgend punt om mee samen te voegen.":
        "The last index point has no next point to merge with.",
})

# Speakers in the workspace (web/editor/transcript.py, templates/editor/story.html): voices named, merged, swapped.
MESSAGES.update({
    "Spreker {voice}": "Speaker {voice}",
    "De computer hoorde {n} stemmen. Geef elke stem een naam; passages waarvan je de spreker met de hand hebt "
    "gezet, houden die. Je keuze blijft staan als de sprekers opnieuw worden bepaald.":
        "The computer heard {n} voices. Give each voice a name; passages whose speaker you set by hand keep theirs. "
        "Your choice stays when the speakers are worked out again.",
    "Stemmen in dit verhaal": "Voices in this story",
    "Stem": "Voice",
    "Spreektijd": "Talk time",
    "Nieuwe naam": "New name",
    "nog geen naam": "no name yet",
    "door de redactie": "by the editors",
    "geraden": "guessed",
    "Persoon voor {voice}": "Person for {voice}",
    "— kies een persoon —": "— choose a person —",
    "of een andere naam voor {voice}": "or another name for {voice}",
    "Naam voor {voice}": "Name for {voice}",
    "Naam geven aan {voice}": "Name {voice}",
    "Samenvoegen": "Merge",
    "Eén persoon die de computer als twee stemmen hoorde.": "One person the computer heard as two voices.",
    "hoort bij": "belongs to",
    "Stemmen samenvoegen": "Merge voices",
    "Omwisselen": "Swap",
    "Als de computer de interviewer en de verteller heeft verwisseld.":
        "When the computer took the interviewer for the narrator.",
    "De naam van": "The name of",
    "ruilen met": "swap with",
    "Namen omwisselen": "Swap names",
    "spreker met de hand gezet": "speaker set by hand",
    "Terug naar {voice}": "Back to {voice}",
    "naam van een spreker": "speaker's name",
    "sprekers samengevoegd": "speakers merged",
    "sprekers omgewisseld": "speakers swapped",
    "samengevoegd met {voice}": "merged with {voice}",
    "weg": "gone",
    "geen naam": "no name",
    "{n} passages": "{n} passages",
    "De sprekers van dit verhaal zijn intussen gewijzigd{who}. Jouw wijziging is niet bewaard: laad de pagina "
    "opnieuw en probeer het nog eens.":
        "The speakers of this story were changed{who} in the meantime. Your change was not saved: reload the page "
        "and try again.",
    "Kies een spreker.": "Choose a speaker.",
    "Kies een persoon of typ een naam voor {voice}.": "Choose a person or type a name for {voice}.",
    "{voice} heet nu {name}.": "{voice} is now called {name}.",
    "{voice} is samengevoegd met {into}.": "{voice} was merged with {into}.",
    "De namen van {a} en {b} zijn omgewisseld.": "The names of {a} and {b} were swapped.",
    "De passage volgt weer {voice}.": "The passage follows {voice} again.",
    "‘{slug}’ heeft geen spreker {voice}; de sprekers zijn {known}.":
        "‘{slug}’ has no speaker {voice}; its speakers are {known}.",
    "‘{slug}’ heeft nog geen sprekers: die zijn nog niet bepaald.":
        "‘{slug}’ has no speakers yet: they have not been worked out.",
    "Iemand anders heeft de sprekers van ‘{title}’ gewijzigd nadat je de pagina opende. Jouw wijziging is niet "
    "bewaard: laad de pagina opnieuw en probeer het nog eens.":
        "Someone else changed the speakers of ‘{title}’ after you opened the page. Your change was not saved: "
        "reload the page and try again.",
    "Spreker {voice} kan niet met zichzelf worden samengevoegd; kies een andere spreker.":
        "Speaker {voice} cannot be merged with itself; choose another speaker.",
    "Spreker {voice} kan niet met zichzelf worden omgewisseld; kies een andere spreker.":
        "Speaker {voice} cannot be swapped with itself; choose another speaker.",
    "Sprekers {a} en {b} hebben nog geen naam: geef ze een naam in plaats van ze om te wisselen.":
        "Speakers {a} and {b} have no names yet: name them instead of swapping.",
    "Wijziging {id} kan niet worden teruggedraaid: de sprekers zijn daarna opnieuw gewijzigd. Draai eerst de "
    "latere wijziging terug.":
        "Change {id} cannot be undone: the speakers were changed again since. Undo the later change first.",
    "{name}: verwacht werd geluid van 16 kHz, mono, 16 bit.": "{name}: expected 16 kHz mono 16-bit audio.",
    "{name} is geen leesbaar WAV-bestand ({reason}).": "{name} is not a readable WAV file ({reason}).",
    "De gegevens van de stemherkenning ({name}) zijn niet te lezen ({reason}).":
        "The voice recognition's data ({name}) cannot be read ({reason}).",
    "Inhoudsopgave": "Index",
    "Terug naar het verhaal": "Back to the story",
    "De inhoudsopgave deelt het verhaal in stukken, elk met een begintijd, een titel, een korte samenvatting, "
    "trefwoorden en eventueel een plaats. Luisteraars springen ermee door het verhaal; podcast-apps tonen de punten "
    "als hoofdstukken. Een voorstel van de computer wordt vervangen als het verhaal opnieuw wordt verwerkt; een punt "
    "dat je wijzigt, blijft.":
        "The index divides the story into parts, each with a start time, a title, a short synopsis, keywords and "
        "optionally a place. Listeners jump through the story with it; podcast apps show the points as chapters. "
        "A computer's proposal is replaced when the story is processed again; a point you change stays.",
    "Punt verwijderen?": "Delete this point?",
    "Het punt bij {time}, ‘{title}’, verdwijnt uit de inhoudsopgave (en uit de hoofdstukken voor podcast-apps). "
    "Het stuk hoort daarna bij het punt ervoor.":
        "The point at {time}, ‘{title}’, leaves the index (and the chapters for podcast apps). Its part then "
        "belongs to the point before it.",
    "Ja, verwijderen": "Yes, delete",
    "Punten": "Points",
    "Dit verhaal heeft nog geen inhoudsopgave.": "This story has no index yet.",
    "Wijzigen": "Change",
    "Trefwoorden (gescheiden door komma's)": "Keywords (separated by commas)",
    "Breedtegraad": "Latitude",
    "Lengtegraad": "Longitude",
    "Begint bij": "Starts at",
    "Verplaatsen": "Move",
    "Samenvoegen met het volgende punt": "Merge with the next point",
    "Verwijderen…": "Delete…",
    "Punt toevoegen": "Add a point",
    "Begint bij (zoals 01:23)": "Starts at (like 01:23)",
    "Voorstel van de computer": "The computer's proposal",
    "De opname had zelf hoofdstukken; die gaan voor, dus de computer stelt geen inhoudsopgave voor.":
        "The recording had chapters of its own; they come first, so the computer proposes no index.",
    "De computer zoekt waar het gesprek op een ander onderwerp overgaat en neemt titel, trefwoorden en samenvatting "
    "uit de transcriptie. Een nieuw voorstel vervangt de punten met ‘voorstel’; punten van de redactie blijven.":
        "The computer looks for where the conversation turns to another subject and takes title, keywords and "
        "synopsis from the transcript. A new proposal replaces the points marked ‘proposal’; editors' points stay.",
    "Opnieuw voorstellen": "Propose again",
    "De inhoudsopgave is intussen gewijzigd{who}. Jouw wijziging is niet bewaard: laad de pagina opnieuw en breng "
    "je wijziging nog eens aan.":
        "The index was changed in the meantime{who}. Your change was not saved: reload the page and make your "
        "change again.",
    "voorstel": "proposal",
    "uit het bestand": "from the file",
    "redactie": "editors",
    "toegevoegd": "added",
    "gewijzigd": "changed",
    "verplaatst": "moved",
    "verwijderd": "deleted",
    "nieuw voorstel": "new proposal",
    "Punt toegevoegd bij {time}.": "Point added at {time}.",
    "Het punt begint nu bij {time}.": "The point now starts at {time}.",
    "Samengevoegd met het volgende punt.": "Merged with the next point.",
    "Het punt is verwijderd.": "The point was deleted.",
    "Nieuw voorstel: {n} punten. Punten van de redactie zijn gebleven.":
        "New proposal: {n} points. Editors' points stayed.",
    "Geef de breedte- en lengtegraad als getallen, zoals 51.9225 en 4.47917.":
        "Give the latitude and longitude as numbers, like 51.9225 and 4.47917.",
})

# The story page as an interview reader (web/templates/story.html, web/story_search.py, web/transcript_html.py).
MESSAGES.update({
    "Naar de speler": "Skip to the player",
    "Bediening van de speler": "Player controls",
    "15 seconden terug": "Back 15 seconds",
    "15 seconden vooruit": "Forward 15 seconds",
    "Afspeelsnelheid": "Playback speed",
    "Vorig deel": "Previous part",
    "Volgend deel": "Next part",
    "Deel": "Part",
    "Afspelen vanaf {time}": "Play from {time}",
    "Samenvatting": "Summary",
    "Zoeken in dit verhaal": "Search this story",
    "Woorden, of “een woordgroep” tussen aanhalingstekens": "Words, or “a phrase” in quotes",
    "Een passage met al deze woorden is een treffer; andere vormen tellen mee (koren vindt koor).":
        "A passage with all these words is a hit; other forms of a word count too (in Dutch, koren finds koor).",
    "{i} van {n}": "{i} of {n}",
    "Niets gevonden in dit verhaal voor {q}.": "Nothing found in this story for {q}.",
    "1 passage gevonden": "1 passage found",
    "{n} passages gevonden": "{n} passages found",
    "(de eerste {n} staan hieronder)": "(the first {n} are listed below)",
    "Vorige treffer": "Previous hit",
    "Volgende treffer": "Next hit",
    "Zoeken wissen (Esc)": "Clear the search (Esc)",
    "Wissen": "Clear",
    "De zoekvraag is te lang: hoogstens {n} tekens.": "The search is too long: at most {n} characters.",
    "Zoek op hoogstens {n} woorden of woordgroepen tegelijk.": "Search for at most {n} words or phrases at a time.",
    "Typ een of meer woorden om in dit verhaal te zoeken.": "Type one or more words to search this story.",
    "Treffers in dit verhaal": "Hits in this story",
    "Meer voor dit verhaal": "More for this story",
})


# The OHMS download on the story page (web/files.py ohms_xml).
MESSAGES.update({
    "Metadata, transcript en inhoudsopgave voor een OHMS-viewer":
        "Metadata, transcript and table of contents for an OHMS viewer",
})


# Podcast directories and the embeddable player (web/feeds.py, web/embed.py).
MESSAGES.update({
    "Nieuwe verhalen als podcastfeed (RSS)": "New stories as a podcast feed (RSS)",
    "Nieuwe verhalen": "New stories",
    "Insluiten": "Embed",
    "Zet deze code op je eigen website om het verhaal daar te laten horen:":
        "Put this code on your own website to play the story there:",
    "opent in een nieuw tabblad": "opens in a new tab",
    "Verteld door {names}": "Told by {names}",
    "Het hele verhaal, met de tekst erbij": "The whole story, with its transcript",
    'Onbekende licentie ‘{text}’: kies een van {codes} of het adres ervan bij creativecommons.org of rightsstatements.org.': 'Unknown licence ‘{text}’: choose one of {codes} or its creativecommons.org / rightsstatements.org address.',
    '{name} is {size} MB; een OHMS-bestand is hoogstens {limit} MiB.': '{name} is {size} MB; an OHMS file is at most {limit} MiB.',
    '{name} is geen geldige XML ({reason}); is het wel een OHMS-export?': '{name} is not well-formed XML ({reason}); is it an OHMS export?',
    "{name} heeft een DOCTYPE; OHMS-bestanden hebben dat niet, en verhalen leest geen entiteiten of DTD's (daar kan een XML-bom in zitten).": '{name} has a DOCTYPE; OHMS files have none, and verhalen reads no entities or DTDs (they can hide an XML bomb).',
    '{name} is geen OHMS-bestand: het begint met <{root}>, niet met <ROOT> en een <record>.': '{name} is not an OHMS file: it starts with <{root}>, not <ROOT> with a <record>.',
    '{name} heeft geen <record>: het is geen OHMS-export.': '{name} has no <record>: it is not an OHMS export.',
    '{name} bevat {count} records; verhalen leest één interview per bestand.': '{name} holds {count} records; verhalen reads one interview per file.',
    '{name}: het OHMS-record heeft geen <title>.': '{name}: the OHMS record has no <title>.',
    '{name}: kan het niet lezen ({reason}).': '{name}: cannot read it ({reason}).',
    '{name}: bestand niet gevonden (--audio).': '{name}: file not found (--audio).',
    '{name} komt zonder opname{said}: geef die mee met --audio BESTAND.': '{name} comes without its recording{said}: give it with --audio FILE.',
    '--slug ‘{slug}’: gebruik kleine letters, cijfers en streepjes (bijvoorbeeld ‘{example}’).': '--slug ‘{slug}’: use lower-case letters, digits and hyphens (e.g. ‘{example}’).',
    '--slug ‘{slug}’ is al van een ander verhaal; kies een andere.': '--slug ‘{slug}’ is taken by another story; choose another one.',
    '{name}: een passage heeft {length} tekens; er passen er hoogstens {limit} in één (max_segment_chars).': '{name}: a passage has {length} characters; at most {limit} fit in one (max_segment_chars).',
    '{name} of de opname ervan wordt al door een ander proces ingelezen.': '{name} or its recording is already being imported by another process.',
    'Instelling {name}: ‘{value}’ is geen licentie; kies een van {codes} of het adres ervan.': "Setting {name}: ‘{value}’ is not a licence; choose one of {codes} or its address.",
})
