"""nbconvert exporters of the briefs: ``--to cchc_html`` and ``--to cchc_pdf`` (entry point
``nbconvert.exporters``). Only cell outputs are published, through the package's own template: no code, no
prompts, no JavaScript, no external URL (the stock templates load MathJax and require.js from a CDN)."""

from __future__ import annotations

from pathlib import Path

from nbconvert.exporters import TemplateExporter
from traitlets import default

from ..fileio import write_atomic
from .sanitize import strip_active

TEMPLATES = Path(__file__).parent / "templates"


def _markdown(source: str) -> str:
    """Markdown cells to HTML without the "¶" anchor links of the stock templates, raw HTML left to strip_active."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    renderer = IPythonRenderer(escape=False, exclude_anchor_links=True, allow_harmful_protocols=False)
    return MarkdownWithMath(renderer=renderer).render(source)


class BriefHTMLExporter(TemplateExporter):
    """A notebook's published outputs as one self-contained A4 HTML page."""

    export_from_notebook = "CCHC brief (HTML)"
    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self):
        return ".html"

    @default("template_name")
    def _template_name_default(self):
        return "cchc_brief"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES)]

    @property
    def template_paths(self):  # only the package's templates: nothing inherited from the stock ones
        return [str(TEMPLATES / "cchc_brief"), str(TEMPLATES)]

    def default_filters(self):
        yield from super().default_filters()
        yield ("strip_active", strip_active)
        yield ("markdown2html", _markdown)

    def _init_resources(self, resources):
        resources = super()._init_resources(resources)
        resources.setdefault("metadata", {})
        return resources

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = self._init_resources(resources or {})
        title = nb.metadata.get("cchc", {}).get("title") or resources["metadata"].get("name", "")
        resources["metadata"]["name"] = title
        return super().from_notebook_node(nb, resources, **kw)


class BriefPDFExporter(BriefHTMLExporter):
    """The same page printed to PDF by WeasyPrint, fonts embedded, page numbers in the footer."""

    export_from_notebook = "CCHC brief (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_file")
    def _template_file_default(self):
        return "index.html.j2"

    def from_notebook_node(self, nb, resources=None, **kw):
        from .pdf import html_to_pdf

        page, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf(page), resources


def publish_notebook(notebook: Path | str, base: Path | str, formats: list[str]) -> list[str]:
    """Publish an executed notebook as ``<base>.html`` and/or ``<base>.pdf`` (written atomically); returns the paths.

    The PDF is printed from the same HTML, so both carry the same content.
    """
    import nbformat

    from .pdf import html_to_pdf

    nb = nbformat.read(str(notebook), as_version=4)
    base = Path(base)
    page, _resources = BriefHTMLExporter().from_notebook_node(nb, {"metadata": {"name": base.name}})
    written = []
    if "html" in formats:
        write_atomic(base.with_name(base.name + ".html"), page.encode("utf-8"))
        written.append(str(base.with_name(base.name + ".html")))
    if "pdf" in formats:
        write_atomic(base.with_name(base.name + ".pdf"), html_to_pdf(page))
        written.append(str(base.with_name(base.name + ".pdf")))
    return written
