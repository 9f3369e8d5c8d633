"""The panel lottery's solve (sortition-algorithms, maximin on HiGHS) in a child process with a
fixed PYTHONHASHSEED, so the same pool, quotas and seed give the same panels in every process.

The package keeps person ids and committees in Python sets of strings, whose order follows the
per-process hash seed, and the LP it builds (and so the distribution over panels) follows that
order. The parent sends ids and background values only (JSON on stdin); never contact data.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

# Any fixed value works; it is part of what makes a draw reproducible, with the pinned package
# versions and the Python version (str hashing is the same within a Python minor version).
HASH_SEED = "17"
# The solver's own tie-breaking uses a random generator: fixed as well.
DISTRIBUTION_SEED = 17


class Infeasible(Exception):
    """The solver found no panel that meets the quotas together."""


def solve_maximin(
    people: list[tuple[int, dict[str, str]]], quotas: list[dict], size: int
) -> tuple[list[list[int]], list[float]]:
    """The maximin distribution over panels: (committees as sorted ids, their probabilities).

    `people` is (id, {feature: value}) in a fixed order; `quotas` are dicts with feature, value,
    min and max. Raises Infeasible when no panel meets the quotas.
    """
    payload = json.dumps(
        {"people": [[int(i), v] for i, v in people], "quotas": quotas, "size": int(size)}
    ).encode()
    package_root = Path(__file__).resolve().parents[__name__.count(".")]
    env = {**os.environ, "PYTHONHASHSEED": HASH_SEED}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(package_root), os.environ.get("PYTHONPATH", "")) if p
    )
    done = subprocess.run(  # noqa: S603 (our own module, no shell, no user input in the argv)
        [sys.executable, "-m", __name__],
        input=payload,
        stdout=subprocess.PIPE,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the panel solver stopped with exit code {done.returncode}")
    result = json.loads(done.stdout)
    if "infeasible" in result:
        raise Infeasible(result["infeasible"])
    return result["committees"], result["probabilities"]


def _solve(request: dict) -> dict:
    from sortition_algorithms.committee_generation import find_distribution_maximin
    from sortition_algorithms.errors import SortitionBaseError
    from sortition_algorithms.features import FeatureValueMinMax
    from sortition_algorithms.people import People
    from sortition_algorithms.utils import set_random_provider

    # The package logs (and may name pool members by id): silent, after its import set it up.
    for name in ("sortition_algorithms", "sortition_algorithms_user"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    size = request["size"]
    features: dict[str, dict] = {}
    for q in request["quotas"]:
        features.setdefault(q["feature"], {})[q["value"]] = FeatureValueMinMax(
            min=q["min"], max=q["max"], max_flex=size
        )
    people = People([])
    for person_id, values in request["people"]:
        people.add(str(person_id), values, features, 0)
    set_random_provider(DISTRIBUTION_SEED)
    try:
        committees, probabilities, _report = find_distribution_maximin(features, people, size, [])
    except (SortitionBaseError, ValueError, RuntimeError) as exc:
        return {"infeasible": type(exc).__name__}
    return {
        "committees": [sorted(int(i) for i in c) for c in committees],
        "probabilities": [float(p) for p in probabilities],
    }


def _child() -> None:
    request = json.loads(sys.stdin.buffer.read())
    # HiGHS prints its banner from C straight to fd 1: the answer goes to a copy of fd 1.
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    result = _solve(request)
    answer.write(json.dumps(result))
    answer.close()


if __name__ == "__main__":
    _child()
