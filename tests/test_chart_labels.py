"""Chart labels that survive a narrow column (issue 14, item 4): long option names are drawn
over two lines, every option still named. Rendered for real with vl-convert."""

from __future__ import annotations

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
