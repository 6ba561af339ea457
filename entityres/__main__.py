"""``python -m entityres``: the command line (:mod:`entityres.cli`)."""
import sys

from .cli import main

sys.exit(main())
