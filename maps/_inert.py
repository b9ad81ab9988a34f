"""Text from input files reaches a map as data, never as a template.

branca renders a page with Jinja, and renders it twice: each element's macro output
(``MacroElement.render``, ``Popup.render``, ``GeoJson``'s script ...) is wrapped in a new
``Element(output)``, whose constructor makes the output a Jinja *template* that is rendered
again when the page is assembled. A village named ``Thon {{ 7*7 }} Moi`` placed in a layer's
data therefore printed "Thon 49 Moi", and ``{{ cycler.__init__.__globals__.os ... }}`` ran
Python. A name with an unbalanced ``{%`` made the map fail to render at all.

Two rules close this by construction, whatever the text holds:

- whitespot builds no template from a string that was put together at run time. Markup of
  its own that carries input text (the heading, the legends) is placed by :class:`InertHtml`
  and :class:`InertMacro`, whose templates are fixed and print the markup as data
  (``tests/maps/test_inert.py`` checks the source tree for this).
- While a page renders (:func:`render_page`, and every :class:`InertFigure`, the root of the
  maps whitespot draws, so also ``_repr_html_`` in a notebook and ``Map.save``), the strings
  that branca wraps in ``Element(...)`` are kept as they are, not compiled: an output is
  final text.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import branca.element
from jinja2 import Template

_TEMPLATE_OF_STRINGS = threading.Lock()


class _Verbatim:
    """What a string given to ``branca.element.Element`` becomes while a page renders."""

    def __init__(self, source: str) -> None:
        self.source = source

    def render(self, *args: object, **kwargs: object) -> str:
        """Return the string itself: it is already rendered output."""
        return self.source


@contextmanager
def _rendered_output_is_final() -> Iterator[None]:
    """Within the block, ``branca.element.Element(text)`` keeps `text` without compiling it.

    Every such element built during rendering holds the output of a template already
    rendered; the elements built before (the map's own, with their fixed templates) are
    untouched. The swap is held under a lock, so two pages rendering in two threads of one
    process cannot undo each other's.
    """
    with _TEMPLATE_OF_STRINGS:
        original = branca.element.Template
        branca.element.Template = _Verbatim
        try:
            yield
        finally:
            branca.element.Template = original


def render_page(figure: branca.element.Figure) -> str:
    """Render a whole page once: text in the elements' data is printed, never evaluated.

    Parameters
    ----------
    figure : branca.element.Figure
        The root of a map (``fmap.get_root()``).

    Returns
    -------
    str
        The HTML page.
    """
    if isinstance(figure, InertFigure):
        return figure.render()
    with _rendered_output_is_final():
        return figure.render()


class InertFigure(branca.element.Figure):
    """The page of every whitespot map: rendered once, in Jupyter and on save alike."""

    def render(self, **kwargs: object) -> str:
        """Render the page with every element's output kept as final text."""
        with _rendered_output_is_final():
            return super().render(**kwargs)


class _Markup:
    """An element whose only content is `markup`, printed by a fixed template."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = type(self).__name__
        self.markup = markup


class InertHtml(_Markup, branca.element.Element):
    """A piece of finished markup placed in the page as it is (a heading, a style sheet).

    Parameters
    ----------
    markup : str
        HTML that whitespot built, with input text already escaped for HTML.
    """

    _template = Template("{{ this.markup }}")


class InertMacro(_Markup, branca.element.MacroElement):
    """A fixed box on the map (a legend) whose markup is data of a fixed template.

    Parameters
    ----------
    markup : str
        HTML that whitespot built, with input text already escaped for HTML.
    """

    _template = Template("{% macro html(this, kwargs) %}{{ this.markup }}{% endmacro %}")
