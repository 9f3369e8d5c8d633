"""`python -m data_pipeline ...` runs the CLI."""

import sys

from data_pipeline.cli.main import main

sys.exit(main())
