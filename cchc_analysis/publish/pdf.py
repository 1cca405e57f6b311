"""HTML to PDF through WeasyPrint, offline: only data: URIs and the fonts shipped with matplotlib are fetched.

WeasyPrint needs Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``) and fontconfig from the system; `.ci/run`
installs them when missing. The serif family is Times New Roman or Liberation Serif when installed (Debian
``fonts-liberation2``), else DejaVu Serif from matplotlib's own files, so the PDF always embeds a font with full
Vietnamese coverage whatever the machine has.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def font_css() -> str:
    """@font-face rules of the "CCHC Serif" family: installed Times-metric fonts first, matplotlib's DejaVu Serif
    (which covers Vietnamese) as the shipped fallback."""
    faces = []
    for weight, style, local_names, file in (
        ("normal", "normal", ("Times New Roman", "Liberation Serif", "Tinos"), "DejaVuSerif.ttf"),
        ("bold", "normal", ("Times New Roman Bold", "Liberation Serif Bold", "Tinos Bold"), "DejaVuSerif-Bold.ttf"),
        (
            "normal",
            "italic",
            ("Times New Roman Italic", "Liberation Serif Italic", "Tinos Italic"),
            "DejaVuSerif-Italic.ttf",
        ),
        (
            "bold",
            "italic",
            ("Times New Roman Bold Italic", "Liberation Serif Bold Italic", "Tinos Bold Italic"),
            "DejaVuSerif-BoldItalic.ttf",
        ),
    ):
        sources = [f'local("{n}")' for n in local_names]
        path = _font_dir() / file
        if path.is_file():
            sources.append(f'url("{path.as_uri()}")')
        faces.append(
            f'@font-face {{ font-family: "CCHC Serif"; font-weight: {weight}; font-style: {style}; '
            f"src: {', '.join(sources)}; }}"
        )
    return "\n".join(faces) + '\nhtml { font-family: "CCHC Serif", serif; }\n'


def _fetcher():
    from weasyprint.urls import URLFetcher

    allowed = _font_dir().resolve()

    class OfflineFetcher(URLFetcher):
        """data: URIs and the bundled font files only; anything else is refused (logged, not fetched)."""

        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                from urllib.parse import unquote, urlparse

                path = Path(unquote(urlparse(url).path)).resolve()
                if not path.is_relative_to(allowed):
                    raise ValueError(f"tài nguyên ngoài tài liệu bị chặn: {url}")
            elif not url.startswith("data:"):
                raise ValueError(f"tài nguyên ngoài tài liệu bị chặn: {url[:80]}")
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols={"data", "file"})


def html_to_pdf(page: str) -> bytes:
    """An A4 PDF of a brief page (see ``brief.css`` for page size, margins and page numbers)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    fonts = FontConfiguration()
    fetcher = _fetcher()
    css = weasyprint.CSS(string=font_css(), font_config=fonts, url_fetcher=fetcher)
    document = weasyprint.HTML(string=page, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css], font_config=fonts)
