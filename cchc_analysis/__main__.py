"""``python -m cchc_analysis`` runs the ``cchc`` command line."""

from .cli import console

console()
