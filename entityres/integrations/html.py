"""A self-contained HTML page of results: the text right-to-left with every mention highlighted
by type; hovering or clicking a mention shows its entity, ID, Wikidata link, score and
explanation; beside each text, the list of its entities with their mentions.

Everything is inline (CSS, script, data): the page loads nothing from the network. Every piece of
text is HTML-escaped; the script only sets ``textContent``. Wikidata links are built from IDs that
match ``Q`` and digits only.
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from typing import Iterable

from ..resolve.resolver import Result

_QID = re.compile(r"^Q[1-9][0-9]*$")
RTL_LANGS = ("fa", "prs", "ar")
_HTML_LANG = {"fa": "fa", "prs": "fa-AF", "ar": "ar"}

CSS = """
:root { --person: #fde68a; --person-edge: #b45309; --place: #bfdbfe; --place-edge: #1d4ed8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #1f2937; background: #f9fafb; }
header { padding: 12px 20px; background: #111827; color: #f9fafb; display: flex; gap: 16px; align-items: center; }
header h1 { font-size: 18px; margin: 0; }
.key { font-size: 13px; } .key mark { margin: 0 4px; }
main { padding: 12px 20px; }
article { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; margin: 0 0 16px; padding: 12px 16px; }
article h2 { font-size: 15px; margin: 0 0 8px; font-weight: 600; }
article h2 small { font-weight: 400; color: #6b7280; }
.layout { display: flex; gap: 20px; align-items: flex-start; }
.text { flex: 3; white-space: pre-wrap; font-size: 19px; line-height: 2.1; unicode-bidi: isolate; }
aside { flex: 2; font-size: 13px; border-inline-start: 1px solid #e5e7eb; padding-inline-start: 12px; }
aside h3 { font-size: 13px; margin: 0 0 6px; color: #6b7280; text-transform: uppercase; }
aside ul { list-style: none; margin: 0; padding: 0; }
aside li { padding: 4px 6px; border-radius: 4px; cursor: pointer; border-inline-start: 4px solid transparent; }
aside li.person { border-inline-start-color: var(--person-edge); }
aside li.place { border-inline-start-color: var(--place-edge); }
aside li:hover, aside li.active { background: #f3f4f6; }
aside code { font-size: 12px; color: #4b5563; }
aside .forms { color: #374151; unicode-bidi: isolate; }
mark.mention { border-radius: 3px; padding: 1px 2px; cursor: pointer; border-bottom: 2px solid; }
mark.person { background: var(--person); border-color: var(--person-edge); }
mark.place { background: var(--place); border-color: var(--place-edge); }
mark.new { border-bottom-style: dashed; }
mark.active { outline: 2px solid #111827; }
#tip { position: fixed; z-index: 10; max-width: 380px; background: #111827; color: #f9fafb; font-size: 13px;
       line-height: 1.45; padding: 8px 10px; border-radius: 6px; box-shadow: 0 4px 14px rgba(0,0,0,.3);
       direction: ltr; text-align: left; }
#tip[hidden] { display: none; }
#tip b { font-size: 14px; } #tip a { color: #93c5fd; } #tip .why { color: #d1d5db; unicode-bidi: plaintext; }
"""

SCRIPT = """
(function () {
  const tip = document.getElementById("tip");
  let pinned = null;
  function line(text, cls) { const d = document.createElement("div"); d.textContent = text; if (cls) d.className = cls; return d; }
  function show(mark) {
    const d = mark.dataset;
    tip.replaceChildren();
    const head = document.createElement("div");
    const name = document.createElement("b"); name.textContent = d.name; head.append(name, " (" + d.type + ")");
    tip.append(head, line(d.entity));
    if (/^Q[1-9][0-9]*$/.test(d.wikidata || "")) {
      const a = document.createElement("a"); a.href = "https://www.wikidata.org/wiki/" + d.wikidata;
      a.textContent = "Wikidata " + d.wikidata; a.target = "_blank"; a.rel = "noopener noreferrer";
      const w = document.createElement("div"); w.append(a); tip.append(w);
    }
    tip.append(line("score " + Number(d.score).toFixed(2) + (d.inGazetteer === "true" ? "" : " · not in the gazetteer")),
               line(d.explanation, "why"));
    tip.hidden = false;
    const r = mark.getBoundingClientRect();
    const top = r.bottom + 6 + tip.offsetHeight > innerHeight ? r.top - tip.offsetHeight - 6 : r.bottom + 6;
    tip.style.top = Math.max(4, top) + "px";
    tip.style.left = Math.max(4, Math.min(r.left, innerWidth - tip.offsetWidth - 4)) + "px";
  }
  function activate(article, entity, on) {
    article.querySelectorAll("[data-entity]").forEach(el => el.classList.toggle("active", on && el.dataset.entity === entity));
  }
  document.querySelectorAll("mark.mention").forEach(mark => {
    mark.addEventListener("mouseenter", () => { if (!pinned) show(mark); });
    mark.addEventListener("mouseleave", () => { if (!pinned) tip.hidden = true; });
    mark.addEventListener("focus", () => show(mark));
    mark.addEventListener("click", ev => { ev.stopPropagation(); pinned = pinned === mark ? null : mark; show(mark); });
  });
  document.querySelectorAll("aside li").forEach(li => {
    const article = li.closest("article");
    li.addEventListener("mouseenter", () => activate(article, li.dataset.entity, true));
    li.addEventListener("mouseleave", () => activate(article, li.dataset.entity, false));
    li.addEventListener("click", () => { const m = article.querySelector('mark[data-entity="' + CSS.escape(li.dataset.entity) + '"]');
                                         if (m) { m.scrollIntoView({block: "center"}); m.focus(); } });
  });
  document.addEventListener("click", () => { pinned = null; tip.hidden = true; });
})();
"""


def _attrs(**values: object) -> str:
    return "".join(f' {k.replace("_", "-")}="{html.escape(str(v), quote=True)}"' for k, v in values.items())


def _document(n: int, r: Result, text: str) -> str:
    entities = {e.id: e for e in r.entities}
    parts, pos = [], 0
    forms: dict[str, dict[str, int]] = defaultdict(dict)
    for m in r.mentions:
        if m.start < pos:  # overlapping mentions never come from the resolver; shown once if given
            continue
        e = entities[m.entity_id]
        forms[e.id][m.text] = forms[e.id].get(m.text, 0) + 1
        parts.append(html.escape(text[pos:m.start]))
        cls = f"mention {m.type}" + ("" if e.in_gazetteer else " new")
        parts.append(f"<mark class=\"{cls}\" tabindex=\"0\""
                     + _attrs(data_start=m.start, data_end=m.end, data_type=m.type, data_entity=e.id, data_name=e.name,
                              data_wikidata=e.wikidata if e.wikidata and _QID.match(e.wikidata) else "",
                              data_in_gazetteer=str(e.in_gazetteer).lower(), data_score=m.score,
                              data_how=m.explanation.how, data_explanation=str(m.explanation))
                     + f">{html.escape(m.text)}</mark>")
        pos = m.end
    parts.append(html.escape(text[pos:]))
    rtl = r.lang in RTL_LANGS
    items = []
    for e in r.entities:
        seen = ", ".join(f"{f} ×{c}" if c > 1 else f for f, c in forms[e.id].items())
        link = (f' <a href="https://www.wikidata.org/wiki/{e.wikidata}" target="_blank" rel="noopener noreferrer">'
                f"{e.wikidata}</a>" if e.wikidata and _QID.match(e.wikidata) else "")
        items.append(f"<li class=\"{e.type}\"{_attrs(data_entity=e.id)}><b>{html.escape(e.name)}</b> "
                     f"<code>{html.escape(e.id)}</code>{link}{'' if e.in_gazetteer else ' <em>new</em>'}"
                     f"<div class=\"forms\" dir=\"auto\">{html.escape(seen)}</div></li>")
    title = html.escape(r.id if r.id is not None else f"document {n + 1}")
    return (f"<article{_attrs(id=f'doc-{n + 1}', data_doc=r.id or '', data_lang=r.lang)}>"
            f"<h2>{title} <small>{html.escape(r.lang)} · {len(r.mentions)} mentions · "
            f"{len(r.entities)} entities</small></h2><div class=\"layout\">"
            f"<div class=\"text\" dir=\"{'rtl' if rtl else 'auto'}\" lang=\"{_HTML_LANG.get(r.lang, 'und')}\">"
            f"{''.join(parts)}</div>"
            f"<aside><h3>Entities</h3><ul>{''.join(items)}</ul></aside></div></article>")


def to_html(results: Result | Iterable[Result], texts: Iterable[str] | None = None, title: str = "entityres") -> str:
    """One page for one result or many (one section each, in order).

    Each result shows the text it was resolved from (kept with results from :func:`entityres.resolve`
    and :class:`entityres.Resolver`); ``texts`` gives the texts instead (in the same order), for
    results read back from JSON.
    """
    results = [results] if isinstance(results, Result) else list(results)
    texts = list(texts) if texts is not None else [None] * len(results)
    if len(texts) != len(results):
        raise ValueError(f"{len(results)} results but {len(texts)} texts")
    body = []
    for n, (r, text) in enumerate(zip(results, texts)):
        text = text if text is not None else r._text
        if text is None:
            raise ValueError(f"document {r.id or n + 1}: the result holds no text (read back from JSON?): "
                             "pass texts=[...]")
        for m in r.mentions:
            if text[m.start:m.end] != m.text:
                raise ValueError(f"document {r.id or n + 1}: mention {m.text!r} at {m.start}-{m.end} is not in the "
                                 "text given: pass the text the result was resolved from")
        body.append(_document(n, r, text))
    key = '<span class="key"><mark class="mention person">person</mark><mark class="mention place">place</mark>' \
          '<mark class="mention person new">new name</mark></span>'
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            f"script-src 'unsafe-inline'\"><title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f"<body><header><h1>{html.escape(title)}</h1>{key}</header><main>{''.join(body)}</main>"
            f"<div id=\"tip\" role=\"tooltip\" hidden></div><script>{SCRIPT}</script></body></html>\n")

