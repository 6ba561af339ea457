"""mkdocs hook: the docstrings' Sphinx roles (:func:`x`, :class:`~a.b.C`) shown as plain code."""
import re

_ROLE = re.compile(r":(?:func|class|meth|data|mod|attr|exc):<code>~?([^<]*)</code>")


def on_page_content(html, **kwargs):
    return _ROLE.sub(lambda m: f"<code>{m.group(1)}</code>", html)
