"""tools/rewrite_imports.py brings a branch written against the flat package up to date
(issue 15): old paths move, split modules are followed name by name, and a second run changes
nothing."""

from __future__ import annotations

from tools.rewrite_imports import rewrite

OLD = (
    "from data_pipeline.cli import main\n"
    "from data_pipeline.queries import Filters, where_clause\n"
    "import data_pipeline.load as load\n"
    'WARM_SKIP = ("data_pipeline.cli", "tools")\n'
)


def test_old_flat_imports_move_to_the_staged_layout():
    new = rewrite(OLD)
    assert "from data_pipeline.cli.main import main" in new
    assert "from data_pipeline.analysis.filtering import Filters, where_clause" in new
    assert "import data_pipeline.store.load as load" in new


def test_a_quoted_package_name_is_left_as_it_is():
    # "data_pipeline.cli" is the package now; it was once rewritten to "data_pipeline.cli.main"
    assert 'WARM_SKIP = ("data_pipeline.cli", "tools")' in rewrite(OLD)


def test_a_second_run_changes_nothing():
    once = rewrite(OLD)
    assert rewrite(once) == once
