"""`python -m data_pipeline ...` runs the CLI."""

import sys

from data_pipeline.cli import main

sys.exit(main())
