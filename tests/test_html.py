"""The HTML view: the page's markup, and the page as headless Chromium renders it (direction,
highlighted spans equal to the mentions, the hover card, a screenshot saved by the test)."""
import base64
import html.parser
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import entityres
from entityres.integrations.html import to_html

FA = "رئیس‌جمهور آمریکا دونالد ترامپ با ولادیمیر پوتین در آلاسکا دیدار کرد.\nوزیر خارجه زولتان اگزمپلوف گفت <b>«آری»</b> & رفت."
AR = "وقال المبعوث الأمريكي ستيف ويتكوف إنه سيزور موسكو وكييف"


@pytest.fixture(scope="module")
def results():
    return list(entityres.Resolver().resolve_many([("fa-1", FA, "fa"), ("ar <2>", AR, "auto")]))


class Marks(html.parser.HTMLParser):
    """The marks of a page with their text, and the text of each document's text block."""

    def __init__(self):
        super().__init__()
        self.marks, self.texts, self.scripts = [], [], 0
        self._mark = self._text = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "text":
            self._text = []
            self.texts.append((attrs["dir"], self._text))
        if tag == "mark" and "data-start" in attrs:
            self._mark = dict(attrs, text="")
        if tag == "script" or (tag in ("link", "img", "iframe") and ("src" in attrs or "href" in attrs)):
            self.scripts += tag != "script"  # nothing loaded from anywhere

    def handle_endtag(self, tag):
        if tag == "mark" and self._mark is not None:
            self.marks.append(self._mark)
            self._mark = None
        if tag == "div" and self._text is not None and self._mark is None:
            self._text = None

    def handle_data(self, data):
        if self._mark is not None:
            self._mark["text"] += data
        if self._text is not None:
            self._text.append(data)


def test_page_markup_holds_every_mention_escaped(results):
    page = to_html(results)
    parsed = Marks()
    parsed.feed(page)
    mentions = [m for r in results for m in r.mentions]
    assert [(int(k["data-start"]), int(k["data-end"]), k["text"], k["data-entity"]) for k in parsed.marks] == \
        [(m.start, m.end, m.text, m.entity_id) for m in mentions]
    assert [d for d, _ in parsed.texts] == ["rtl", "rtl"]
    assert "".join(parsed.texts[0][1]) == FA  # the text whole, markup in it escaped, offsets intact
    assert "<b>«آری»</b>" not in page and "&lt;b&gt;" in page and 'data-doc="ar &lt;2&gt;"' in page
    assert parsed.scripts == 0 and "http://" not in page and "src=" not in page
    assert page.count("<article") == 2 and "wikidata.org/wiki/Q649" in page  # Moscow's link


def test_result_to_html_and_texts_for_results_read_back(results):
    assert results[1].to_html().count("<mark class=\"mention") - 3 == len(results[1].mentions)  # 3 in the key
    back = entityres.Result.model_validate(results[0].model_dump())
    with pytest.raises(ValueError, match="holds no text"):
        back.to_html()
    assert back.to_html(FA) == results[0].to_html()
    with pytest.raises(ValueError, match="is not in the text"):
        back.to_html(AR)


def test_cli_resolve_format_html(tmp_path, capsys):
    from entityres.cli import main

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(FA, encoding="utf-8")
    b.write_text(AR, encoding="utf-8")
    assert main(["resolve", str(a), str(b), "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and page.count("<article") == 2 and page.count("<html") == 1


# --- in a real browser ---------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _pipes_at_3_and_4(to_chrome, from_chrome):
    """In the child: the pipe ends at fds 3 and 4 (through free high numbers, as either may be 3 or 4)."""
    os.dup2(to_chrome, 200)
    os.dup2(from_chrome, 201)
    os.dup2(200, 3)
    os.dup2(201, 4)


class Chromium:
    """Headless Chromium driven through the DevTools protocol over a pipe (--remote-debugging-pipe):
    JSON messages ended by NUL, written to its fd 3, read from its fd 4."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="entityres-chromium-")
        to_chrome, self._write = os.pipe()
        self._read, from_chrome = os.pipe()
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-pipe",
             f"--user-data-dir={self.profile}", "--window-size=1200,900", "about:blank"],
            close_fds=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: _pipes_at_3_and_4(to_chrome, from_chrome))
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer, self._id, self.session = b"", 0, None

    def send(self, method, session=True, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            while b"\0" not in self._buffer:
                chunk = os.read(self._read, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
        raise TimeoutError(method)

    def open(self, url):
        target = self.send("Target.createTarget", session=False, url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", session=False, targetId=target, flatten=True)["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride", width=1200, height=900, deviceScaleFactor=1, mobile=False)
        self.send("Page.navigate", url=url)
        for _ in range(200):
            if self.eval("document.readyState") == "complete":
                return
            time.sleep(0.05)
        raise TimeoutError(url)

    def eval(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close", session=False)
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        os.close(self._write)
        os.close(self._read)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it)")
    chromium = Chromium()
    yield chromium
    chromium.close()


def test_page_in_chromium(browser, results, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "view.html"
    path.write_text(to_html(results), encoding="utf-8")
    browser.open(path.as_uri())
    shown = browser.eval("""Array.from(document.querySelectorAll('article')).map(a => {
        const t = a.querySelector('.text');
        return {dir: getComputedStyle(t).direction, text: t.textContent,
                marks: Array.from(t.querySelectorAll('mark')).map(m => [m.textContent, m.dataset.entity,
                        getComputedStyle(m).backgroundColor, m.getBoundingClientRect().width > 0])};
    })""")
    assert [d["dir"] for d in shown] == ["rtl", "rtl"]
    for doc, r, text in zip(shown, results, (FA, AR)):
        assert doc["text"] == text
        assert [(t, e) for t, e, _, _ in doc["marks"]] == [(m.text, m.entity_id) for m in r.mentions]
        assert all(visible for *_, visible in doc["marks"])
        colours = {m.type: bg for m, (_, _, bg, _) in zip(r.mentions, doc["marks"])}
        assert colours["person"] != colours["place"] and "rgba(0, 0, 0, 0)" not in colours.values()
    # a real mouse over Moscow shows its card
    x, y = browser.eval("""(() => { const r = document.querySelector('mark[data-entity="place:moscow"]')
        .getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()""")
    browser.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
    card = browser.eval("(() => { const t = document.getElementById('tip'); "
                        "return [t.hidden, t.innerText, t.querySelector('a') && t.querySelector('a').href]; })()")
    assert card[0] is False and "place:moscow" in card[1] and "Moscow" in card[1] and "score 1.00" in card[1]
    assert card[2] == "https://www.wikidata.org/wiki/Q649"
    shot = base64.b64decode(browser.send("Page.captureScreenshot", format="png")["data"])
    out = Path(os.environ.get("ENTITYRES_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots")) / "html-view.png"
    out.write_bytes(shot)
    assert shot.startswith(b"\x89PNG") and out.stat().st_size > 10_000
