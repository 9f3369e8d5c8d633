"""The shared filter bar and language, kept in session state and mirrored in the URL.

A copied link opens the same view: every filter is written to the query string as codes.
Unknown values in a link are dropped with a notice, never with an exception.
"""

from __future__ import annotations

import os

import streamlit as st

from app_support import data, streamlit_compat
from app_support.ui import municipality, plain, today_text
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.disclosure import DEFAULT_K, check_k
from data_pipeline.core.i18n import t

# URL parameter -> (widget key, choices key, Filters field)
FILTER_PARAMS: dict[str, tuple[str, str, str]] = {
    "age": ("f_age_band", "age_band", "age_bands"),
    "gender": ("f_gender", "gender", "genders"),
    "area": ("f_area", "area", "areas"),
    "topic": ("f_topic", "topic", "topics"),
    "format": ("f_format", "format", "formats"),
    "time": ("f_time", "time", "times"),
    "engagement": ("f_engagement", "engagement", "engagements"),
}
FILTER_FIELDS = tuple(field for _key, _choice, field in FILTER_PARAMS.values())
# Small-cell threshold for every page: DELTAGELSESATLAS_K (default 5; privacy refuses < 3).
K_DEFAULT = check_k(int(os.environ.get("DELTAGELSESATLAS_K", DEFAULT_K)))


def initial_language() -> str:
    """Danish by default; a link may ask for English with lang=en."""
    if "_lang" not in st.session_state:
        wanted = st.query_params.get("lang", "da")
        st.session_state["_lang"] = wanted if wanted in ("da", "en") else "da"
    return st.session_state["_lang"]


def _keep(key: str) -> None:
    """Copy a widget's value to a key Streamlit never cleans up, so it survives page switches."""
    st.session_state[f"_{key}"] = st.session_state[key]


def _restore(key: str, default) -> None:
    st.session_state[key] = st.session_state.get(f"_{key}", default)


def language() -> str:
    """The language switch, one click away in the sidebar."""
    _restore("lang", initial_language())
    st.sidebar.radio(
        t("app.language", st.session_state["lang"]),
        options=["da", "en"],
        format_func=lambda code: {"da": "Dansk", "en": "English"}[code],
        horizontal=True,
        key="lang",
        on_change=_keep,
        args=("lang",),
    )
    return st.session_state["lang"]


def _follow_url() -> None:
    """Decide once per run whether the address bar or the widgets hold the view.

    The URL decides on a session's first run (a shared link) and whenever it differs from what
    we last wrote on the same page: Streamlit (1.67) pushes a history entry for every change of
    st.query_params and reruns with the old query string on Back/Forward. A menu click to
    another page keeps the filters even when Streamlit drops the query string.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    page = getattr(ctx, "page_script_hash", "") or ""
    current = {key: st.query_params.get(key) for key in st.query_params}
    written = st.session_state.get("_url_written")
    last_page = st.session_state.get("_url_page")
    st.session_state["_url_page"] = page
    menu_click = page != last_page and not set(current) & KNOWN_PARAMS
    apply = written is None or not (current == written or menu_click)
    st.session_state["_url_apply"] = apply
    if apply and written is not None:  # Back/Forward may change the language too
        wanted = st.query_params.get("lang", "da")
        st.session_state["_lang"] = wanted if wanted in ("da", "en") else "da"


def _read_url(options: dict) -> None:
    """When the URL decides (see _follow_url), it sets every filter; a missing one means all."""
    if not st.session_state.get("_url_apply"):
        return
    st.session_state["_url_too_long"] = []
    ignored = []
    wave = _param("wave")
    st.session_state["_f_wave"] = None  # the latest wave unless the link names one
    if wave is not None:
        if wave in options["wave"]:
            st.session_state["_f_wave"] = wave
        else:
            ignored.append(f"wave={wave}")
    for param, (key, choice, _field) in FILTER_PARAMS.items():
        raw = _param(param) or ""
        values = [v for v in raw.split(",") if v]
        valid = [v for v in values if v in options[choice]]
        ignored.extend(f"{param}={v}" for v in values if v not in options[choice])
        st.session_state[f"_{key}"] = valid
    ignored.extend(f"{name}=…" for name in st.session_state["_url_too_long"])
    st.session_state["_url_ignored"] = ignored


def _write_url(filters: Filters, lang: str) -> None:
    """The filters and language into the link; the current page's own choices are kept."""
    wanted = {"lang": lang} if lang != "da" else {}
    if filters.wave:
        wanted["wave"] = filters.wave
    for param, (_key, _choice, field) in FILTER_PARAMS.items():
        values = getattr(filters, field)
        if values:
            wanted[param] = ",".join(values)
    page = _current_url_path()
    for key, param in PAGE_PARAMS.items():
        if _PAGE_OF_PREFIX[key[0]] == page and param in st.query_params:
            wanted[param] = st.query_params.get(param)
    _set_url(wanted)


def _current_url_path() -> str:
    """The url path of the page this run draws ("kort"), from Streamlit's page registry."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return ""
    info = (ctx.pages_manager.get_pages() or {}).get(ctx.page_script_hash) or {}
    return info.get("url_pathname", "")


def _set_url(wanted: dict[str, str]) -> None:
    """One write (one history entry) and only when something changed."""
    current = {key: st.query_params.get(key) for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)
    st.session_state["_url_written"] = dict(wanted)


# A page's own choices in the link: widget key -> URL parameter. Values are codes; a value equal
# to the page's default is left out, so a plain link stays short.
PAGE_PARAMS: dict[str, str] = {
    "x_rows": "rows",
    "x_cols": "cols",
    "x_measure": "measure",
    "x_weighted": "weighted",
    "x_chart": "chart",
    "k_measure": "mode",
    "k_group_age": "group_age",
    "k_group_gender": "group_gender",
    "k_topic": "map_topic",
    "k_format": "map_format",
    "g_split": "by",
    "a_platform": "platform",
    "a_by": "activity_by",
    "a_dim": "activity_dim",
}
_PAGE_OF_PREFIX = {"x": "udforsk", "k": "kort", "g": "grupper", "a": "aktivitet"}
KNOWN_PARAMS = {"lang", "wave", *FILTER_PARAMS, *PAGE_PARAMS.values()}
_NONE = "-"  # an empty choice where the default is not empty (Kort's group: all ages)
# Every code list of a real municipality fits in far less; a 100 KB parameter is an attack.
MAX_PARAM_CHARS = 2_000
SHOWN_IGNORED = 10  # the notice names this many ignored values, each cut to 40 characters


def _param(name: str) -> str | None:
    """A URL parameter, or None when it is longer than MAX_PARAM_CHARS (noted as ignored)."""
    raw = st.query_params.get(name)
    if raw is not None and len(raw) > MAX_PARAM_CHARS:
        st.session_state.setdefault("_url_too_long", []).append(name)
        return None
    return raw


def _encode(value, default) -> str | None:
    if value == default:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or _NONE
    return None if value is None else str(value)


def _decode(raw: str | None, options, default):
    """A value from the link, or the default when the link has none or an unknown one."""
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw == "1"
    by_text = {str(option): option for option in options}
    if isinstance(default, list):
        if raw == _NONE:
            return []
        return [by_text[v] for v in raw.split(",") if v in by_text]
    return by_text.get(raw, default)


def linked(draw, label: str, options=None, *, key: str, default, drop=None, **kwargs):
    """Draw a page widget whose value lives in the link (Kort's mode, Udforsk's rows …).

    `draw` is the Streamlit widget function (st.radio, left.selectbox, st.toggle); `options`
    its choices (None for a toggle). The value comes from the link when the URL decides, else
    it is kept across page switches. `drop(value)` names parameters that no longer apply.
    """
    param = PAGE_PARAMS[key]
    if st.session_state.get("_url_apply"):
        st.session_state[f"_{key}"] = _decode(_param(param), options or (), default)
    value = st.session_state.get(f"_{key}", default)
    if options is not None:
        allowed = list(options)
        if isinstance(default, list):
            value = [v for v in value if v in allowed]
        elif value not in allowed:
            value = default
    st.session_state[key] = value
    if options is None:
        value = draw(label, key=key, on_change=_keep, args=(key,), **kwargs)
    else:
        value = draw(label, options, key=key, on_change=_keep, args=(key,), **kwargs)
    st.session_state[f"_{key}"] = value
    wanted = {k: st.query_params.get(k) for k in st.query_params}
    text = _encode(value, default)
    if text is None:
        wanted.pop(param, None)
    else:
        wanted[param] = text
    for gone in drop(value) if drop else ():
        wanted.pop(gone, None)
    _set_url(wanted)
    return value


def _reset() -> None:
    for key, _choice, _field in FILTER_PARAMS.values():
        st.session_state[key] = []
        st.session_state[f"_{key}"] = []


def filter_bar(lang: str) -> Filters:
    """Draw the sidebar filters; return the Filters every page uses."""
    options = data.choices(data.db_path(), lang)
    _read_url(options)
    labels = options["labels"]
    sidebar = st.sidebar
    sidebar.header(t("filter.heading", lang))
    waves = options["wave"]
    if waves:
        if st.session_state.get("_f_wave") not in waves:
            st.session_state["_f_wave"] = waves[-1]
        _restore("f_wave", waves[-1])
        sidebar.selectbox(
            t("filter.wave", lang), waves, key="f_wave", on_change=_keep, args=("f_wave",)
        )
    for _param, (key, choice, _field) in FILTER_PARAMS.items():
        dim_labels = labels.get(choice, {})
        _restore(key, [])
        sidebar.multiselect(
            t(f"filter.{choice}", lang),
            options[choice],
            format_func=lambda code, m=dim_labels: m.get(code, code),
            placeholder=t("filter.all", lang),
            # Streamlit's own "Select all" entry is English; an empty filter already means all.
            select_all=False,
            key=key,
            on_change=_keep,
            args=(key,),
        )
    sidebar.button(t("filter.reset", lang), on_click=_reset, key="f_reset")
    filters = Filters(
        wave=st.session_state.get("f_wave"),
        **{
            field: tuple(st.session_state.get(key, [])) for key, _c, field in FILTER_PARAMS.values()
        },
    )
    _write_url(filters, lang)
    st.session_state["filters"] = filters
    return filters


def page_setup() -> tuple[str, Filters]:
    """Every page starts here: the language switch and the shared filter bar in the sidebar.

    Drawn by each page (not app.py) with values kept under private keys, because Streamlit
    drops widgets drawn outside a page when it reruns a multipage app under test.
    """
    streamlit_compat.leave_legacy_pages_mode()  # the one private Streamlit call
    _follow_url()
    lang = language()  # Streamlit's own words: app.py calls streamlit_words.frame_words first
    filters = filter_bar(lang)
    return lang, filters


def map_key() -> str:
    """The map's widget key; a new one after "Ryd", so the chart forgets its clicked areas."""
    return f"k_map_{st.session_state.get('_map_round', 0)}"


def area_from_map(key: str) -> None:
    """on_select of the map: the clicked area (shift-click: areas) becomes the area filter,
    kept and written to the link like any sidebar filter."""
    points = (st.session_state.get(key) or {}).get("selection", {}).get(MAP_SELECTION) or []
    codes = list(dict.fromkeys(str(p["area_code"]) for p in points if p.get("area_code")))
    if codes:
        st.session_state["_f_area"] = codes
        st.session_state["f_area"] = codes


def clear_area() -> None:
    """The map's "Ryd": every area again, and a fresh chart without a clicked area."""
    st.session_state["_f_area"] = []
    st.session_state["f_area"] = []
    st.session_state["_map_round"] = st.session_state.get("_map_round", 0) + 1


MAP_SELECTION = "area_click"


def current_filters() -> Filters:
    return st.session_state.get("filters", Filters())


def current_lang() -> str:
    return st.session_state.get("lang", "da")


def say_not_applied(filters: Filters, fields: tuple[str, ...], lang: str, reason: str) -> None:
    """A page that ignores some sidebar filters says which, whenever one of them is set."""
    names = [
        t(f"filter.{choice}", lang)
        for _key, choice, field in FILTER_PARAMS.values()
        if field in fields and getattr(filters, field)
    ]
    if names:
        text = t("filter.not_applied.some", lang, names=", ".join(names))
        st.info(f"{text} {t(reason, lang)}", icon=":material/filter_alt_off:")


def show_url_notice(lang: str) -> None:
    ignored = st.session_state.get("_url_ignored")
    if ignored:
        shown = [v if len(v) <= 40 else v[:39] + "…" for v in ignored[:SHOWN_IGNORED]]
        if len(ignored) > SHOWN_IGNORED:
            shown.append(f"… (+{len(ignored) - SHOWN_IGNORED})")
        st.info(t("filter.ignored", lang, values=plain(", ".join(shown))))


def describe_filters(filters: Filters, lang: str) -> str:
    """One line saying what the figures cover, for captions and reports."""
    parts = [f"{name}: {values}" for name, values in _filter_parts(filters, lang)]
    if not parts:
        return t("filter.none", lang)
    return t("filter.active", lang, text="; ".join(parts))


def filter_file_words(filters: Filters, lang: str) -> list[str]:
    """The active filters as words for a file name ("alder 18-24 år, 25-29 år"): a downloaded
    file says which selection it holds; nothing when the figures cover the whole municipality."""
    return [f"{name} {values}" for name, values in _filter_parts(filters, lang)]


def _filter_parts(filters: Filters, lang: str) -> list[tuple[str, str]]:
    labels = data.choices(data.db_path(), lang)["labels"]
    parts = []
    for _param, (_key, choice, field) in FILTER_PARAMS.items():
        values = getattr(filters, field)
        if values:
            names = ", ".join(labels.get(choice, {}).get(v, v) for v in values)
            parts.append((t(f"filter.{choice}", lang), names))
    return parts


def export_about(title: str, filters: Filters, lang: str, source: str = "map.source_population"):
    """What a downloaded table holds, for its Excel file's "Om tabellen" sheet and printed
    header (safe_export.xlsx_bytes): title, municipality, wave, filters, source, date and
    what "<k" means. `source` is the word key of the table's source."""
    options = data.choices(data.db_path(), lang)
    about = [(t("download.about.table", lang), title)]
    name = municipality(options["labels"].get("area", {}).values())
    if name:
        about.append((t("download.about.municipality", lang), name))
    about += [
        (t("filter.wave", lang), filters.wave or (options["wave"] or ["–"])[-1]),
        (t("download.about.filter", lang), describe_filters(filters, lang)),
        (t("download.about.source", lang), t(source, lang).split(": ", 1)[-1]),
        (t("download.about.made", lang), today_text(lang)),
        (t("download.about.hidden", lang), t("download.about.hidden_text", lang, k=DEFAULT_K)),
    ]
    return about
