"""cchc-analysis: indicators, rankings and briefs on administrative reform (CCHC) from Vietnamese commune exports.

The analyst's API (``cchc_analysis.api``, docs in its docstrings) is importable from here::

    from cchc_analysis import load_dossiers, indicators_frame, rankings_frame, monthly_summary, tt01_table

It is loaded on first use, so that ``import cchc_analysis`` (and the ``cchc`` command's start) stays light.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

try:
    __version__ = version("cchc-analysis")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from .api import indicators_frame, load_dossiers, monthly_summary, rankings_frame, tt01_table, with_labels
    from .plots import (
        bump_chart,
        component_heatmap,
        funnel_plot,
        interval_dot_plot,
        monthly_trend,
        monthly_trend_with_on_time,
    )


def __getattr__(name: str):
    """A name of ``__all__`` from the module that defines it (the API's, else the charts'), imported on first use."""
    if name in __all__:
        from . import api

        if hasattr(api, name):
            return getattr(api, name)
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module 'cchc_analysis' has no attribute {name!r}")


__all__ = [  # noqa: RUF022 (the API, then the plots)
    "__version__",
    "load_dossiers",
    "indicators_frame",
    "rankings_frame",
    "monthly_summary",
    "tt01_table",
    "with_labels",
    "monthly_trend",
    "monthly_trend_with_on_time",
    "funnel_plot",
    "interval_dot_plot",
    "bump_chart",
    "component_heatmap",
]
