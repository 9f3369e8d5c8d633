"""Chart labels that survive a narrow column (issue 14, item 4): long option names are drawn
over two lines, every option still named. Rendered for real with vl-convert."""

from __future__ import annotations

import re

import pandas as pd
import vl_convert

from app_support import ui


def test_long_option_names_are_drawn_over_two_lines():
    frame = pd.DataFrame(
        {
            "label": ["Hurtige online-afstemninger", "Politiske workshops", "Høringer"],
            "share": [0.5, 0.3, 0.2],
        }
    )
    svg = vl_convert.vegalite_to_svg(ui.ranked_bars(frame, "da", "Formater").to_dict())
    for line in ("Hurtige online-", "afstemninger", "Politiske", "workshops", "Høringer"):
        assert f">{line}</tspan>" in svg or f">{line}</text>" in svg, line
    assert "Hurtige online-afstemninger<" not in svg  # not on one line


def test_a_two_line_label_is_centred_on_its_bar():
    """At 1024 px "Hurtige online-/afstemninger" sat with its first line on the bar and its
    second between two bars, next to the following option's name."""
    frame = pd.DataFrame(
        {
            "label": ["Hurtige online-afstemninger", "Høringer", "Politiske workshops"],
            "share": [0.5, 0.3, 0.2],
        }
    )
    svg = vl_convert.vegalite_to_svg(ui.ranked_bars(frame, "da", "Formater").to_dict())
    axis = svg[svg.index('aria-label="Y-axis') :]
    ticks = [float(y) for y in re.findall(r'<line transform="translate\(0,([\d.]+)\)"', axis)][:3]
    labels = re.findall(
        r'<text text-anchor="end" transform="translate\(-?[\d.]+,([\d.]+)\)"[^>]*>(.*?)</text>',
        axis,
    )[:3]
    offsets = []
    for (y, body), tick in zip(labels, ticks, strict=True):
        steps = [float(dy) for dy in re.findall(r'dy="([\d.]+)"', body)]
        offsets.append(float(y) + sum(steps) / 2 - tick)  # the middle of the label's lines
    assert max(offsets) - min(offsets) < 1, offsets
