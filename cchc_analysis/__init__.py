"""cchc-analysis: indicators, rankings and briefs on administrative reform (CCHC) from Vietnamese commune exports."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cchc-analysis")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
