"""Reads one HTML report the way a browser's parser does (html.parser) and checks it against
what a test expects of it. Used by tests/integration/channelctl_report_test.cc.

Usage: check_report.py REPORT.html EXPECT.json SECRETS_FILE

EXPECT.json: {"lang": "en", "verdict": "pass|warn|fail", "bars": N, "contains": ["...", ...]}
  lang      the <html lang> the page must have
  verdict   the class of the verdict box (verdict-pass, ...)
  bars      how many <rect class="probe-bar ..."> the timeline must have (one per probe)
  contains  texts the page must show (compared with runs of white space made one space)

Also, whatever the test expects: nothing that loads or runs anything (no script, img, link,
iframe, object, embed, base, form; no src, href, srcset, action or on* attribute; no url() or
@import in CSS), and no line of SECRETS_FILE in any form (tests/secret_scan.py) in the file or
in its text. Prints one line per problem and exits 1 if there is any; else prints a summary.
"""
import html.parser
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import secret_scan  # noqa: E402

FORBIDDEN_TAGS = {"script", "img", "link", "iframe", "object", "embed", "base", "form", "audio",
                  "video", "source", "frame", "frameset", "applet"}
FORBIDDEN_ATTRS = {"src", "href", "srcset", "action", "formaction", "xlink:href", "background"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = []
        self.style = []
        self.tags = []
        self.lang = None
        self.bars = 0
        self.verdicts = []
        self.problems = []
        self.doctype = False
        self._open = []

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = {k: (v or "") for k, v in attrs}
        if tag in FORBIDDEN_TAGS:
            self.problems.append("a <%s> element" % tag)
        for name, value in a.items():
            if name in FORBIDDEN_ATTRS or name.startswith("on"):
                self.problems.append("attribute %s=%r on <%s>" % (name, value, tag))
            if name == "style" and ("url(" in value or "@import" in value):
                self.problems.append("a style attribute that loads something")
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.problems.append("a meta refresh")
        if tag == "html":
            self.lang = a.get("lang")
        classes = a.get("class", "").split()
        if tag == "rect" and "probe-bar" in classes:
            self.bars += 1
        if "verdict" in classes:
            self.verdicts += [c[len("verdict-"):] for c in classes if c.startswith("verdict-")]
        if tag not in ("meta", "br", "hr", "line", "rect", "input"):
            self._open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data):
        if self._open and self._open[-1] == "style":
            self.style.append(data)
        elif not (self._open and self._open[-1] == "title" and "svg" not in self._open):
            self.text.append(data)


def normalized(text):
    return re.sub(r"\s+", " ", text.replace("\r", "")).strip()


def main(argv):
    report, expect_path, secrets_path = argv[1:4]
    with open(report, encoding="utf-8") as f:
        raw = f.read()
    with open(expect_path, encoding="utf-8") as f:
        expect = json.load(f)
    page = Page()
    page.feed(raw)
    page.close()
    problems = list(page.problems)
    if not page.doctype:
        problems.append("no <!DOCTYPE html>")
    css = "".join(page.style)
    if "url(" in css or "@import" in css:
        problems.append("the stylesheet loads something")
    if "lang" in expect and page.lang != expect["lang"]:
        problems.append("lang is %r, expected %r" % (page.lang, expect["lang"]))
    if "verdict" in expect and page.verdicts != [expect["verdict"]]:
        problems.append("verdict box %r, expected %r" % (page.verdicts, expect["verdict"]))
    if "bars" in expect and page.bars != expect["bars"]:
        problems.append("%d probe bars in the timeline, expected %d" % (page.bars, expect["bars"]))
    text = normalized(" ".join(page.text))
    for want in expect.get("contains", []):
        if normalized(want) not in text:
            problems.append("the page does not show %r" % want)
    secrets = secret_scan.load_secrets(secrets_path)
    for source, body in (("the file", raw), ("the text", "\n".join(page.text))):
        for number, line in enumerate(body.split("\n"), 1):
            for secret in secret_scan.secrets_in(line, secrets):
                problems.append("a test secret (%s...) in %s, line %d" % (secret[:3], source,
                                                                        number))
    for p in problems:
        print("check_report: %s: %s" % (report, p))
    if problems:
        return 1
    print(json.dumps({"report": report, "bars": page.bars, "lang": page.lang,
                      "verdict": page.verdicts, "checked_texts": len(expect.get("contains", [])),
                      "chars": len(text)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
