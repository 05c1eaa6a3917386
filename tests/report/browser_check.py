"""Opens one HTML report in headless Chromium the way a person would look at it, and checks
what they would see. Used by tests/browser/report_browser_test.cc.

Usage: browser_check.py REPORT.html BARS SCREENSHOT.png [COLOR ...]

  - the page as Chromium built it after loading (--dump-dom) has BARS timeline bars
    (<rect class="probe-bar ...">) inside an <svg>, each with a width;
  - a screenshot (--screenshot, 1000 x 1600) is not blank: many pixels are not white and the
    picture has many colours (text, the verdict box, the bars);
  - each COLOR (#rrggbb, e.g. a probe status's fill) shows somewhere in the screenshot.
Chromium is Debian's `chromium` (scripts/setup.sh --for test installs it). Prints a summary
line with the time each step took; exits 1 on any problem.
"""
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

WIDTH, HEIGHT = 1000, 1600


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("browser_check: no chromium on PATH (scripts/setup.sh --for test installs it)")


def run_chromium(args, profile):
    # A private profile: no state from or to other runs; --no-sandbox as root in containers.
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--disable-extensions", "--user-data-dir=" + profile,
               "--window-size=%d,%d" % (WIDTH, HEIGHT)] + args
    return subprocess.run(command, capture_output=True, timeout=120, check=False)


class Bars(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.bars = []
        self.in_svg = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.in_svg += 1
        if tag == "rect" and "probe-bar" in (a.get("class") or "").split():
            self.bars.append((self.in_svg > 0, float(a.get("width") or 0)))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg -= 1


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG, decoded with zlib."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        raise ValueError("unsupported PNG (depth %d, colour type %d)" % (depth, color))
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def main(argv):
    report, bars_expected, screenshot = argv[1], int(argv[2]), argv[3]
    colors = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in argv[4:]]
    url = "file://" + os.path.abspath(report)
    problems = []
    times = {}
    with tempfile.TemporaryDirectory(prefix="cv-chromium-") as profile:
        start = time.monotonic()
        dom = run_chromium(["--dump-dom", url], profile)
        times["dump_dom_s"] = round(time.monotonic() - start, 2)
        if dom.returncode != 0:
            problems.append("chromium --dump-dom failed: %s" % dom.stderr.decode()[-500:])
        parser = Bars()
        parser.feed(dom.stdout.decode("utf-8", "replace"))
        if len(parser.bars) != bars_expected:
            problems.append("%d probe bars in the DOM, expected %d" % (len(parser.bars),
                                                                      bars_expected))
        if not all(in_svg and width > 0 for in_svg, width in parser.bars):
            problems.append("a probe bar outside the <svg> or without a width")

        start = time.monotonic()
        shot = run_chromium(["--screenshot=" + os.path.abspath(screenshot), url], profile)
        times["screenshot_s"] = round(time.monotonic() - start, 2)
        if shot.returncode != 0 or not os.path.exists(screenshot):
            problems.append("chromium --screenshot failed: %s" % shot.stderr.decode()[-500:])
    if os.path.exists(screenshot):
        width, height, rows = png_pixels(screenshot)
        seen = set()
        ink = 0
        for row in rows:
            for px in row:
                if px != (255, 255, 255):
                    ink += 1
                seen.add(px)
        share = ink / float(width * height)
        if share < 0.02:
            problems.append("the page looks blank: %.2f%% of the pixels are not white"
                            % (100 * share))
        if len(seen) < 16:
            problems.append("the page has only %d colours" % len(seen))
        for color in colors:
            # Anti-aliasing blends edges; a bar's inside has the exact fill.
            if color not in seen:
                problems.append("no pixel of colour #%02x%02x%02x" % color)
        times["ink_percent"] = round(100 * share, 1)
        times["colours"] = len(seen)
    for p in problems:
        print("browser_check: %s: %s" % (report, p))
    print(json.dumps(dict(report=os.path.basename(report), bars=len(parser.bars), **times)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
