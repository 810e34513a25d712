"""The call's text: Markdown rendered with no way to inject HTML or scripts."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from challenge.campaigns.markdown import render_markdown


class Elements(HTMLParser):
    """The elements and attributes a browser would build from the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}

    def attributes(self) -> set[str]:
        return {name for _, attrs in self.elements for name in attrs}

    def hrefs(self) -> list[str]:
        return [attrs.get("href") or "" for tag, attrs in self.elements if tag == "a"]


def test_markdown_is_rendered():
    html = str(render_markdown("Un **irritant**, *vraiment*.\n\n- un\n- deux"))
    assert "<strong>irritant</strong>" in html
    assert "<em>vraiment</em>" in html
    assert "<li>un</li>" in html


def test_headings_start_at_h2_under_the_page_title():
    html = str(render_markdown("# Titre\n\n## Partie\n\n###### Fin"))
    assert "<h2>Titre</h2>" in html and "<h3>Partie</h3>" in html and "<h6>Fin</h6>" in html
    assert "<h1" not in html
    html = str(render_markdown("## Partie\n\n### Sous-partie"))
    assert "<h2>Partie</h2>" in html and "<h3>Sous-partie</h3>" in html


def test_script_tags_come_out_as_text():
    html = str(
        render_markdown("Bonjour <script>alert('x')</script>\n\n<script>\nalert(1)\n</script>")
    )
    assert "script" not in Elements(html).tags()
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](  javascript:alert(1))",
        "[clic](jav&#x61;script:alert(1))",
        "[clic](vbscript:msgbox(1))",
        "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="javascript:alert(1)">clic</a>',
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_links_never_become_links(source: str):
    parsed = Elements(str(render_markdown(source)))
    assert parsed.hrefs() == []


def test_raw_html_and_event_handlers_do_not_survive():
    parsed = Elements(
        str(
            render_markdown(
                '<img src=x onerror="alert(1)"> <iframe src="https://evil"></iframe> '
                '<div style="position:fixed" onclick="x()">x</div>\n\n'
                "*[a](https://ok.fr)*"
            )
        )
    )
    assert parsed.tags() <= {"p", "em", "a"}
    assert parsed.attributes() <= {"href", "rel"}
    assert parsed.hrefs() == ["https://ok.fr"]


def test_safe_links_keep_working_and_cannot_reach_the_opener():
    html = str(render_markdown("[beta](https://beta.gouv.fr) et [écrire](mailto:a@b.fr)"))
    assert 'href="https://beta.gouv.fr"' in html
    assert 'href="mailto:a@b.fr"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_tables_are_kept():
    html = str(render_markdown("| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<table>" in html and "<td>1</td>" in html


def test_empty_text_renders_nothing():
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""
