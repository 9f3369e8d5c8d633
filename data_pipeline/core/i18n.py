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
        "Laveste gruppes svarprocent delt med højeste, for alder, køn og område hver for sig; "
        "det samlede tal er den opdeling, hvor forskellen er størst. 1 = alle lige. "
        "Det tal, Go Vocal kalder repræsentativitet.",
        "Lowest group rate divided by the highest, for age, gender and area separately; the "
        "overall figure is the split with the largest gap. 1 = equal. "
        "Go Vocal's representativeness score.",
    ),
    "metric.overlap": ("Overlap med befolkningen", "Overlap with the population"),
    "metric.overlap_help": (
        "Hvor stor en del af svarene der fordeler sig som befolkningen. 100 % = perfekt.",
        "How much of the responses are distributed like the population. 100% = perfect.",
    ),
    "metric.r_indicator": ("R-indikator", "R-indicator"),
    "metric.r_indicator_help": (
        "1 minus to gange spredningen i svarprocenter mellem grupper (alder × køn × område), "
        "justeret for den tilfældige variation i små grupper (Schouten m.fl. 2009), så tallet "
        "ikke falder, blot fordi der er færre svar. 1 = alle grupper svarer lige meget.",
        "1 minus twice the spread of response rates between groups (age × gender × area), "
        "adjusted for the chance variation of small groups (Schouten et al. 2009), so it does "
        "not fall just because there are fewer responses. 1 = all groups answer equally.",
    ),
    "score.plain_title": ("Repræsentativitet", "Representativeness"),
    "score.plain_value": ("{score} af 100", "{score} out of 100"),
    "score.plain_line": (
        "Scoren sammenligner den gruppe, der svarer mindst, med den, der svarer mest: efter "
        "{field} svarer {lowest} {score} % så ofte som {highest}. 100 = alle svarer lige ofte.",
        "The score compares the group that answers least with the one that answers most: by "
        "{field}, {lowest} answer {score}% as often as {highest}. 100 = everyone answers "
        "equally often.",
    ),
    "score.plain_short": (
        "Efter {field} svarer {lowest} {score} % så ofte som {highest}",
        "By {field}, {lowest} answer {score}% as often as {highest}",
    ),
    "score.plain_interval": ("95 %-interval: {low}–{high}", "95% interval: {low}–{high}"),
    "score.plain_help": (
        "Svarprocenten for alder, køn og område hver for sig; scoren er den opdeling, hvor "
        "forskellen er størst. Intervallet viser, hvor meget scoren kunne variere alene af "
        "tilfældigheder (bootstrap).",
        "The response rate by age, gender and area separately; the score is the split with "
        "the largest gap. The interval shows how much the score could vary by chance alone "
        "(bootstrap).",
    ),
    "score.field.age_band": ("alder", "age"),
    "score.field.gender": ("køn", "gender"),
    "score.field.area": ("område", "area"),
    "overview.analysts": ("For analytikere", "For analysts"),
    "overview.analysts_lead": (
        "Samme spørgsmål målt på tre måder, som andre værktøjer også bruger, hver med "
        "95 %-interval (bootstrap). Overlap gælder den opdeling, der ligner befolkningen mindst; "
        "R-indikatoren går på tværs af alder × køn × område og er justeret, så den ikke "
        "bevæger sig med antallet af svar alene.",
        "The same question measured three ways that other tools use too, each with a 95% "
        "interval (bootstrap). Overlap is that of the split least like the population; the "
        "R-indicator runs across age × gender × area and is adjusted so it does not move "
        "with the number of responses alone.",
    ),
    "overview.gaps": ("De fem største huller", "The five largest gaps"),
    "overview.gaps_lead": (
        "Grupper, hvor der mangler flest svar i forhold til svarprocenten i hele kommunen. "
        "Vi har taget højde for, at mange grupper testes på én gang (Benjamini–Hochberg).",
        "Groups missing the most responses against the response rate of the whole "
        "municipality. We allowed for testing many groups at once (Benjamini–Hochberg).",
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
        "beregnes. Indlæs en befolkningstabel fra Danmarks Statistik på siden Upload "
        "(Befolkningstal), eller bed IT om at køre "
        "`python -m data_pipeline ingest FIL.csv --kind population`.",
        "There are no population figures for this wave, so response rates and representation "
        "cannot be computed. Load a Statistics Denmark table on the Upload page (Population), "
        "or ask IT to run `python -m data_pipeline ingest FILE.csv --kind population`.",
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
    "col.missing": ("Manglende svar", "Missing responses"),
    "col.status": ("Vurdering", "Assessment"),
    "series.respondents": ("Besvarelser", "Responses"),
    "series.population": ("Befolkning", "Population"),
    "status.under": ("Underrepræsenteret", "Under-represented"),
    "status.over": ("Overrepræsenteret", "Over-represented"),
    "weights.diagnostics": (
        "Vægtet: designeffekt {deff} (vægtene koster præcision som {ess} svar af {n}). "
        "Standardiseret forskel til befolkningen før → efter vægtning: alder × køn {bg}, "
        "område {area}. {rule}",
        "Weighted: design effect {deff} (the weights cost precision as if {ess} of {n} "
        "answered). Standardised difference from the population before → after weighting: "
        "age × gender {bg}, area {area}. {rule}",
    ),
    "weights.unknown_rule": (
        "Svar uden oplyst alder, køn eller område – og svar i en gruppe, som befolkningstallet "
        "ikke har (fx 15-17-årige, når befolkningen starter ved 18) – får vægt 1: de tæller "
        "som sig selv, fordi der ikke er noget at vægte dem efter.",
        "Responses without a stated age, gender or area – and responses in a group the "
        "population does not hold (e.g. 15-17-year-olds when the population starts at 18) – "
        "get weight 1: they count as themselves, since there is nothing to weight them by.",
    ),
    "unknown.rates_note": (
        "Svarprocenter og repræsentation regnes blandt dem, der har oplyst alder, køn og "
        "område (for hver opdeling det, den bruger); {n} svar uden det er ikke talt med.",
        "Response rates and representation count those who stated their age, gender and "
        "area (for each split the ones it uses); {n} responses without it are not counted.",
    ),
    "status.too_few": ("For få svar til at vise", "Too few responses to show"),
    "gaps.too_few_expected": (
        "{who}: færre end {k} svar blandt {population} borgere, hvor ca. {expected} var ventet "
        "ud fra svarprocenten i hele kommunen.",
        "{who}: fewer than {k} responses among {population} residents, where about {expected} "
        "were expected from the response rate of the whole municipality.",
    ),
    "groups.too_few_expected": (
        "Færre end {k} svar, hvor ca. {expected} var ventet",
        "Fewer than {k} responses, where about {expected} were expected",
    ),
    "status.uncertain": ("Kan ikke afgøres", "Not enough answers to tell"),
    "status.fine": ("Som befolkningen", "Like the population"),
    "groups.reference": (
        "Alle grupper sammenlignes med svarprocenten i hele kommunen ({rate}) – også når du har "
        "valgt et filter. Vi har taget højde for, at mange grupper testes på én gang "
        "(Benjamini–Hochberg).",
        "Every group is compared with the response rate of the whole municipality ({rate}) – "
        "also under a filter. We allowed for testing many groups at once (Benjamini–Hochberg).",
    ),
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
    "explore.bars": ("Søjler for hver række", "Bars for each row"),
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
        "Hvor i kommunen deltager borgerne – og hvor mangler vi svar?",
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
        "Der er ingen områdegrænser i databasen. Indlæs dem på siden Upload (Områder eller "
        "postnumre), eller bed IT om at køre "
        "`python -m data_pipeline ingest grænser.geojson --kind areas`.",
        "There are no area boundaries in the database. Load them on the Upload page (Areas or "
        "postal codes), or ask IT to run "
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
        "**Repræsentation** er gruppens svarprocent delt med svarprocenten i hele kommunen – "
        "også når du har valgt et filter. 1,0 betyder, at gruppen svarer som kommunen som "
        "helhed; 0,5 betyder halvt så ofte. **95 %-intervallet** viser, hvor sikkert tallet er: "
        "små grupper har brede intervaller. **Vurderingen**: *underrepræsenteret*, når hele "
        "intervallet ligger under 0,8; *som befolkningen* kun, når hele intervallet ligger "
        "mellem 0,8 og 1,25; *overrepræsenteret*, når hele intervallet ligger over 1,25; ellers "
        "*kan ikke afgøres* – der er ikke svar nok til at sige det. Vi har taget højde for, at "
        "mange grupper testes på én gang (Benjamini–Hochberg). **Manglende svar** er, hvor "
        "mange flere svar gruppen skulle have givet for at svare som kommunen som helhed; det "
        "vises kun for grupper under linjen.",
        "**Representation** is the group's response rate divided by the response rate of the "
        "whole municipality – also under a filter. 1.0 means the group answers like the "
        "municipality as a whole; 0.5 means half as often. The **95% interval** shows how "
        "certain the figure is: small groups have wide intervals. **Assessment**: "
        "*under-represented* when the whole interval lies below 0.8; *like the population* "
        "only when the whole interval lies between 0.8 and 1.25; *over-represented* when the "
        "whole interval lies above 1.25; otherwise *not enough answers to tell*. We allowed for "
        "testing many groups at once (Benjamini–Hochberg). **Missing responses** is how many "
        "more responses the group would need to answer like the municipality as a whole; it is "
        "shown only for groups below the line.",
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
    "score.overall": (
        "Samlet (laveste/højeste og overlap: den svageste opdeling; R: alder × køn × område)",
        "Overall (lowest/highest and overlap: the weakest split; R: age × gender × area)",
    ),
    "score.interval": ("{value} ({low}–{high})", "{value} ({low}–{high})"),
    "download.csv": ("Hent CSV", "Download CSV"),
    "download.xlsx": ("Hent Excel", "Download Excel"),
    # reports (issue 8): the council report, the citizens' summary and the Rapport page
    "nav.report": ("Rapport", "Report"),
    "report.title": (
        "Deltagelse i lokaldemokratiet – rapport til byrådet",
        "Participation in local democracy – report to the council",
    ),
    "report.generated": (
        "Udarbejdet {date} med Deltagelsesatlas",
        "Prepared {date} with the Participation Atlas",
    ),
    "report.page": ("Side {n} af {total}", "Page {n} of {total}"),
    "report.credit_dst": (
        "Kilde: Danmarks Statistik",
        "Source: Statistics Denmark (Danmarks Statistik)",
    ),
    "report.credit_other": ("Kilde: {source}", "Source: {source}"),
    "report.weighted": ("Vægtet", "Weighted"),
    "report.unweighted": ("Uvægtet", "Unweighted"),
    "report.and": (" og ", " and "),
    "report.contents": ("Indhold", "Contents"),
    "report.suppressed_note": (
        'Grupper med færre end {k} svar vises som "<{k}", og deres andele som "–", for at beskytte den enkelte.',
        'Groups with fewer than {k} responses show as "<{k}", and their shares as "–", to protect individuals.',
    ),
    "report.headline.title": ("Hovedtal", "Headline figures"),
    "report.headline.lead": (
        "Hvor mange svarede, hvor godt afspejler de borgerne, og hvad er ændret siden sidst?",
        "How many answered, how well do they reflect the citizens, and what has changed?",
    ),
    "report.headline.table": ("Hovedtal", "Headline figures"),
    "report.headline.note": (
        "Ændringer i procenter er procentpoint. Laveste/højeste svarprocent, overlap og R-indikator går fra 0 til 1 (100 %); højere er bedre.",
        "Changes in percentages are percentage points. Lowest/highest rate, overlap and R-indicator run from 0 to 1 (100%); higher is better.",
    ),
    "report.col.measure": ("Mål", "Measure"),
    "report.col.this_wave": ("Bølge {wave}", "Wave {wave}"),
    "report.col.previous_wave": ("Bølge {wave}", "Wave {wave}"),
    "report.col.change": ("Ændring", "Change"),
    "report.previous_note": ("{value} i {wave} ({change})", "{value} in {wave} ({change})"),
    "report.rate_note": ("Af borgere på 15 år og derover", "Of citizens aged 15 and over"),
    "report.minmax_note": (
        "Laveste gruppe delt med højeste; 1 = lige",
        "Lowest group over highest; 1 = equal",
    ),
    "report.overlap_note": (
        "Svar fordelt som befolkningen; 100 % = perfekt",
        "Responses spread like the population; 100% = perfect",
    ),
    "report.r_note": ("1 = alle grupper svarer lige meget", "1 = all groups answer equally"),
    "report.key_messages": ("Kort fortalt", "In brief"),
    "report.message.answered": (
        "{n} borgere svarede – {rate} af borgerne på 15 år og derover.",
        "{n} citizens answered – {rate} of citizens aged 15 and over.",
    ),
    "report.message.gap": ("Største hul: {text}", "Largest gap: {text}"),
    "report.message.topic": (
        "Flest interesserer sig for {text} (vægtet).",
        "Most are interested in {text} (weighted).",
    ),
    "report.message.format": (
        "Foretrukne former for deltagelse: {text} (vægtet).",
        "Preferred ways to take part: {text} (weighted).",
    ),
    "report.maps.title": ("Kort over deltagelsen", "Maps of participation"),
    "report.maps.lead": (
        "Svarprocenten i hvert lokalområde, og hvor gruppen med det største hul mangler mest.",
        "The response rate in each area, and where the group with the largest gap is missing most.",
    ),
    "report.maps.rate_title": ("Svarprocent pr. lokalområde", "Response rate by area"),
    "report.maps.rate_caption": (
        "Besvarelser delt med borgere på 15 år og derover i området. Grå: for få svar til at vise.",
        "Responses divided by citizens aged 15 and over in the area. Grey: too few responses to show.",
    ),
    "report.maps.ratio_title": (
        "Repræsentation af {who} pr. lokalområde",
        "Representation of {who} by area",
    ),
    "report.maps.everyone": ("alle borgere", "all residents"),
    "report.maps.gap_caption": ("Største hul: {text}", "Largest gap: {text}"),
    "report.sheet.headline": ("Hovedtal", "Headline"),
    "report.sheet.map_rate": ("Kort – svarprocent", "Map – response rate"),
    "report.sheet.map_gap": ("Kort – største hul", "Map – largest gap"),
    "report.sheet.gaps": ("Største huller", "Largest gaps"),
    "report.sheet.topics": ("Emner", "Topics"),
    "report.sheet.formats": ("Formater", "Formats"),
    "report.sheet.time": ("Tid", "Time"),
    "report.sheet.segments": ("Segmenter", "Segments"),
    "report.sheet.sources": ("Kilder", "Sources"),
    "report.sheet.overview": ("Oversigt", "Overview"),
    "report.sheet.method": ("Metode", "Method"),
    "report.col.ci_low": ("95 %-interval, fra", "95% interval, from"),
    "report.col.ci_high": ("95 %-interval, til", "95% interval, to"),
    "report.gaps.note": (
        "Grupper på tværs af alder, køn og lokalområde, rangeret efter manglende svar. Kun grupper med mindst 50 borgere, hvor hele intervallet ligger under 0,8, og som stadig er underrepræsenteret, når vi tager højde for, at mange grupper testes på én gang (Benjamini–Hochberg).",
        "Groups across age, gender and area, ranked by missing responses. Only groups of at least 50 citizens whose whole interval lies below 0.8 and who remain under-represented once we allow for testing many groups at once (Benjamini–Hochberg).",
    ),
    "report.gaps.how_to_read": (
        "Repræsentation er gruppens svarprocent delt med svarprocenten i hele kommunen, også under et filter: 1,0 er som kommunen som helhed, 0,5 er halvt så ofte. Manglende svar er, hvor mange flere svar gruppen skulle have givet for at svare som kommunen som helhed.",
        "Representation is the group's response rate divided by the response rate of the whole municipality, also under a filter: 1.0 is like the municipality as a whole, 0.5 is half as often. Missing responses is how many more responses the group would need to answer like the municipality as a whole.",
    ),
    "report.col.unweighted": ("Andel, uvægtet", "Share, unweighted"),
    "report.col.weighted": ("Andel, vægtet", "Share, weighted"),
    "report.shares.note_multi": (
        "Andel af alle besvarelser; flere svar var mulige, så andelene summer ikke til 100 %.",
        "Share of all responses; several answers were possible, so shares do not add up to 100%.",
    ),
    "report.shares.note_single": (
        "Andel af dem, der besvarede spørgsmålet.",
        "Share of those who answered the question.",
    ),
    "report.topics.title": ("Hvad borgerne interesserer sig for", "What citizens care about"),
    "report.weighting_lead": (
        "Vægtet: svarene er vægtet, så alder, køn og lokalområde fordeler sig som i befolkningen. Uvægtet: svarene, som de er. Vægtningen svarer til {ess} uafhængige svar ud af {n}.",
        "Weighted: responses are weighted so age, gender and area match the population. Unweighted: responses as they are. The weighting is worth {ess} independent responses out of {n}.",
    ),
    "report.formats.title": (
        "Hvordan og hvor meget borgerne vil deltage",
        "How and how much citizens want to take part",
    ),
    "report.formats.lead": (
        "Foretrukne former for deltagelse, og hvor meget tid borgerne vil bruge om måneden – vægtet og uvægtet.",
        "Preferred ways to take part, and how much time citizens would give each month – weighted and unweighted.",
    ),
    "report.segments.lead": (
        "Borgerne falder i {k} grupper med lignende interesser (fundet automatisk med k-means). Hver gruppe beskrevet med to linjer.",
        "Citizens fall into {k} groups with similar interests (found automatically with k-means). Each group in two lines.",
    ),
    "report.segments.head": ("{n}. {name}", "{n}. {name}"),
    "report.segments.small": (
        "Færre end {k} svar – for lille til at beskrive.",
        "Fewer than {k} responses – too small to describe.",
    ),
    "report.segments.whole_wave": (
        "Segmenterne er fundet blandt alle svar i bølge {wave}, uanset de øvrige filtre – ligesom på siden Grupper.",
        "Segments are found among all responses in wave {wave}, whatever the other filters – as on the Groups page.",
    ),
    "report.segments.note": (
        "Segmenterne er fundet blandt alle svar i bølgen. Andel = segmentets del af alle svar.",
        "Segments are found among all responses in the wave. Share = the segment's part of all responses.",
    ),
    "report.col.segment": ("Segment", "Segment"),
    "report.col.name": ("Navn", "Name"),
    "report.col.description": ("Beskrivelse", "Description"),
    "report.col.who": ("Hvem", "Who"),
    "report.method.title": ("Metode", "Method"),
    "report.method.rate": (
        "Svarprocent: besvarelser delt med antal borgere på 15 år og derover i samme gruppe, efter befolkningstallet for {period}. Befolkningen opdeles kun efter alder, køn og lokalområde; filtre på emner, formater og tid afgrænser kun besvarelserne. Svarprocenter regnes blandt dem, der har oplyst alder, køn og område (for hver opdeling det, den bruger); svar uden det tælles ikke med i den opdeling.",
        "Response rate: responses divided by the number of citizens aged 15 and over in the same group, from the population count for {period}. The population is split by age, gender and area only; filters on topics, formats and time narrow the responses only. Response rates count those who stated their age, gender and area (for each split the ones it uses); responses without it are not counted in that split.",
    ),
    "report.method.ratio": (
        "Repræsentation: gruppens svarprocent delt med svarprocenten i hele kommunen (alle, der har oplyst alder, køn eller område, mod alle borgere på 15 år og derover) – også når der er valgt et filter. 95 %-intervallet er et Wilson-interval for svarprocenten, overført til forholdet. Tre vurderinger: underrepræsenteret, når hele intervallet ligger under 0,8; som befolkningen kun, når hele intervallet ligger mellem 0,8 og 1,25; overrepræsenteret, når hele intervallet ligger over 1,25; ellers kan det ikke afgøres – også når gruppen har for få svar. Vi har taget højde for, at mange grupper testes på én gang (Benjamini–Hochberg, højst 5 % falske fund): en gruppe kaldes kun under- eller overrepræsenteret, hvis det holder efter den korrektion. Manglende svar = gruppens borgere gange svarprocenten i hele kommunen minus gruppens faktiske svar; de største huller rangeres efter dem.",
        "Representation: the group's response rate divided by the response rate of the whole municipality (everyone who gave their age, gender or area, against all citizens aged 15 and over) – also under a filter. The 95% interval is a Wilson interval for the rate, carried over to the ratio. Three verdicts: under-represented when the whole interval lies below 0.8; like the population only when the whole interval lies between 0.8 and 1.25; over-represented when the whole interval lies above 1.25; otherwise not enough answers to tell – also when the group has too few responses. We allowed for testing many groups at once (Benjamini–Hochberg, at most 5% false findings): a group is called under- or over-represented only if that holds after the correction. Missing responses = the group's citizens times the response rate of the whole municipality minus the group's actual responses; the largest gaps are ranked by them.",
    ),
    "report.method.scores": (
        "Samlede mål: laveste/højeste svarprocent (det mål, Go Vocal kalder repræsentativitet) for alder, køn og lokalområde hver for sig – det samlede tal er den opdeling, hvor forskellen er størst, og repræsentativiteten 0–100 er det tal gange 100 – så scoren ikke falder, blot fordi små grupper har få svar. Overlap med befolkningen (summen af de mindste af svarandel og befolkningsandel) gælder ligeledes den opdeling, der ligner befolkningen mindst. R-indikatoren (1 minus to gange spredningen i svarprocenter) går på tværs af alder × køn × lokalområde og er justeret for den tilfældige variation i små grupper (Schouten, Cobben & Bethlehem 2009). Hvert mål har et 95 %-interval fra 400 bootstrap-træk af hver gruppes svar.",
        "Overall scores: lowest/highest response rate (Go Vocal's representativeness score) for age, gender and area separately – the overall figure is the split with the largest gap, and the representativeness 0–100 is that figure times 100 – so the score does not fall just because small groups have few responses. Overlap with the population (the sum of the smaller of response share and population share) is likewise that of the split least like the population. The R-indicator (1 minus twice the spread of response rates) runs across age × gender × area and is adjusted for the chance variation of small groups (Schouten, Cobben & Bethlehem 2009). Each score has a 95% interval from 400 bootstrap draws of each group's responses.",
    ),
    "report.method.weights": (
        "Vægtning: svarene vægtes med iterativ proportional tilpasning (raking), så alder × køn og lokalområde fordeler sig som i befolkningen. Vægtene begrænses til {low}-{high} gange gennemsnittet. Den effektive stikprøvestørrelse er {ess}. Svar uden oplyst alder, køn eller område og svar i en gruppe, som befolkningstallet ikke har, får vægt 1 (de tæller som sig selv).",
        "Weighting: responses are weighted by iterative proportional fitting (raking) so that age × gender and area match the population. Weights are trimmed to {low}-{high} times the mean. The effective sample size is {ess}. Responses without a stated age, gender or area, and responses in a group the population does not hold, get weight 1 (they count as themselves).",
    ),
    "report.method.segments": (
        "Segmenter: borgerne grupperes efter valgte emner og formater (samt interesse, tid og engagement med lav vægt) med k-means; antallet af grupper vælges efter silhuet-mål.",
        "Segments: citizens are grouped by chosen topics and formats (plus interest, time and engagement at a low weight) with k-means; the number of groups is chosen by silhouette score.",
    ),
    "report.method.suppression": (
        'Diskretion: intet tal, ingen andel og intet gennemsnit bygger på færre end {k} svar. Sådanne celler vises som "<{k}" (aldrig 0), deres andele som "–", og kortet viser området gråt. Vises et antal ved siden af sin total, skal også forskellen være mindst {k}, så ingen kan regne en skjult celle ud. Rapporten indeholder ingen navne eller kontaktoplysninger.',
        'Disclosure control: no count, share or mean rests on fewer than {k} responses. Such cells show as "<{k}" (never 0), their shares as "–", and the map greys the area out. Where a count stands beside its total, the difference must also be at least {k}, so no hidden cell can be worked out. The report holds no names or contact details.',
    ),
    "report.sources.title": ("Datakilder", "Data sources"),
    "report.sources.note": (
        "Befolkningstallene for {period} er brugt for denne bølge.",
        "The population figures for {period} are used for this wave.",
    ),
    "report.source.survey": ("Spørgeskema: {name}", "Survey: {name}"),
    "report.source.population": ("Befolkning: {source}", "Population: {source}"),
    "report.source.periods": ("Perioder: {periods}", "Periods: {periods}"),
    "report.source.areas": ("Lokalområder (grænser)", "Areas (boundaries)"),
    "report.col.source": ("Kilde", "Source"),
    "report.col.file": ("Fil", "File"),
    "report.col.period": ("Periode", "Period"),
    "report.col.loaded": ("Indlæst", "Loaded"),
    "report.col.rows": ("Rækker", "Rows"),
    "public.title": ("Det sagde borgerne", "What citizens told us"),
    "public.asked.title": ("Hvad spurgte kommunen om?", "What did the municipality ask?"),
    "public.asked.text": (
        "Efter kommunalvalget skrev kommunen og byrådet til alle borgere for at takke for samtalerne i valgkampen og spørge, hvordan de vil være med i lokaldemokratiet. {name} var åben fra {opened} til {closed}. Vi spurgte:",
        "After the municipal election, the municipality and the council wrote to every citizen to thank them for the conversations during the campaign and to ask how they want to take part in local democracy. {name} was open from {opened} to {closed}. We asked:",
    ),
    "public.asked.q1": ("hvilke emner du interesserer dig for,", "which topics you care about,"),
    "public.asked.q2": ("hvor meget du vil engagere dig,", "how much you want to engage,"),
    "public.asked.q3": (
        "hvor meget tid du vil bruge om måneden,",
        "how much time you would give each month,",
    ),
    "public.asked.q4": (
        "hvordan du helst vil deltage – fx borgermøder, digitale møder eller hurtige online-afstemninger,",
        "how you would rather take part – for example citizen meetings, digital meetings or quick online polls,",
    ),
    "public.asked.q5": (
        "og lidt om dig selv: køn, alder og lokalområde.",
        "and a little about you: gender, age and area.",
    ),
    "public.answered.title": ("Hvor mange svarede?", "How many answered?"),
    "public.answered.text": (
        "{n} borgere svarede – {rate} af alle borgere på 15 år og derover. Tak til alle, der tog sig tid.",
        "{n} citizens answered – {rate} of all citizens aged 15 and over. Thank you to everyone who took the time.",
    ),
    "public.answered.text_group": (
        "{n} borgere i den valgte gruppe svarede – {rate} af gruppens borgere ({scope}).",
        "{n} citizens in the chosen group answered – {rate} of the group's citizens ({scope}).",
    ),
    "public.answered.text_interest": (
        "{n} borgere svarede og {interest} – {rate} af {whom}. Tallet handler om, hvem der "
        "valgte emnet, ikke om, hvem der deltog.",
        "{n} citizens answered and {interest} – {rate} of {whom}. The figure is about who chose "
        "it, not about who took part.",
    ),
    "public.whom_all": ("alle borgere på 15 år og derover", "all citizens aged 15 and over"),
    "public.whom_group": ("gruppens borgere", "the group's citizens"),
    "public.rate_note_group": ("af gruppens borgere", "of the group's citizens"),
    "public.reach.too_few": (
        "{who}: færre end {k} svar, hvor ca. {expected} var ventet.",
        "{who}: fewer than {k} responses, where about {expected} were expected.",
    ),
    "public.reach.item_interest": (
        "{who}: andelen, der svarede og {interest}, var {words}.",
        "{who}: the share who answered and {interest} was {words}.",
    ),
    "public.answered.before": (
        "Ved undersøgelsen i {wave} svarede {n}.",
        "In the {wave} survey, {n} answered.",
    ),
    "public.answered.few": (
        "Færre end {k} borgere svarede i dette udsnit.",
        "Fewer than {k} citizens answered in this selection.",
    ),
    "public.rate_note": ("af borgerne på 15 år og derover", "of citizens aged 15 and over"),
    "public.share_item": ("{label}: {share}", "{label}: {share}"),
    "public.cares.title": ("Hvad går borgerne op i?", "What do citizens care about?"),
    "public.cares.lead": (
        "Andelen af borgerne, der har valgt hvert emne. Man kunne vælge flere. Flest valgte:",
        "The share of citizens choosing each topic. Several could be chosen. Most chose:",
    ),
    "public.cares.chart": ("Emner, borgerne interesserer sig for", "Topics citizens care about"),
    "public.take_part.title": (
        "Hvordan vil borgerne deltage?",
        "How do citizens want to take part?",
    ),
    "public.take_part.lead": (
        "De foretrukne former for deltagelse:",
        "The preferred ways to take part:",
    ),
    "public.take_part.chart": (
        "Sådan vil borgerne helst deltage",
        "How citizens would rather take part",
    ),
    "public.time": (
        "De fleste vil bruge {label} om måneden ({share}).",
        "Most would give {label} a month ({share}).",
    ),
    "public.reach.title": (
        "Hvem vil kommunen nu gøre mere for at nå?",
        "Whom will the municipality now try harder to reach?",
    ),
    "public.reach.lead": (
        "Nogle grupper svarede sjældnere end andre. Dem vil kommunen gøre en ekstra indsats for at høre:",
        "Some groups answered less often than others. The municipality will make an extra effort to hear them:",
    ),
    "public.reach.none": (
        "Svarene afspejler borgerne godt; ingen grupper skilte sig tydeligt ud.",
        "The responses reflect the citizens well; no group stood out clearly.",
    ),
    "public.reach.item": (
        "{who}: svarprocenten var {words}.",
        "{who}: the response rate was {words}.",
    ),
    "public.reach.closing": (
        "I de kommende borgerdialoger vil kommunen gå derhen, hvor disse grupper er, og bruge de former, de selv foretrækker.",
        "In the coming citizen dialogues, the municipality will go where these groups are and use the formats they prefer.",
    ),
    "public.about.title": ("Om tallene", "About the figures"),
    "public.about": (
        "Andelene er vægtet, så alder, køn og lokalområde fordeler sig som blandt alle borgere. Ingen tal bygger på færre end {k} svar, og opsummeringen indeholder ingen navne eller kontaktoplysninger.",
        "Shares are weighted so that age, gender and area match all citizens. No figure rests on fewer than {k} responses, and the summary holds no names or contact details.",
    ),
    "report.page.title": ("Rapport", "Report"),
    "report.page.lead": (
        "Hent en rapport til byrådet eller en opsummering til borgerne for de valgte filtre.",
        "Download a report for the council or a summary for citizens for the chosen filters.",
    ),
    "report.page.council": ("Rapport til byrådet", "Report for the council"),
    "report.page.council_text": (
        "Rapporten indeholder hovedtal (besvarelser, svarprocent, de tre samlede mål og ændringen siden sidste bølge), kort over svarprocent og det største hul, de fem største huller i ord, emner, formater og tid – vægtet og uvægtet – interessesegmenterne og en side om metode og datakilder. PDF til læsning, Excel med én fane pr. tabel, HTML som én fil.",
        "The report holds the headline figures (responses, response rate, the three overall scores and the change since the last wave), maps of the response rate and the largest gap, the five largest gaps in words, topics, formats and time – weighted and unweighted – the interest segments and a page on method and data sources. PDF for reading, Excel with one sheet per table, HTML as one file.",
    ),
    "report.page.public": ("Opsummering til borgerne", "Summary for citizens"),
    "report.page.public_text": (
        "En kort opsummering i hverdagssprog: hvad kommunen spurgte om, hvor mange der svarede, hvad borgerne går op i, hvordan de vil deltage, og hvem kommunen nu vil gøre mere for at nå.",
        "A short summary in plain words: what the municipality asked, how many answered, what citizens care about, how they want to take part, and whom the municipality will now try harder to reach.",
    ),
    "report.page.privacy": (
        'Alle filer indeholder kun tal, der er beskyttet mod små grupper (færre end {k} svar vises som "<{k}"), og aldrig navne eller kontaktoplysninger. Filerne bygges først, når du klikker.',
        'Every file holds only figures protected against small groups (fewer than {k} responses show as "<{k}"), never names or contact details. Files are built only when you click.',
    ),
    "report.page.download_pdf": ("Hent PDF", "Download PDF"),
    "report.page.download_xlsx": ("Hent Excel", "Download Excel"),
    "report.page.download_html": ("Hent HTML", "Download HTML"),
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


# --- roles, login, outreach and erasure (issue 6) -------------------------------------------
TEXT.update(
    {
        "nav.contact": ("Kontakt", "Contact"),
        "nav.admin": ("Administration", "Administration"),
        "role.viewer": ("Læser (byråd)", "Viewer (council)"),
        "role.director": ("Direktion", "Director"),
        "role.analyst": ("Analytiker", "Analyst"),
        "role.outreach": ("Dialogkoordinator", "Outreach coordinator"),
        "role.admin": ("Administrator", "Administrator"),
        "auth.login": ("Log ind", "Log in"),
        "auth.logout": ("Log ud", "Log out"),
        "auth.please_login": (
            "Log ind med din kommunale konto for at se Deltagelsesatlas.",
            "Log in with your municipal account to see the Participation Atlas.",
        ),
        "auth.signed_in_as": ("Logget ind som {name}", "Signed in as {name}"),
        "auth.no_roles": (
            "Din konto har ingen rolle i Deltagelsesatlas. Kontakt kommunens administrator.",
            "Your account has no role in the Participation Atlas. Contact the administrator.",
        ),
        "auth.denied": (
            "Du har ikke adgang til denne side med din rolle.",
            "Your role does not give access to this page.",
        ),
        "auth.denied_title": ("Ingen adgang", "No access"),
        "auth.production_needs_login": (
            "Produktionstilstand kræver login: tilføj en [auth]-sektion i "
            ".streamlit/secrets.toml (se docs/SECURITY.md). Appen starter ikke uden.",
            "Production mode requires login: add an [auth] section to "
            ".streamlit/secrets.toml (see docs/SECURITY.md). The app will not start without it.",
        ),
        "auth.demo_not_allowed": (
            "Demotilstand (uden login) er kun tilladt på eksempeldata og kun for en browser på "
            "samme maskine som serveren (ikke gennem en proxy). Konfigurér login i "
            ".streamlit/secrets.toml (se docs/SECURITY.md).",
            "Demo mode (no login) is only allowed on the sample data and only for a browser on "
            "the server's own machine (not through a proxy). Configure login in "
            ".streamlit/secrets.toml (see docs/SECURITY.md).",
        ),
        "auth.real_data_needs_login": (
            "Databasen indeholder andet end eksempeldata, så appen kører i produktionstilstand "
            "og kræver login. Demotilstand (uden login) er kun tilladt på eksempeldata. "
            "Konfigurér login i .streamlit/secrets.toml (se docs/SECURITY.md).",
            "The database holds more than the sample data, so the app runs in production mode "
            "and requires login. Demo mode (no login) is only allowed on the sample data. "
            "Configure login in .streamlit/secrets.toml (see docs/SECURITY.md).",
        ),
        "auth.demo_banner": (
            "DEMO – intet login. Vælg en rolle for at prøve værktøjet. Brug aldrig rigtige "
            "borgeres data i demotilstand.",
            "DEMO – no login. Pick a role to try the tool. Never use real citizens' data in "
            "demo mode.",
        ),
        "auth.demo_role": ("Demo-rolle", "Demo role"),
        "contact.title": ("Kontakt borgere", "Contact citizens"),
        "contact.lead": (
            "Find borgere, der har givet samtykke til at blive kontaktet, og hent deres "
            "kontaktoplysninger til en dialog. Hvert udtræk logges.",
            "Find citizens who consented to be contacted and export their contact details for "
            "a dialogue. Every export is logged.",
        ),
        "contact.segment_hint": (
            "Vælg målgruppen med filtrene i sidepanelet (emner, formater, tid, engagement, "
            "område og alder) og eventuelt et interessesegment herunder.",
            "Choose the group with the filters in the sidebar (topics, formats, time, "
            "engagement, area and age) and optionally an interest segment below.",
        ),
        "contact.cluster": ("Interessesegment (valgfrit)", "Interest segment (optional)"),
        "contact.cluster_none": ("Alle segmenter", "All segments"),
        "contact.count": ("Borgere med samtykke", "Citizens who consented"),
        "contact.count_help": (
            "Tal under {k} vises som <{k}, så enkeltpersoner ikke kan udpeges.",
            "Numbers below {k} show as <{k}, so no single person can be singled out.",
        ),
        "contact.reason": ("Begrundelse (kræves, logges)", "Reason (required, logged)"),
        "contact.reason_help": (
            "Fx \u201dInvitation til borgermøde om klimaplanen, marts\u201d. Skriv ingen "
            "personoplysninger her.",
            "E.g. \u201cInvitation to the citizen meeting on the climate plan, March\u201d. "
            "Do not write personal data here.",
        ),
        "contact.file_format": ("Filformat", "File format"),
        "contact.build": ("Lav kontaktliste", "Build contact list"),
        "contact.need_reason": (
            "Skriv en begrundelse, før du henter listen.",
            "Write a reason before you export the list.",
        ),
        "contact.built": (
            "Kontaktlisten med {rows} borgere er klar. Udtrækket er logget.",
            "The contact list with {rows} citizens is ready. The export has been logged.",
        ),
        "contact.download": ("Hent kontaktlisten", "Download the contact list"),
        "contact.none": (
            "Ingen borgere med samtykke passer til valget.",
            "No consenting citizens match the choice.",
        ),
        "admin.title": ("Administration", "Administration"),
        "admin.lead": (
            "Sletning på anmodning, opbevaringsfrist for kontaktoplysninger og revisionsloggen.",
            "Erasure on request, the retention period for contact details and the audit log.",
        ),
        "admin.erase": ("Slet en borger", "Erase a citizen"),
        "admin.erase_lead": (
            "Sletter borgerens svar og kontaktoplysninger fra alle tabeller og omskriver "
            "databasefilen, så oplysningerne også er væk fra disken. Loggen viser kun, at der "
            "er slettet – ikke hvem.",
            "Deletes the citizen's answers and contact details from every table and rewrites "
            "the database file, so the data is gone from disk too. The log shows only that an "
            "erasure happened, not whom.",
        ),
        "admin.erase_by": ("Find borgeren ud fra", "Find the citizen by"),
        "admin.by_email": ("E-mailadresse", "Email address"),
        "admin.by_respondent": ("Respondent-id", "Respondent id"),
        "contact.ready": (
            "Kontaktlisten er klar til at hente. Linket virker én gang, kun i denne browser og "
            "i {minutes} minutter; listen laves og logges, når du henter den.",
            "The contact list is ready to download. The link works once, only in this browser "
            "and for {minutes} minutes; the list is built and logged when you fetch it.",
        ),
        "contact.download_unavailable": (
            "Kontaktlisten kan ikke hentes sikkert her: start appen med `streamlit run app.py` "
            "(med XSRF-beskyttelse slået til), eller brug kommandoen `python -m data_pipeline "
            "export-contacts` på serveren.",
            "The contact list cannot be downloaded safely here: run the app with `streamlit run "
            "app.py` (with XSRF protection on), or use `python -m data_pipeline "
            "export-contacts` on the server.",
        ),
        "admin.erase_value": ("Værdi", "Value"),
        "admin.erase_confirm": (
            "Jeg har bekræftet anmodningen, og sletningen kan ikke fortrydes.",
            "I have verified the request, and the erasure cannot be undone.",
        ),
        "admin.erase_button": ("Slet borgeren", "Erase the citizen"),
        "admin.erased": (
            "Slettet: {respondents}, {rows} i alt. Databasefilen er omskrevet.",
            "Erased: {respondents}, {rows} in all. The database file is rewritten.",
        ),
        "admin.not_found": (
            "Ingen borger fundet. Databasefilen er omskrevet alligevel.",
            "No citizen found. The database file was rewritten anyway.",
        ),
        "admin.bad_respondent": (
            "Et respondent-id er et helt tal.",
            "A respondent id is a whole number.",
        ),
        "admin.purge": ("Opbevaringsfrist", "Retention"),
        "admin.purge_months": (
            "Slet kontaktoplysninger med samtykke ældre end (måneder)",
            "Delete contact details with consent older than (months)",
        ),
        "admin.purge_button": ("Slet gamle kontaktoplysninger", "Delete old contact details"),
        "admin.purged": (
            "Slettet: {rows}. Databasefilen er omskrevet.",
            "Deleted: {rows}. The database file is rewritten.",
        ),
        "admin.audit": ("Revisionslog", "Audit log"),
        "admin.audit_lead": (
            "De seneste {n} handlinger: hvem, hvornår, hvad. Loggen indeholder aldrig "
            "kontaktoplysninger.",
            "The latest {n} actions: who, when, what. The log never holds contact details.",
        ),
        "admin.rewrite_failed": (
            "Sletningen er gennemført, men databasefilen kunne ikke omskrives: {error}",
            "The erasure is done, but the database file could not be rewritten: {error}",
        ),
        "col.at": ("Tidspunkt", "Time"),
        "col.actor": ("Hvem", "Who"),
        "col.action": ("Handling", "Action"),
        "col.detail": ("Detaljer", "Details"),
    }
)

# --- Upload and Aktivitet (issue 5) ------------------------------------------------------------
TEXT.update(
    {
        "nav.upload": ("Upload", "Upload"),
        "nav.activity": ("Aktivitet", "Activity"),
        "upload.title": ("Upload af data", "Upload data"),
        "upload.lead": (
            "Læg en eller flere filer her: spørgeskemaer (Microsoft Forms, Google Forms, "
            "SurveyXact), platformeksporter (Go Vocal, Decidim), befolkningstal fra Danmarks "
            "Statistik eller områdegrænser. Intet gemmes, før du trykker Indlæs.",
            "Drop one or several files: surveys (Microsoft Forms, Google Forms, SurveyXact), "
            "platform exports (Go Vocal, Decidim), Statistics Denmark population tables or area "
            "boundaries. Nothing is stored until you press Load.",
        ),
        "upload.kind": ("Hvad er det?", "What is it?"),
        "upload.kind.survey": ("Spørgeskema", "Survey"),
        "upload.kind.platform": ("Platformeksport", "Platform export"),
        "upload.kind.population": ("Befolkningstal", "Population"),
        "upload.kind.areas": ("Områder eller postnumre", "Areas or postal codes"),
        "upload.wave": ("Bølge (fx 2025)", "Wave (e.g. 2025)"),
        "upload.files": ("Filer", "Files"),
        "upload.limit": (
            "Højst {mb} MB pr. fil. Filtypen kontrolleres ud fra indholdet.",
            "At most {mb} MB per file. The type is checked by content.",
        ),
        "upload.refused": ("{name} blev afvist: {error}", "{name} was refused: {error}"),
        "upload.choose_file": ("Fil", "File"),
        "upload.detected": ("Genkendt", "Detected"),
        "upload.format": ("Format", "Format"),
        "upload.encoding": ("Tegnsæt", "Encoding"),
        "upload.delimiter": ("Skilletegn", "Delimiter"),
        "upload.sheet": ("Ark", "Sheet"),
        "upload.rows": ("Rækker", "Rows"),
        "upload.preview": ("De første rækker", "The first rows"),
        "upload.columns": ("Kolonner", "Columns"),
        "upload.columns_lead": (
            "Forslaget kommer fra kolonnens navn. Ret feltet, hvis det er forkert.",
            "The suggestion comes from the column's name. Change the field if it is wrong.",
        ),
        "upload.values": ("Ukendte værdier", "Unknown values"),
        "upload.values_lead": (
            "Vælg, hvad hver ukendt værdi betyder. Dit valg huskes til næste import.",
            "Choose what each unknown value means. Your choice is remembered for the next import.",
        ),
        "upload.remember": ("Gem valgene", "Save the choices"),
        "upload.remembered": ("Valgene er gemt.", "The choices are saved."),
        "upload.no_unknown": ("Alle værdier er genkendt.", "Every value is recognised."),
        "upload.new_values": ("Nye svarmuligheder i filen", "New answer options in the file"),
        "upload.new_values_lead": (
            "Disse svar kendes ikke fra før. De indlæses som bølgens egne svarmuligheder, i den "
            "rækkefølge ordene angiver. Vil du hellere lægge dem sammen med en eksisterende "
            "kode, så skriv det i en mappingfil (kolonnen 'kan lægges sammen med' er et forslag).",
            "These answers are new. They load as this wave's own options, in the order their "
            "words give. To merge them into an existing code instead, put that in a mapping "
            "file ('could merge into' is a suggestion).",
        ),
        "upload.col_field": ("Spørgsmål", "Question"),
        "upload.col_label": ("Svar", "Answer"),
        "upload.col_rows": ("Rækker", "Rows"),
        "upload.col_merge": ("Kan lægges sammen med", "Could merge into"),
        "upload.nothing_to_load": (
            "Ingen rækker i filen kan indlæses, så der er intet at indlæse. Se afvisningerne "
            "ovenfor.",
            "No row of the file can be loaded, so there is nothing to load. See the rejections "
            "above.",
        ),
        "upload.report": ("Kontrol før indlæsning", "Check before loading"),
        "upload.would_load": ("Indlæses", "Will load"),
        "upload.rejected": ("Afvises", "Rejected"),
        "upload.read": ("Læst", "Read"),
        "upload.problems": (
            "De første {n} problemer (række, kolonne, værdi, årsag)",
            "The first {n} problems (row, column, value, reason)",
        ),
        "upload.download_problems": ("Hent problemerne (CSV)", "Download the problems (CSV)"),
        "upload.load": ("Indlæs", "Load"),
        "upload.loaded": (
            "Indlæsning nr. {batch} er gemt: {loaded} rækker, {rejected} afvist.",
            "Batch {batch} is loaded: {loaded} rows, {rejected} rejected.",
        ),
        "upload.duplicate": (
            "Filen er allerede indlæst (indlæsning nr. {batch}); intet er ændret.",
            "The file is already loaded (batch {batch}); nothing changed.",
        ),
        "upload.history": ("Tidligere indlæsninger", "Loaded batches"),
        "upload.undo": ("Fortryd indlæsning nr.", "Undo batch"),
        "upload.undo_button": ("Fortryd", "Undo"),
        "upload.undone": ("Indlæsning nr. {batch} er fortrudt.", "Batch {batch} is undone."),
        "upload.no_batches": ("Der er ingen indlæsninger endnu.", "There are no batches yet."),
        "upload.code_field": ("Kolonne med områdekode", "Property holding the area code"),
        "upload.name_field": ("Kolonne med områdenavn", "Property holding the area name"),
        "upload.field": ("Felt", "Field"),
        "upload.header": ("Kolonne", "Column"),
        "upload.example": ("Eksempel", "Example"),
        "upload.value": ("Værdi", "Value"),
        "upload.meaning": ("Betyder", "Means"),
        "upload.suggestion": ("Forslag", "Suggestion"),
        "activity.title": ("Aktivitet på platformene", "Activity on the platforms"),
        "activity.lead": (
            "Hvor mange deltog på Go Vocal, Decidim og andre platforme, hvornår og i hvad – og "
            "ligner deltagerne befolkningen?",
            "How many took part on Go Vocal, Decidim and other platforms, when and in what – "
            "and do the participants look like the population?",
        ),
        "activity.none": (
            "Der er ingen platformaktivitet endnu. En analytiker kan indlæse eksporter på "
            "siden Upload.",
            "There is no platform activity yet. An analyst can load exports on the Upload page.",
        ),
        "activity.platform": ("Platform", "Platform"),
        "activity.all": ("Alle platforme", "All platforms"),
        "activity.by": ("Fordelt på", "Split by"),
        "activity.by.platform": ("Platform", "Platform"),
        "activity.by.project": ("Projekt", "Project"),
        "activity.by.topic": ("Emne", "Topic"),
        "activity.by.kind": ("Type aktivitet", "Kind of activity"),
        "activity.over_time": ("Aktiviteter pr. måned", "Activities per month"),
        "activity.month": ("Måned", "Month"),
        "activity.activities": ("Aktiviteter", "Activities"),
        "activity.participants": ("Deltagere", "Participants"),
        "activity.other": ("Andre", "Other"),
        "activity.who": ("Hvem deltager?", "Who takes part?"),
        "activity.who_lead": (
            "Deltagere (unikke brugere, 15 år og derover) sammenlignet med befolkningen i "
            "{period}. Forhold under 1 betyder, at gruppen deltager mindre end gennemsnittet.",
            "Participants (distinct users aged 15 and over) compared with the population in "
            "{period}. A ratio below 1 means the group takes part less than average.",
        ),
        "activity.no_population": (
            "Indlæs befolkningstal for at sammenligne deltagerne med befolkningen.",
            "Load population figures to compare the participants with the population.",
        ),
        "activity.excluded": (
            "Deltagere uden oplysning om dette er ikke med: {n}.",
            "Participants without this information are left out: {n}.",
        ),
    }
)

TEXT.update(
    {
        "upload.col.batch": ("Nr.", "Batch"),
        "upload.col.kind": ("Type", "Kind"),
        "upload.col.file": ("Fil", "File"),
        "upload.col.wave": ("Bølge", "Wave"),
        "upload.col.read": ("Læst", "Read"),
        "upload.col.loaded": ("Indlæst", "Loaded"),
        "upload.col.rejected": ("Afvist", "Rejected"),
        "upload.col.loaded_at": ("Indlæst den", "Loaded at"),
        "upload.col.by": ("Af", "By"),
        "upload.col.undone_at": ("Fortrudt den", "Undone at"),
    }
)

TEXT.update(
    {
        "wave.empty": (
            "Der er ingen svar i denne bølge ({wave}) endnu. Vælg en anden bølge i filteret "
            "til venstre, eller indlæs svar på siden Upload.",
            "There are no responses in this wave ({wave}) yet. Choose another wave in the "
            "filter on the left, or load responses on the Upload page.",
        ),
        "groups.too_few": (
            "Færre end {k} besvarelser passer til de valgte filtre, så grupperne kan ikke vises "
            "uden at afsløre enkeltpersoner. Fjern et filter.",
            "Fewer than {k} responses match the chosen filters, so the groups cannot be shown "
            "without revealing individuals. Remove a filter.",
        ),
        "groups.segments_too_few": (
            "Der er for få svar i denne bølge til at danne interessesegmenter.",
            "There are too few responses in this wave to form interest segments.",
        ),
        "groups.area_clusters_none": (
            "Områderne kan ikke grupperes for denne bølge (for få svar eller områder).",
            "The areas cannot be grouped for this wave (too few responses or areas).",
        ),
    }
)

TEXT.update(
    {
        # respondents known only by a postal code that spans several areas
        "postal.spread_note": (
            "Svar med kun postnummer er fordelt på områderne efter befolkningsandel.",
            "Responses with only a postal code are spread over areas by population share.",
        ),
        "postal.spread_detail": (
            "{n} svar i denne bølge har kun et postnummer, der dækker flere områder; hvert af "
            "dem tæller med sin andel i hvert område (fx 0,62 og 0,38), så et områdes antal kan "
            "være et decimaltal. Et filter på område tæller dem med deres andel i de valgte "
            "områder. Intervallerne dækker tilfældig variation, ikke fejl i fordelingen.",
            "{n} responses in this wave have only a postal code that spans several areas; each "
            "counts with its share in every area (e.g. 0.62 and 0.38), so an area's count can "
            "be a fraction. A filter on area counts them with their share in the chosen areas. "
            "The intervals cover sampling noise, not errors of the spreading.",
        ),
    }
)


# --- maps and Danish words a director trusts (issue 14) -------------------------------------
TEXT.update(
    {
        "map.ratio_title": ("Repræsentation af {group}", "Representation of {group}"),
        "map.wave": ("Bølge {wave}", "Wave {wave}"),
        "map.source_survey": ("Kilde: borgerundersøgelsen", "Source: the citizen survey"),
        "map.source_population": (
            "Kilde: borgerundersøgelsen og Danmarks Statistik",
            "Source: the citizen survey and Statistics Denmark",
        ),
        "map.made": ("Dannet {date}", "Made {date}"),
        "map.ratio_legend": ("Repræsentation", "Representation"),
        "map.ratio_legend_hint": ("1 = som kommunen i alt", "1 = as the municipality"),
        "map.share_legend": ("Andel af svarene", "Share of responses"),
        "map.labels_dropped": (
            "Uden plads til navnet på kortet: {names}. Hold musen over området for at se det.",
            "No room for the name on the map: {names}. Hover over the area to see it.",
        ),
        "group.all": ("alle borgere", "all citizens"),
        "group.ages": ("{ages}-årige", "{ages}-year-olds"),
        "group.ages_open": ("{age}-årige og ældre", "people aged {age} and over"),
        "group.ages_gender": ("{ages}-årige {genders}", "{genders} aged {ages}"),
        "group.open_gender": ("{genders} på {age} år og derover", "{genders} aged {age} and over"),
        "group.gender.kvinde": ("kvinder", "women"),
        "group.gender.mand": ("mænd", "men"),
        "group.gender.andet": ("personer med andet køn", "people of another gender"),
        "group.gender.uoplyst": ("personer uden oplyst køn", "people of unstated gender"),
        "map.group_all_ages": ("Alle aldre", "All ages"),
        "upload.wave_needed": (
            "Skriv hvilken bølge svarene hører til (fx 2025) i feltet Bølge ovenfor – den kan "
            "ikke læses af filnavnet.",
            "Enter the wave these answers belong to (e.g. 2025) in the Wave field above – it "
            "cannot be read from the file name.",
        ),
        "format.googleforms": ("Google Forms", "Google Forms"),
        "format.msforms": ("Microsoft Forms", "Microsoft Forms"),
        "format.surveyxact": ("SurveyXact", "SurveyXact"),
        "format.govocal": ("Go Vocal", "Go Vocal"),
        "format.decidim": ("Decidim", "Decidim"),
        "format.dst": ("Danmarks Statistik", "Statistics Denmark"),
        "format.csv": ("CSV-fil", "CSV file"),
        "format.xlsx": ("Excel-fil", "Excel file"),
        "format.geojson": ("GeoJSON", "GeoJSON"),
        "map.group_all_genders": ("Begge køn", "Both genders"),
        "admin.erase_no_value": (
            "Skriv borgerens e-mailadresse eller respondent-id – intet er slettet.",
            "Enter the citizen's email address or respondent id – nothing was erased.",
        ),
        "admin.erase_not_confirmed": (
            "Intet er slettet: sæt flueben ved bekræftelsen, og skriv værdien igen (feltet "
            "tømmes af hensyn til borgerens oplysninger).",
            "Nothing was erased: tick the confirmation and enter the value again (the field is "
            "cleared to protect the citizen's details).",
        ),
        "explore.all_hidden": (
            "Alle celler har færre end {k} svar og er skjult for at beskytte den enkelte. Fjern "
            "et filter eller vælg en bredere opdeling for at se tal.",
            "Every cell has fewer than {k} responses and is hidden to protect individuals. "
            "Remove a filter or choose a broader breakdown to see figures.",
        ),
        "ui.choose": ("Vælg …", "Choose …"),
        "ui.choose_all": ("Alle (vælg for at afgrænse)", "All (choose to narrow)"),
    }
)

# d3 number and time locales for Vega-Lite charts (config.locale): decimal commas and Danish
# month names in every axis and legend, as in the tables.
VEGA_LOCALE = {
    "da": {
        "number": {
            "decimal": ",",
            "thousands": ".",
            "grouping": [3],
            "currency": ["", "\u00a0kr."],
            "percent": "\u00a0%",
        },
        "time": {
            "dateTime": "%A den %d. %B %Y %X",
            "date": "%d.%m.%Y",
            "time": "%H:%M:%S",
            "periods": ["", ""],
            "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
            "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
            "months": [
                "januar",
                "februar",
                "marts",
                "april",
                "maj",
                "juni",
                "juli",
                "august",
                "september",
                "oktober",
                "november",
                "december",
            ],
            "shortMonths": [
                "jan",
                "feb",
                "mar",
                "apr",
                "maj",
                "jun",
                "jul",
                "aug",
                "sep",
                "okt",
                "nov",
                "dec",
            ],
        },
    },
    "en": {
        "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]},
    },
}


def vega_locale(lang: str = "da") -> dict:
    """The Vega `config.locale` for a language: Danish commas and month names in charts."""
    return VEGA_LOCALE.get(lang, VEGA_LOCALE["da"])


def plural(count: float | int | None, singular: str, plural_form: str, lang: str = "da") -> str:
    """1 -> "1 deltager", 2 -> "2 deltagere" (the number formatted the Danish way)."""
    word = singular if count is not None and abs(count) == 1 else plural_form
    return f"{number(count, lang)} {word}"


TEXT.update(
    {
        # Words for codes: survey fields in the Upload mapping, audit actions, import kinds.
        "field.ignore": ("Bruges ikke", "Not used"),
        "field.source_id": ("Svar-id fra kilden", "Response id from the source"),
        "field.submitted_at": ("Indsendt", "Submitted at"),
        "field.age": ("Alder", "Age"),
        "field.birth_year": ("Fødselsår", "Year of birth"),
        "field.age_band": ("Aldersgruppe", "Age band"),
        "field.gender": ("Køn", "Gender"),
        "field.area": ("Lokalområde", "Area"),
        "field.postal_code": ("Postnummer", "Postal code"),
        "field.topics": ("Emner", "Topics"),
        "field.interest": ("Interesse", "Interest"),
        "field.formats": ("Formater", "Formats"),
        "field.time_per_month": ("Tid pr. måned", "Time per month"),
        "field.engagement": ("Engagement", "Engagement"),
        "field.consent": ("Samtykke til kontakt", "Consent to contact"),
        "field.name": ("Navn", "Name"),
        "field.first_name": ("Fornavn", "First name"),
        "field.last_name": ("Efternavn", "Last name"),
        "field.email": ("E-mailadresse", "Email address"),
        "field.phone": ("Telefonnummer", "Phone number"),
        "field.extra": ("Ekstra baggrund: {name}", "Extra background: {name}"),
        "problem.row": ("Række", "Row"),
        "problem.column": ("Kolonne", "Column"),
        "problem.value": ("Værdi", "Value"),
        "problem.reason": ("Årsag", "Reason"),
        "audit.action.ingest": ("Indlæsning", "Import"),
        "audit.action.undo": ("Fortrudt indlæsning", "Import undone"),
        "audit.action.erase": ("Sletning af borger", "Citizen erased"),
        "audit.action.purge_contacts": ("Oprydning i kontakter", "Contacts purged"),
        "audit.action.export_contacts": ("Udtræk af kontakter", "Contacts exported"),
        "audit.ingest": (
            "Indlæste {rows} fra en fil med {kind} (indlæsning nr. {batch}).",
            "Loaded {rows} from a file of {kind} (import no. {batch}).",
        ),
        "audit.undo": (
            "Fortrød indlæsning nr. {batch}; dens rækker er fjernet.",
            "Undid import no. {batch}; its rows are removed.",
        ),
        "audit.erase": (
            "Slettede {respondents} på anmodning ({rows} i alt).",
            "Erased {respondents} on request ({rows} in all).",
        ),
        "audit.purge_contacts": (
            "Slettede {rows} med samtykke ældre end {months} måneder.",
            "Deleted {rows} with consent older than {months} months.",
        ),
        "audit.export_contacts": (
            "Hentede {rows} som {format}. Begrundelse: {reason}. Udvalg: {segment}.",
            "Exported {rows} as {format}. Reason: {reason}. Selection: {segment}.",
        ),
        "audit.kind.areas": ("områder", "areas"),
        "audit.kind.population": ("befolkningstal", "population figures"),
        "audit.kind.survey": ("spørgeskemasvar", "survey answers"),
        "audit.kind.platform": ("platformsdata", "platform data"),
        "audit.actor.sample": ("Eksempeldata (automatisk)", "Sample data (automatic)"),
        "word.row": ("række", "row"),
        "word.rows": ("rækker", "rows"),
        "word.response": ("besvarelse", "response"),
        "word.responses": ("besvarelser", "responses"),
        "word.citizen": ("borger", "citizen"),
        "word.citizens": ("borgere", "citizens"),
        "word.contact": ("kontaktoplysning", "contact record"),
        "word.contacts": ("kontaktoplysninger", "contact records"),
        "word.participant": ("deltager", "participant"),
        "word.participants": ("deltagere", "participants"),
    }
)


def counted(count: float | int | None, word: str, lang: str = "da") -> str:
    """A count with its word in the right number: counted(1, "row") -> "1 række"."""
    return plural(count, t(f"word.{word}", lang), t(f"word.{word}s", lang), lang)


# Panels and goals for the term (issue 17) live in their own table, merged here.
from data_pipeline.core.i18n_panel import PANEL_TEXT  # noqa: E402  (needs TEXT defined above)

TEXT.update(PANEL_TEXT)

# The app frame (issue 14): failed pages, unknown paths, filters a page does not use.
from data_pipeline.core.i18n_frame import FRAME_TEXT  # noqa: E402  (needs TEXT defined above)

TEXT.update(FRAME_TEXT)
