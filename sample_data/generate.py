"""Regenerate the Fjordlund Kommune sample data.

Usage: ``python sample_data/generate.py [--out DIR]`` (default: this folder).
All logic lives in ``tools.synthetic``; every seed is fixed, so two runs write
byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a plain script from any working directory

from tools.synthetic import write_sample  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    args = parser.parse_args(argv)
    summary = write_sample(args.out)
    for year in (2021, 2025):
        print(f"survey {year}: {summary[year]['valid_rows']} valid rows")
    print(f"wrote sample data to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
