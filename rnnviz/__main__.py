"""`python -m rnnviz ...` runs the command line (see rnnviz/tools/cli.py)."""

import sys

from rnnviz.tools.cli import main

sys.exit(main())
