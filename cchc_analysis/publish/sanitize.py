"""Strip active content from notebook HTML outputs before they are published: no script, no frame, no event
handler, no resource outside the document (only data: images and in-page links survive)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

DROP_WITH_CONTENT = {
    "script",
    "iframe",
    "object",
    "embed",
    "frame",
    "frameset",
    "applet",
    "noscript",
    "template",
    # SVG animation can set any attribute, href included, to a javascript: URL
    "animate",
    "set",
    "animatetransform",
    "animatemotion",
    "handler",
    "listener",
}
DROP_TAG = {"link", "meta", "base", "form", "input", "button", "textarea", "select", "option"}
VOID = {"area", "br", "col", "hr", "img", "source", "track", "wbr", "link", "meta", "base", "input"}
# every attribute a browser resolves as a URL (HTML, SVG, MathML)
URL_ATTRS = {
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "poster",
    "background",
    "xlink:href",
    "data",
    "ping",
    "cite",
    "longdesc",
    "usemap",
    "manifest",
    "codebase",
    "archive",
    "dynsrc",
    "lowsrc",
    "icon",
    "profile",
    "classid",
    "srcdoc",
    "imagesrcset",
}
# attributes whose value may hold a resource as a picture only (a data: image), everything else dropped
IMAGE_ATTRS = {"src", "poster", "background", "data", "dynsrc", "lowsrc", "icon"}
_IGNORED_IN_URLS = str.maketrans("", "", "".join(chr(c) for c in range(0x21)) + "\x7f")


def _safe_url(name: str, value: str) -> bool:
    """An in-page link ("#part"), a relative path, or (for a picture) a data: image. Browsers drop spaces and
    control characters inside a URL and read a backslash as a slash: "java\tscript:", "/\\host/x" are treated
    as they would be read."""
    v = value.translate(_IGNORED_IN_URLS).replace("\\", "/").lower()
    if name in ("srcset", "imagesrcset", "srcdoc"):
        return False  # candidate lists and whole documents: never needed in a brief
    if name in IMAGE_ATTRS:
        return v.startswith("data:image/") and "," in v and not v.startswith("data:image/svg")
    return v.startswith("#") or not (":" in v.split("/")[0] or v.startswith("//"))


def _fetches(css: str) -> bool:
    """CSS that loads something (url(), @import) or runs something (old IE's expression(), behaviours)."""
    key = css.translate(_IGNORED_IN_URLS).lower().replace("\\", "")
    return any(word in key for word in ("url(", "@import", "expression(", "behavior:", "-moz-binding", "image-set("))


def _outside_image(tag: str, attrs) -> bool:
    return tag == "img" and not any(n == "src" and v and _safe_url("src", v) for n, v in attrs)


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skip = 0  # depth inside a dropped element
        self.in_style = False  # inside a <style> element: its rules may fetch (url(), @import)

    def _attrs(self, attrs) -> str:
        kept = []
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on") or (name == "style" and value and _fetches(value)):
                continue
            if name in URL_ATTRS and (value is None or not _safe_url(name, value)):
                continue
            kept.append(f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"')
        return "".join(kept)

    def handle_starttag(self, tag, attrs):
        if _outside_image(tag, attrs):
            return  # an image from outside the document is dropped, not left broken
        if tag in DROP_WITH_CONTENT:
            if tag not in VOID:
                self.skip += 1
            return
        if self.skip or tag in DROP_TAG:
            return
        self.in_style = self.in_style or tag == "style"
        self.out.append(f"<{tag}{self._attrs(attrs)}>")

    def handle_startendtag(self, tag, attrs):
        if self.skip or tag in DROP_WITH_CONTENT or tag in DROP_TAG or _outside_image(tag, attrs):
            return
        self.out.append(f"<{tag}{self._attrs(attrs)}/>")

    def handle_endtag(self, tag):
        if tag in DROP_WITH_CONTENT:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip or tag in DROP_TAG or tag in VOID:
            return
        if tag == "style":
            self.in_style = False
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.skip or (self.in_style and _fetches(data)):
            return  # a style sheet that would fetch something is dropped whole
        self.out.append(data)

    def handle_entityref(self, name):
        if not self.skip:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.skip:
            try:
                char = chr(int(name[1:], 16) if name[:1] in "xX" else int(name))
            except (ValueError, OverflowError):
                return
            # letters back to text (Vietnamese reads as Vietnamese in the source); markup characters stay escaped;
            # NUL and other unprintable characters carry nothing and are dropped
            if char.isprintable() or char in "\n\t":
                self.out.append(html.escape(char) if char in "<>&\"'" else char)

    def handle_comment(self, data):
        pass  # comments can hide conditional markup; they carry nothing for readers


def strip_active(markup: str) -> str:
    """``markup`` without scripts, frames, event handlers, forms or external resources.

    >>> strip_active('<p onclick="x()">a<script>alert(1)</script><img src="http://e/x.png"></p>')
    '<p>a</p>'
    """
    cleaner = _Cleaner()
    cleaner.feed(markup or "")
    cleaner.close()
    return "".join(cleaner.out)
