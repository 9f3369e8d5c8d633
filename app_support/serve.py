"""Start the dashboard warm: `python -m app_support.serve [streamlit run options]`.

`streamlit run app.py` starts listening at once and imports pandas, Altair, DuckDB, Babel,
scikit-learn and our own modules while the first visitor waits: about a second of every page's
first visit on the 2-core machine (issue 16 profile), more under load. This launcher does that
work before the server listens (the health check answers only then), then hands over to
Streamlit's own command line with the same options:

  1. imports every module the pages and app_support import, at the top of a file or inside a
     function (read from their source, so a new page is covered without a list to keep), except
     app_support and streamlit themselves (their caches must be made inside the runtime);
  2. builds the sample database when it is missing and clusters its segments, as the first
     visit would otherwise do behind a spinner (data_pipeline.analysis.sample_ready);
  3. once the server listens, visits each read-only page once (app_support.warmup), so the
     page caches and Streamlit's own first-run costs are paid before a person arrives.

`streamlit run app.py` keeps working; it only leaves this work to the first visitor.
"""

from __future__ import annotations

import ast
import importlib
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("deltagelsesatlas.serve")


def _imported_modules(files: list[Path]) -> list[str]:
    """Absolute module names imported anywhere in `files` (relative imports are skipped)."""
    names: dict[str, None] = {}
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module] = None
                # `from data_pipeline.analysis import segment_store` imports a module too
                names.update(dict.fromkeys(f"{node.module}.{a.name}" for a in node.names))
    return list(names)


def warm_modules() -> tuple[int, float]:
    """Import what the app will import, including the lazy imports inside data_pipeline.
    Returns (modules imported, seconds). A module that fails to import is logged and skipped:
    the page that needs it reports the failure to its user as it always did."""
    started = time.perf_counter()
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    files += sorted((ROOT / "app_support").glob("*.py"))
    files += sorted((ROOT / "data_pipeline").rglob("*.py"))
    count = 0
    for name in _imported_modules(files):
        # Not app_support or streamlit: a module with st.cache_data, imported before the
        # runtime exists, would keep caches outside it. Those are our own, quick to import.
        if name == "__future__" or name.startswith(
            ("data_pipeline.cli", "tests", "tools", "app_support", "streamlit", "app")
        ):
            continue
        if (
            name.split(".")[0] not in sys.modules
            and importlib.util.find_spec(name.split(".")[0]) is None
        ):
            continue
        try:
            importlib.import_module(name)
            count += 1
        except ImportError:
            continue  # `from package import function` names no module: nothing to import
        except Exception as exc:  # noqa: BLE001 - warming is an optimisation, never a blocker
            log.warning("Kunne ikke forindlæse %s (%s)", name, type(exc).__name__)
    return count, time.perf_counter() - started


def prepare_database() -> bool:
    """Build the sample database when it is missing (with its segments) and publish the
    snapshot the pages read. Returns whether the sample was built."""
    import data_pipeline.store.locking as store
    from data_pipeline.analysis.sample_ready import build_sample
    from data_pipeline.store.db import default_db_path

    path = default_db_path()
    built = not Path(path).exists() and build_sample(path) is not None
    store.ensure_snapshot(path, wait=True)
    return built


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    modules, seconds = warm_modules()
    built = prepare_database()
    log.info(
        "Deltagelsesatlas: %d moduler forindlæst på %.1f s; database %s.",
        modules,
        seconds,
        "bygget fra eksempelkommunen" if built else "klar",
    )
    from streamlit.web import cli

    from app_support import warmup  # no st.cache_data inside: safe before the runtime exists

    warmup.start()
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
