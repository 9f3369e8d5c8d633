"""Words for panels (Kontakt: "Invitér et panel") and goals for the term (Mål), Danish and English.

Merged into data_pipeline.core.i18n.TEXT at import; never imports anything from the app.
"""

from __future__ import annotations

PANEL_TEXT: dict[str, tuple[str, str]] = {
    "nav.goals": ("Mål", "Goals"),
    "goals.title": ("Mål for valgperioden", "Goals for the term"),
}

PANEL_TEXT.update(
    {
        "panel.unknown.age_band": ("borgere uden oplyst alder", "citizens of unknown age"),
        "panel.unknown.gender": ("borgere uden oplyst køn", "citizens of unstated gender"),
        "panel.unknown.area": ("borgere uden kendt område", "citizens of unknown area"),
        "panel.group_area": ("borgere i {area}", "citizens in {area}"),
        "panel.in_areas": (" i {areas}", " in {areas}"),
        "panel.shortfall": (
            "Der er kun {count} samtykkende {group}{where}, der interesserer sig for {topic}; "
            "kvoten kræver mindst {needed}.",
            "There are only {count} consenting {group}{where} interested in {topic}; the quota "
            "needs at least {needed}.",
        ),
        "panel.hint": (
            "I alt svarede {answered} fra gruppen; de foretrækker {formats}. Nå dem ad de veje.",
            "{answered} of the group answered at all; they prefer {formats}. Reach them that way.",
        ),
        "panel.hint_few": (
            "Færre end {k} fra gruppen svarede overhovedet; nå dem ad andre veje end "
            "undersøgelsen.",
            "Fewer than {k} of the group answered at all; reach them by other means than the "
            "survey.",
        ),
        "panel.pool_too_small": (
            "Der er kun {pool} samtykkende borgere at trække fra, men panelet skal have {size}.",
            "There are only {pool} consenting citizens to draw from, but the panel needs {size}.",
        ),
        "panel.relax_hint": (
            "Vælg hvilken kvote der skal løsnes ({features}), eller gør panelet mindre.",
            "Choose which quota to loosen ({features}), or make the panel smaller.",
        ),
        "panel.recent_set_aside": (
            "{n} borgere, der blev inviteret inden for de sidste {days} dage, er sat til side.",
            "{n} citizens invited within the last {days} days are set aside.",
        ),
        "panel.recent_kept": (
            "{n} borgere blev inviteret inden for de sidste {days} dage, men er med igen: uden "
            "dem kan kvoterne ikke opfyldes.",
            "{n} citizens were invited within the last {days} days but are included again: "
            "without them the quotas cannot be met.",
        ),
        "panel.reserve_random": (
            "Lodtrækningen gav ikke reserver nok; de sidste på reservelisten er trukket "
            "tilfældigt blandt resten af gruppen.",
            "The lottery gave too few reserves; the last on the reserve list are drawn at "
            "random from the rest of the pool.",
        ),
        "panel.col_place": ("panel", "panel"),
        "panel.col_invited": ("inviteret", "invited"),
        "panel.col_reserve": ("reserve {rank}", "reserve {rank}"),
    }
)

PANEL_TEXT.update(
    {
        "panel.title": ("Invitér et panel", "Invite a panel"),
        "panel.lead": (
            "Træk et panel blandt de borgere, der har givet samtykke til kontakt og valgt emnet, "
            "så det ligner kommunens befolkning på alder, køn og område – ikke dem, der plejer at "
            "svare. Kvoterne er befolkningens andele af pladserne ± {tolerance} % (mindst ± 1 "
            "plads). Lodtrækningen (maximin, Flanigan m.fl. 2021) giver hver borger i gruppen så "
            "stor en chance som kvoterne tillader. Borgere inviteret inden for {days} dage "
            "sættes til side, når gruppen kan undvære dem.",
            "Draw a panel among the citizens who consented to contact and chose the topic, so "
            "that it looks like the municipality's population by age, gender and area – not "
            "like those who usually answer. Quotas are the population's share of the seats "
            "± {tolerance} % (at least ± 1 seat). The lottery (maximin, Flanigan et al. 2021) "
            "gives every citizen in the pool as large a chance as the quotas allow. Citizens "
            "invited within {days} days are set aside when the pool can do without them.",
        ),
        "panel.topic": ("Dialogens emne", "The dialogue's topic"),
        "panel.size": ("Antal invitationer", "Invitations"),
        "panel.reserve": ("Reserver", "Reserves"),
        "panel.seed": ("Frø (0 = tilfældigt)", "Seed (0 = random)"),
        "panel.seed_help": (
            "Samme frø og samme gruppe giver samme panel, så lodtrækningen kan efterprøves.",
            "The same seed and pool give the same panel, so the lottery can be checked.",
        ),
        "panel.areas": ("Områder (valgfrit)", "Areas (optional)"),
        "panel.relax": ("Løsn kvote", "Loosen quota"),
        "panel.relax_none": ("Ingen – kvoterne gælder fuldt ud", "None – quotas hold in full"),
        "panel.relax_help": (
            "Kun når gruppen ikke kan fylde en kvote: minimum sænkes til det, gruppen har, og "
            "de øvrige pladser i samme kvote fordeles på resten.",
            "Only when the pool cannot fill a quota: the minimum drops to what the pool holds "
            "and the freed seats go to the rest of that quota.",
        ),
        "panel.feature.age_band": ("Alder", "Age"),
        "panel.feature.gender": ("Køn", "Gender"),
        "panel.feature.area": ("Område", "Area"),
        "panel.draw": ("Træk panelet", "Draw the panel"),
        "panel.cannot": (
            "Gruppen kan ikke fylde kvoterne, så der er ikke trukket noget panel:",
            "The pool cannot fill the quotas, so no panel was drawn:",
        ),
        "panel.solving": (
            "Beregner de retfærdige chancer for {pool} borgere – det kan tage et par minutter …",
            "Computing fair chances for {pool} citizens – this can take a few minutes …",
        ),
        "panel.drawn": (
            "Trukket: {size} invitationer blandt {pool} samtykkende borgere (frø {seed}).",
            "Drawn: {size} invitations among {pool} consenting citizens (seed {seed}).",
        ),
        "panel.m.invited": ("Inviteres", "Invited"),
        "panel.m.reserve": ("Reserver", "Reserves"),
        "panel.m.pool": ("Borgere at trække fra", "Citizens in the pool"),
        "panel.m.seed": ("Frø", "Seed"),
        "panel.probabilities": (
            "Chancen for at blive trukket: mindst {low}, typisk (median) {median}, højst {high}.",
            "Chance of being drawn: lowest {low}, typical (median) {median}, highest {high}.",
        ),
        "panel.comparison": (
            "De inviterede mod befolkningen og gruppen",
            "The invited against the population and the pool",
        ),
        "panel.col.feature": ("Kvote", "Quota"),
        "panel.col.value": ("Gruppe", "Group"),
        "panel.col.population": ("Andel af befolkningen", "Share of population"),
        "panel.col.quota": ("Pladser (min–maks)", "Seats (min–max)"),
        "panel.col.pool": ("I gruppen", "In the pool"),
        "panel.col.invited": ("Inviteret", "Invited"),
        "panel.col.relaxed": ("Løsnet", "Loosened"),
        "panel.yes": ("ja", "yes"),
        "panel.unknown": ("Ukendt", "Unknown"),
        "panel.age_value": ("{band} år", "{band} years"),
        "panel.reserve_order": (
            "Reservelisten i rækkefølge (respondent-id, som i filen): {ids}.",
            "The reserve list in order (respondent id, as in the file): {ids}.",
        ),
        "panel.export": ("Hent kontaktlisten for panelet", "Get the panel's contact list"),
        "panel.export_unavailable": (
            "Kontaktlisten kan ikke hentes her endnu; kontakt en administrator.",
            "The contact list cannot be fetched here yet; contact an administrator.",
        ),
    }
)

PANEL_TEXT.update(
    {
        "goals.lead": (
            "Direktionens mål for valgperioden: hvor stor en andel af deltagerne en gruppe skal "
            "udgøre, målt mod dens andel af befolkningen (1 = som kommunen i alt). Status "
            "følger seneste undersøgelse med 95 %-interval: på vej, når hele intervallet ligger "
            "på eller over målet; bagud, når hele intervallet ligger under; ellers kan det "
            "ikke afgøres endnu.",
            "The directors' goals for the term: how large a share of the participants a group "
            "should make up, against its share of the population (1 = as the municipality). "
            "Status follows the latest survey with a 95 % interval: on track when the whole "
            "interval lies at or above the target; behind when it lies wholly below; otherwise "
            "not enough data to tell.",
        ),
        "goals.group_area": ("svarprocenten i {area}", "the response rate in {area}"),
        "goals.sentence": (
            "{group} skal udgøre mindst {target} af deres andel blandt deltagerne inden {year}.",
            "{group} should make up at least {target} of their share among participants by {year}.",
        ),
        "goals.sentence_area": (
            "{group} skal op på mindst {target} af kommunens niveau inden {year}.",
            "{group} should reach at least {target} of the municipality's level by {year}.",
        ),
        "goals.sentence_area_level": (
            "{group} skal op på kommunens niveau inden {year}.",
            "{group} should reach the municipality's level by {year}.",
        ),
        "goals.status.on_track": ("på vej", "on track"),
        "goals.status.behind": ("bagud", "behind"),
        "goals.status.unknown": (
            "for lidt data til at afgøre",
            "not enough data to tell",
        ),
        "goals.line": (
            "{goal} Status: {status} ({ratio}; 95 %: {low}–{high}, bølge {wave}).",
            "{goal} Status: {status} ({ratio}; 95 %: {low}–{high}, wave {wave}).",
        ),
        "goals.line_empty": ("{goal} Status: {status}.", "{goal} Status: {status}."),
        "goals.none": (
            "Der er ingen mål endnu. Sæt det første herunder.",
            "There are no goals yet. Set the first one below.",
        ),
        "goals.progress": ("Udvikling over bølgerne", "Progress over the waves"),
        "goals.new": ("Sæt et nyt mål", "Set a new goal"),
        "goals.change": (
            "Ret et mål (den gamle version gemmes)",
            "Change a goal (the old version is kept)",
        ),
        "goals.which": ("Mål", "Goal"),
        "goals.new_goal": ("Nyt mål", "New goal"),
        "goals.dimension": ("Gruppe efter", "Group by"),
        "goals.group": ("Gruppe", "Group"),
        "goals.target": ("Mindst (1 = som kommunen)", "At least (1 = as the municipality)"),
        "goals.year": ("Inden år", "By year"),
        "goals.note": ("Note (valgfri)", "Note (optional)"),
        "goals.save": ("Gem målet", "Save the goal"),
        "goals.saved": (
            "Målet er gemt (version {version}).",
            "The goal is saved (version {version}).",
        ),
        "goals.history": ("Historik", "History"),
        "goals.col.version": ("Version", "Version"),
        "goals.col.set_at": ("Sat", "Set"),
        "goals.col.set_by": ("Af", "By"),
        "goals.col.goal": ("Mål", "Goal"),
        "goals.col.wave": ("Bølge", "Wave"),
        "goals.col.ratio": ("Forhold", "Ratio"),
        "goals.col.interval": ("95 %-interval", "95 % interval"),
        "goals.col.status": ("Status", "Status"),
        "goals.overview": ("Mål for valgperioden", "Goals for the term"),
        "goals.retired": ("(ikke længere fulgt)", "(no longer followed)"),
    }
)

PANEL_TEXT.update(
    {
        "goals.report_title": ("Status på målene", "Status of the goals"),
        "goals.figures": (
            "forhold {ratio}, 95 %-interval {low}–{high}, bølge {wave}",
            "ratio {ratio}, 95 % interval {low}–{high}, wave {wave}",
        ),
        "goals.sheet": ("Mål", "Goals"),
        "goals.col.low": ("Interval fra", "Interval from"),
        "goals.col.high": ("Interval til", "Interval to"),
        "goals.col.set": ("Sat af", "Set by"),
    }
)

# A loop that closes: who was invited to a dialogue and who took part, in the citizens' summary
# (suppressed aggregates).
PANEL_TEXT.update(
    {
        "public.dialogue.title": (
            "Hvem vi inviterede til dialogen om {topic}, og hvem der kom",
            "Whom we invited to the dialogue on {topic}, and who came",
        ),
        "public.dialogue.lead": (
            "Til en borgerdialog trækker kommunen lod blandt borgere, der har sagt ja til at "
            "blive kontaktet, så de inviterede ligner hele kommunen på alder, køn og område – "
            "ikke kun dem, der plejer at deltage.",
            "For a citizens' dialogue the municipality draws lots among citizens who agreed to "
            "be contacted, so that those invited look like the whole municipality in age, "
            "gender and area – not only those who usually take part.",
        ),
        "public.dialogue.text": (
            "Til dialogen om {topic}{where} inviterede kommunen {invited} borgere; {took_part} "
            "af dem deltog. Tabellen viser, hvordan de inviterede og deltagerne fordeler sig, "
            "ved siden af befolkningens fordeling.",
            "For the dialogue on {topic}{where} the municipality invited {invited} citizens; "
            "{took_part} of them took part. The table shows how those invited and those who "
            "took part are spread, next to the population.",
        ),
        "public.dialogue.note": (
            "Inviterede: de udtrukne og de reserver, der blev inviteret og kom. Færre end {k} "
            "personer vises som «<{k}», og et tal skjules også, når det sammen med totalen ville "
            "afsløre en lille gruppe.",
            "Invited: those drawn and the reserves who were invited and came. Fewer than {k} "
            "people show as '<{k}', and a number is also hidden when, with the total, it would "
            "reveal a small group.",
        ),
        "public.dialogue.sheet": ("Dialog {n}", "Dialogue {n}"),
        "public.dialogue.col.group": ("Gruppe", "Group"),
        "public.dialogue.col.population": ("Andel af befolkningen", "Share of the population"),
        "public.dialogue.col.invited": ("Inviteret", "Invited"),
        "public.dialogue.col.invited_share": ("Andel af de inviterede", "Share of those invited"),
        "public.dialogue.col.took_part": ("Deltog", "Took part"),
        "public.dialogue.col.took_part_share": ("Andel af deltagerne", "Share of participants"),
    }
)

# Goals over the participation platforms (channel "platforms").
PANEL_TEXT.update(
    {
        "goals.channel": ("Målt på", "Measured on"),
        "goals.channel.survey": ("Borgerundersøgelsen", "The citizens' survey"),
        "goals.channel.platforms": (
            "Deltagerne på platformene (Go Vocal, Decidim)",
            "Participants on the platforms (Go Vocal, Decidim)",
        ),
        "goals.sentence_platform": (
            "{group} skal udgøre mindst {target} af deres andel blandt deltagerne i "
            "borgerdialoger på platformene inden {year}.",
            "{group} should make up at least {target} of their share among participants in "
            "citizens' dialogues on the platforms by {year}.",
        ),
    }
)
