"""``python -m cchc_analysis`` runs the ``cchc`` command line."""

import sys

from .cli import main

sys.exit(main())
