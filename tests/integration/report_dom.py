#!/usr/bin/env python3
"""report_dom.py: read back what a browser made of a ctadvisor report.

  report_dom.py dom FILE   the DOM Chromium dumped (--dump-dom) as JSON:
                           {"scripts": N, "elements": N, "ids": {id: text},
                            "charts": {figure id: [[data-label, data-value]]},
                            "tables": {table id: [[cell text, ...], ...]}}
  report_dom.py png FILE   "WIDTH HEIGHT COLOURS" of a PNG screenshot (8-bit
                           RGB/RGBA, decoded here with zlib: no imaging
                           library needed)
"""
import json
import struct
import sys
import zlib
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = {"scripts": 0, "elements": 0, "ids": {}, "charts": {}, "tables": {}}
        self.open_ids = []  # [id, depth, text parts]
        self.depth = 0
        self.figure = None
        self.table = None
        self.row = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.out["elements"] += 1
        if tag == "script":
            self.out["scripts"] += 1
        if tag not in ("meta", "link", "br", "img", "input", "hr"):
            self.depth += 1
        if "id" in a:
            self.open_ids.append([a["id"], self.depth, []])
        if tag == "figure":
            self.figure = a.get("id")
            self.out["charts"].setdefault(self.figure, [])
        if tag == "rect" and "data-label" in a and self.figure:
            self.out["charts"][self.figure].append([a["data-label"], a.get("data-value")])
        if tag == "table" and "id" in a:
            self.table = a["id"]
            self.out["tables"][self.table] = []
        if tag == "tr" and self.table:
            self.row = []
        if tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        if tag == "tr" and self.row is not None and self.table:
            self.out["tables"][self.table].append(self.row)
            self.row = None
        if tag == "table":
            self.table = None
        if tag == "figure":
            self.figure = None
        while self.open_ids and self.open_ids[-1][1] == self.depth:
            i, _, text = self.open_ids.pop()
            self.out["ids"][i] = "".join(text).strip()
        self.depth -= 1

    def handle_data(self, data):
        for o in self.open_ids:
            o[2].append(data)
        if self.cell is not None:
            self.cell.append(data)


def png_colours(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise SystemExit(f"{path}: PNG colour type {ctype} depth {depth} not read here")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ft == 1:
                line[x] = (line[x] + a) & 255
            elif ft == 2:
                line[x] = (line[x] + b) & 255
            elif ft == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        if y % 4 == 0:  # every 4th row is plenty to tell blank from drawn
            for x in range(0, stride, bpp * 2):
                colours.add(bytes(line[x:x + 3]))
        prev = line
    return w, h, len(colours)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("dom", "png"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "png":
        print(*png_colours(sys.argv[2]))
        return
    d = Dom()
    with open(sys.argv[2], encoding="utf-8") as f:
        d.feed(f.read())
    d.close()
    json.dump(d.out, sys.stdout)


main()
