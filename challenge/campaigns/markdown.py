"""The call's text: Markdown written by organisers, rendered to HTML that is safe to show.

Two locks: markdown-it renders with raw HTML disabled (``<script>`` comes out as text) and
rejects ``javascript:``-like links; nh3 then keeps only an allow-list of tags, attributes and URL
schemes, so a bug in either one alone lets nothing through. Headings are renumbered from
``<h2>``, so that the text never competes with the page's own ``<h1>`` nor skips a level.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "s",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _shift_headings(tokens: list) -> None:  # type: ignore[type-arg]
    """The text's top heading level becomes <h2>, the others follow (the page holds the <h1>)."""
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = 2 - min(int(t.tag[1:]) for t in headings)
    for token in headings:
        token.tag = f"h{min(int(token.tag[1:]) + shift, 6)}"


def render_markdown(source: str | None) -> Markup:
    """Safe HTML for ``source`` (an organiser's Markdown)."""
    if not source:
        return Markup("")
    tokens = _md.parse(source)
    _shift_headings(tokens)
    html = _md.renderer.render(tokens, _md.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
    return Markup(clean)  # noqa: S704  (sanitised just above)
