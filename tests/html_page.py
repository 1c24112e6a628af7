"""A small reader for the HTML pages the service renders (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def __getitem__(self, name: str) -> str | None:
        return self.attrs[name]

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)


class Page(HTMLParser):
    """Every element of a page, with attributes and the text inside it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        if self._open:
            self._open[-1].children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def find(self, tag: str | None = None, **attrs: str) -> Element | None:
        """The first element with this tag (any if None) and these attribute values."""
        for element in self.elements:
            if tag in (None, element.tag) and all(
                element.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()
            ):
                return element
        return None

    def by_id(self, element_id: str) -> Element:
        found = self.find(id=element_id)
        assert found is not None, f"no element #{element_id}"
        return found

    def field(self, name: str) -> Element:
        found = self.find(name=name)
        assert found is not None, f"no field {name}"
        return found

    @property
    def text(self) -> str:
        return " ".join(self.elements[0].text.split()) if self.elements else ""
