#!/usr/bin/env python3
"""Check what headless Chromium made of a report.

usage: check_render.py SCREENSHOT.png DOM.html TITLE

The screenshot is decoded with zlib + struct only (no PIL): it must be the
window's size, not blank, and show the plots' line colours (the report's
gnuplot palette) in quantity below the runs table. The dumped DOM must hold
the runs table, the five inline SVG plots with drawn paths, and the title.
"""
import re
import struct
import sys
import zlib

PALETTE = {  # gnuplot linetypes 1..5 in sim/report.c
    "#1f77b4": (0x1F, 0x77, 0xB4),
    "#d62728": (0xD6, 0x27, 0x28),
    "#2ca02c": (0x2C, 0xA0, 0x2C),
    "#ff7f0e": (0xFF, 0x7F, 0x0E),
    "#9467bd": (0x94, 0x67, 0xBD),
}


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def decode_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + ": not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        fail("unexpected PNG format: depth %d colour type %d interlace %d" % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev, off = [], bytearray(stride), 0
    for _ in range(h):
        ft = raw[off]
        line = bytearray(raw[off + 1:off + 1 + stride])
        off += 1 + stride
        if ft == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ft == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif ft == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif ft == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main():
    png, dom_path, title = sys.argv[1:4]
    w, h, bpp, rows = decode_png(png)
    if (w, h) != (1280, 2000):
        fail("screenshot is %dx%d, want 1280x2000" % (w, h))
    colours, nonwhite, total = set(), 0, 0
    near = {k: 0 for k in PALETTE}
    lower_nonwhite = 0
    for y, line in enumerate(rows):
        for x in range(0, w, 2):  # every other pixel is plenty
            i = x * bpp
            r, g, b = line[i], line[i + 1], line[i + 2]
            total += 1
            colours.add((r >> 3, g >> 3, b >> 3))
            if r < 240 or g < 240 or b < 240:
                nonwhite += 1
                if y > 500:
                    lower_nonwhite += 1
                if max(r, g, b) - min(r, g, b) > 60:
                    for k, (pr, pg, pb) in PALETTE.items():
                        if abs(r - pr) + abs(g - pg) + abs(b - pb) < 60:
                            near[k] += 1
    frac = nonwhite / total
    print("screenshot: %dx%d, %.1f%% non-white, %d colours; palette pixels %s"
          % (w, h, 100 * frac, len(colours), near))
    if frac < 0.03 or frac > 0.9:
        fail("screenshot looks blank or solid: %.1f%% non-white" % (100 * frac))
    if len(colours) < 40:
        fail("only %d distinct colours: plots not rendered?" % len(colours))
    if lower_nonwhite < 20000:
        fail("little drawn below the table (%d pixels): plots not rendered?" % lower_nonwhite)
    seen = [k for k, n in near.items() if n >= 100]
    if len(seen) < 3:
        fail("plot line colours missing from the screenshot: %s" % near)

    dom = open(dom_path, encoding="utf-8").read()
    if '<table id="runs">' not in dom:
        fail("DOM: no runs table")
    if len(re.findall(r'<tr id="run-\d+"', dom)) < 2:
        fail("DOM: runs table has no rows")
    svgs = re.findall(r"<svg\b.*?</svg>", dom, re.S)
    if len(svgs) != 5:
        fail("DOM: %d <svg> elements, want 5" % len(svgs))
    for s in svgs:
        if len(re.findall(r"<path\b", s)) < 10:
            fail("DOM: an SVG plot with almost nothing drawn")
    for p in ("latency", "irqrate", "fpi", "tradeoff", "exits"):
        if '<figure id="plot-%s">' % p not in dom:
            fail("DOM: no figure plot-%s" % p)
    esc = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if '<h1 id="title">%s</h1>' % esc not in dom:
        fail("DOM: title %r not in the heading" % title)
    print("dom: runs table, 5 svg plots, title ok")


if __name__ == "__main__":
    main()
