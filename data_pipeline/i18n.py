"""The one translation table: every visible string, in Danish (default) and English.

Pages, reports and sentences take their words from here through `t(key, lang, **values)`.
Numbers are formatted the Danish way in Danish (1.450 and 0,21).
"""

from __future__ import annotations

import math

LANGS = ("da", "en")

TEXT: dict[str, tuple[str, str]] = {
    # app frame
    "app.title": ("Deltagelsesatlas", "Participation Atlas"),
    "app.tagline": (
        "Hvem vil deltage i lokaldemokratiet – i hvad, hvordan – og hvem mangler vi?",
        "Who wants to take part in local democracy – in what, how – and who is missing?",
    ),
    "app.building": (
        "Bygger databasen fra eksempelkommunen (Fjordlund Kommune) – det tager et øjeblik …",
        "Building the database from the sample municipality (Fjordlund Kommune) …",
    ),
    "app.language": ("Sprog", "Language"),
    "app.no_data": (
        "Der er ingen besvarelser i databasen endnu. Indlæs en spørgeskemafil (se README).",
        "There are no responses in the database yet. Load a survey file (see README).",
    ),
    "nav.overview": ("Overblik", "Overview"),
    "nav.explore": ("Udforsk", "Explore"),
    "nav.map": ("Kort", "Map"),
    "nav.groups": ("Grupper", "Groups"),
    # filters
    "filter.heading": ("Filtre", "Filters"),
    "filter.wave": ("Undersøgelse (bølge)", "Survey wave"),
    "filter.age_band": ("Alder", "Age"),
    "filter.gender": ("Køn", "Gender"),
    "filter.area": ("Lokalområde", "Area"),
    "filter.topic": ("Emner", "Topics"),
    "filter.format": ("Formater", "Formats"),
    "filter.time": ("Tid pr. måned", "Time per month"),
    "filter.engagement": ("Engagement", "Engagement"),
    "filter.all": ("Alle", "All"),
    "filter.reset": ("Nulstil filtre", "Reset filters"),
    "filter.ignored": (
        "Linket indeholdt ukendte værdier, som er sprunget over: {values}",
        "The link held unknown values, which were ignored: {values}",
    ),
    "filter.active": ("Aktive filtre: {text}", "Active filters: {text}"),
    "filter.none": ("Ingen filtre – hele kommunen", "No filters – the whole municipality"),
    "filter.empty": (
        "Ingen besvarelser passer til de valgte filtre. Prøv at fjerne et filter.",
        "No responses match the chosen filters. Try removing a filter.",
    ),
    "filter.share_link": (
        "Linket i adresselinjen viser præcis denne visning – kopiér det for at dele.",
        "The link in the address bar shows exactly this view – copy it to share.",
    ),
    # genders and dimensions
    "gender.kvinde": ("Kvinder", "Women"),
    "gender.mand": ("Mænd", "Men"),
    "gender.andet": ("Andet", "Other"),
    "gender.uoplyst": ("Uoplyst", "Not stated"),
    "dim.age_band": ("Alder", "Age"),
    "dim.gender": ("Køn", "Gender"),
    "dim.area": ("Lokalområde", "Area"),
    "dim.topic": ("Emne", "Topic"),
    "dim.format": ("Format", "Format"),
    "dim.time": ("Tid pr. måned", "Time per month"),
    "dim.engagement": ("Engagement", "Engagement"),
    "dim.interest": ("Interesse", "Interest"),
    "dim.wave": ("Bølge", "Wave"),
    "unknown": ("Ukendt", "Unknown"),
    # overview
    "overview.title": ("Overblik", "Overview"),
    "overview.lead": (
        "Hvor mange har svaret, hvor godt afspejler de borgerne, og hvad vil de deltage i?",
        "How many answered, how well do they reflect the citizens, and what do they want?",
    ),
    "metric.respondents": ("Besvarelser", "Responses"),
    "metric.rate": ("Svarprocent", "Response rate"),
    "metric.rate_help": (
        "Besvarelser delt med antal borgere på 15 år og derover i samme gruppe.",
        "Responses divided by the number of citizens aged 15+ in the same group.",
    ),
    "metric.change": ("Ændring siden {wave}", "Change since {wave}"),
    "metric.previous": ("Besvarelser i {wave}", "Responses in {wave}"),
    "metric.minmax": ("Laveste/højeste svarprocent", "Lowest/highest rate"),
    "metric.minmax_help": (
        "Laveste gruppes svarprocent delt med højeste (alder × køn × område). 1 = alle lige. "
        "Det tal, Go Vocal kalder repræsentativitet.",
        "Lowest group rate divided by the highest (age × gender × area). 1 = equal. "
        "Go Vocal's representativeness score.",
    ),
    "metric.overlap": ("Overlap med befolkningen", "Overlap with the population"),
    "metric.overlap_help": (
        "Hvor stor en del af svarene der fordeler sig som befolkningen. 100 % = perfekt.",
        "How much of the responses are distributed like the population. 100% = perfect.",
    ),
    "metric.r_indicator": ("R-indikator", "R-indicator"),
    "metric.r_indicator_help": (
        "1 minus to gange spredningen i svarprocenter mellem grupper. 1 = alle grupper svarer lige meget.",
        "1 minus twice the spread of response rates between groups. 1 = all groups answer equally.",
    ),
    "overview.gaps": ("De fem største huller", "The five largest gaps"),
    "overview.gaps_lead": (
        "Grupper, hvor der mangler flest stemmer i forhold til deres andel af befolkningen.",
        "Groups missing the most voices relative to their share of the population.",
    ),
    "overview.no_gaps": (
        "Ingen tydelige huller for dette udsnit.",
        "No clear gaps for this selection.",
    ),
    "overview.by_band": (
        "Svar og befolkning efter alder og køn",
        "Responses and population by age and gender",
    ),
    "overview.by_band_lead": (
        "Andel af besvarelserne og andel af borgerne (15+) i hver gruppe. Hvor søjlerne er lige "
        "høje, er gruppen repræsenteret som i befolkningen.",
        "Share of responses and share of citizens (15+) in each group. Equal bars mean the "
        "group is represented as in the population.",
    ),
    "overview.topics": ("Emner", "Topics"),
    "overview.formats": ("Formater", "Formats"),
    "overview.times": ("Tid pr. måned", "Time per month"),
    "overview.ranked_lead": (
        "Andel af besvarelserne, der har valgt hver mulighed (flere svar muligt for emner og formater).",
        "Share of responses choosing each option (several answers possible for topics and formats).",
    ),
    "overview.no_population": (
        "Der er ingen befolkningstal for denne bølge, så svarprocent og repræsentation kan ikke "
        "beregnes. Indlæs en befolkningstabel fra Danmarks Statistik: "
        "`python -m data_pipeline ingest FIL.csv --kind population`.",
        "There are no population figures for this wave, so response rates and representation "
        "cannot be computed. Load a Statistics Denmark table: "
        "`python -m data_pipeline ingest FILE.csv --kind population`.",
    ),
    "col.share_respondents": ("Andel af svar", "Share of responses"),
    "col.share_population": ("Andel af borgere", "Share of citizens"),
    "col.respondents": ("Besvarelser", "Responses"),
    "col.population": ("Borgere (15+)", "Citizens (15+)"),
    "col.share": ("Andel", "Share"),
    "col.option": ("Svarmulighed", "Option"),
    "col.weighted_share": ("Vægtet andel", "Weighted share"),
    "col.group": ("Gruppe", "Group"),
    "col.rate": ("Svarprocent", "Response rate"),
    "col.ratio": ("Repræsentation", "Representation"),
    "col.ci": ("95 %-interval", "95% interval"),
    "col.missing": ("Manglende stemmer", "Missing voices"),
    "col.status": ("Vurdering", "Assessment"),
    "series.respondents": ("Besvarelser", "Responses"),
    "series.population": ("Befolkning", "Population"),
    "status.under": ("Underrepræsenteret", "Under-represented"),
    "status.over": ("Overrepræsenteret", "Over-represented"),
    "status.uncertain": ("For få til at sige", "Too few to tell"),
    "status.fine": ("Som befolkningen", "Like the population"),
    # explore
    "explore.title": ("Udforsk", "Explore"),
    "explore.lead": (
        "Kryds to spørgsmål, fx alder og formater, og se antal eller andele.",
        "Cross two questions, for example age and formats, and see counts or shares.",
    ),
    "explore.rows": ("Rækker", "Rows"),
    "explore.cols": ("Kolonner", "Columns"),
    "explore.measure": ("Vis", "Show"),
    "explore.count": ("Antal", "Counts"),
    "explore.row_pct": ("Rækkeprocent", "Row %"),
    "explore.col_pct": ("Kolonneprocent", "Column %"),
    "explore.weighted": ("Vægtet til befolkningen", "Weighted to the population"),
    "explore.weighted_help": (
        "Vægter svarene, så alder, køn og lokalområde fordeler sig som i befolkningen.",
        "Weights the responses so age, gender and area match the population.",
    ),
    "explore.chart": ("Diagram", "Chart"),
    "explore.heatmap": ("Varmekort", "Heat map"),
    "explore.bars": ("Grupperede søjler", "Grouped bars"),
    "explore.same_dim": ("Vælg to forskellige spørgsmål.", "Choose two different questions."),
    "explore.download_csv": ("Hent CSV", "Download CSV"),
    "explore.download_xlsx": ("Hent Excel", "Download Excel"),
    "explore.suppressed_note": (
        'Celler med færre end {k} svar vises som "<{k}" for at beskytte den enkelte.',
        'Cells with fewer than {k} responses show as "<{k}" to protect individuals.',
    ),
    # map
    "map.title": ("Kort", "Map"),
    "map.lead": (
        "Hvor i kommunen deltager borgerne – og hvor mangler vi stemmer?",
        "Where in the municipality do citizens take part – and where are voices missing?",
    ),
    "map.measure": ("Vis på kortet", "Show on the map"),
    "map.rate": ("Svarprocent", "Response rate"),
    "map.ratio": ("Repræsentation af en gruppe", "Representation of a group"),
    "map.topic": ("Interesse for et emne", "Interest in a topic"),
    "map.format": ("Ønske om et format", "Preference for a format"),
    "map.group_age": ("Gruppens alder", "The group's age"),
    "map.group_gender": ("Gruppens køn", "The group's gender"),
    "map.choose_topic": ("Emne", "Topic"),
    "map.choose_format": ("Format", "Format"),
    "map.ratio_note": (
        "1,0 = gruppen svarer som kommunen i alt. Under 1 = færre svar end forventet.",
        "1.0 = the group answers like the municipality overall. Below 1 = fewer than expected.",
    ),
    "map.suppressed": ("Skjult (for få svar)", "Hidden (too few responses)"),
    "map.download_png": ("Hent kortet som PNG", "Download the map as PNG"),
    "map.table": ("Tallene bag kortet", "The figures behind the map"),
    "map.no_areas": (
        "Der er ingen områdegrænser i databasen. Indlæs dem: "
        "`python -m data_pipeline ingest grænser.geojson --kind areas`.",
        "There are no area boundaries in the database. Load them: "
        "`python -m data_pipeline ingest boundaries.geojson --kind areas`.",
    ),
    "tooltip.area": ("Område", "Area"),
    "tooltip.value": ("Værdi", "Value"),
    "tooltip.n": ("Svar", "Responses"),
    "tooltip.population": ("Borgere", "Citizens"),
    # groups
    "groups.title": ("Grupper", "Groups"),
    "groups.lead": (
        "Hvilke grupper er med – og hvilke mangler? Svarprocenten i hver gruppe sammenlignet "
        "med kommunen i alt.",
        "Which groups take part – and which are missing? Each group's response rate against "
        "the municipality overall.",
    ),
    "groups.by": ("Opdel efter", "Split by"),
    "groups.how_to_read": ("Sådan læser du tallene", "How to read the figures"),
    "groups.how_to_read_text": (
        "**Repræsentation** er gruppens svarprocent delt med kommunens. 1,0 betyder, at gruppen "
        "svarer som alle andre; 0,5 betyder halvt så ofte. **95 %-intervallet** viser, hvor "
        "sikkert tallet er: små grupper har brede intervaller. En gruppe kaldes "
        "underrepræsenteret, når hele intervallet ligger under 0,8. **Manglende stemmer** er, "
        "hvor mange flere svar gruppen skulle have givet for at fylde sin andel af befolkningen.",
        "**Representation** is the group's response rate divided by the municipality's. 1.0 "
        "means the group answers like everyone else; 0.5 means half as often. The **95% "
        "interval** shows how certain the figure is: small groups have wide intervals. A group "
        "is under-represented when the whole interval lies below 0.8. **Missing voices** is how "
        "many more responses the group would need to fill its share of the population.",
    ),
    "groups.chart_title": ("Repræsentation med 95 %-interval", "Representation with 95% interval"),
    "groups.findings": (
        "Største huller på tværs af alder, køn og område",
        "Largest gaps across age, gender and area",
    ),
    "groups.scores": ("Samlede mål", "Overall scores"),
    "groups.segments": ("Interessesegmenter", "Interest segments"),
    "groups.segments_lead": (
        "Grupper af borgere med lignende interesser, fundet automatisk (k-means).",
        "Groups of citizens with similar interests, found automatically (k-means).",
    ),
    "groups.segments_cached": (
        "Segmenterne beregnes for bølgen og genbruges, når du ændrer andre filtre.",
        "Segments are computed per wave and reused when you change other filters.",
    ),
    "groups.over_note": (
        "Segmentet består mest af overrepræsenterede grupper, så dets interesser fylder for "
        "meget i de uvægtede tal.",
        "The segment consists mostly of over-represented groups, so its interests weigh too "
        "much in unweighted figures.",
    ),
    "groups.area_clusters": ("Områder med lignende huller", "Areas with similar gaps"),
    "groups.area_clusters_lead": (
        "Områderne grupperet efter, hvem der deltager (svarprocent for alder og køn), så "
        "områder med samme mønster kan få samme indsats.",
        "Areas grouped by who takes part (response rate by age and gender), so areas with the "
        "same pattern can get the same effort.",
    ),
    "groups.cluster_legend": ("Mønster", "Pattern"),
    "score.dimension": ("Opdeling", "Split"),
    "score.overall": ("Alder × køn × område", "Age × gender × area"),
    "download.csv": ("Hent CSV", "Download CSV"),
    "download.xlsx": ("Hent Excel", "Download Excel"),
}


def t(key: str, lang: str = "da", **values) -> str:
    da, en = TEXT.get(key, (key, key))
    text = en if lang == "en" else da
    return text.format(**values) if values else text


def number(value: float | int | None, lang: str = "da", decimals: int = 0) -> str:
    """1450 -> "1.450" (da) / "1,450" (en); 0.213 -> "0,21" with decimals=2."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(value: float | None, lang: str = "da", decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return (
        f"{number(value * 100, lang, decimals)} %"
        if lang == "da"
        else f"{value * 100:.{decimals}f}%"
    )


def gender_label(code: str, lang: str = "da") -> str:
    return t(f"gender.{code}", lang) if f"gender.{code}" in TEXT else code
