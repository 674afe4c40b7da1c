"""`python -m rnnviz ...` runs the command line (see rnnviz/cli.py)."""

import sys

from rnnviz.cli import main

sys.exit(main())
