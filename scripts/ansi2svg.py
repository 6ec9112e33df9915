#!/usr/bin/env python3
"""Renders a terminal capture (`tmux capture-pane -e -p`: text with SGR colour sequences) as
an SVG image, cell by cell, for the README's screenshot. Usage: ansi2svg.py < in > out.svg"""
import html
import re
import sys

CELL_W, CELL_H, FONT = 8.4, 17, 14
BG, FG = "#1c1c24", "#d0d0d0"
# xterm's 16 colours.
BASE = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
        "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]


def xterm256(n):
    if n < 16:
        return BASE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def apply_sgr(params, st):
    p = [int(x) if x else 0 for x in params.split(";")] if params else [0]
    i = 0
    while i < len(p):
        c = p[i]
        if c == 0:
            st.update(fg=None, bg=None, bold=False, dim=False, rev=False, ul=False)
        elif c == 1:
            st["bold"] = True
        elif c == 2:
            st["dim"] = True
        elif c == 4:
            st["ul"] = True
        elif c == 7:
            st["rev"] = True
        elif c == 22:
            st["bold"] = st["dim"] = False
        elif c == 24:
            st["ul"] = False
        elif c == 27:
            st["rev"] = False
        elif 30 <= c <= 37:
            st["fg"] = BASE[c - 30]
        elif 90 <= c <= 97:
            st["fg"] = BASE[c - 90 + 8]
        elif 40 <= c <= 47:
            st["bg"] = BASE[c - 40]
        elif 100 <= c <= 107:
            st["bg"] = BASE[c - 100 + 8]
        elif c == 39:
            st["fg"] = None
        elif c == 49:
            st["bg"] = None
        elif c in (38, 48) and i + 1 < len(p):
            key = "fg" if c == 38 else "bg"
            if p[i + 1] == 5 and i + 2 < len(p):
                st[key] = xterm256(p[i + 2])
                i += 2
            elif p[i + 1] == 2 and i + 4 < len(p):
                st[key] = "#%02x%02x%02x" % tuple(p[i + 2:i + 5])
                i += 4
        i += 1


def main():
    rows = []
    st = dict(fg=None, bg=None, bold=False, dim=False, rev=False, ul=False)
    for line in sys.stdin.read().rstrip("\n").split("\n"):
        cells = []
        for m in re.finditer(r"\x1b\[([0-9;]*)m|\x1b[^m]*?[A-Za-z]|(.)", line):
            if m.group(2) is not None:
                cells.append((m.group(2), dict(st)))
            elif m.group(1) is not None or m.group(0) == "\x1b[m":
                apply_sgr(m.group(1) or "", st)
        rows.append(cells)
    width = max(len(r) for r in rows)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * CELL_W:.0f}" '
           f'height="{len(rows) * CELL_H}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" '
           f'font-size="{FONT}">', f'<rect width="100%" height="100%" fill="{BG}"/>']
    for y, r in enumerate(rows):
        for x, (ch, s) in enumerate(r):
            fg, bg = s["fg"] or FG, s["bg"]
            if s["rev"]:
                fg, bg = (s["bg"] or BG), (s["fg"] or FG)
            if bg:
                out.append(f'<rect x="{x * CELL_W:.1f}" y="{y * CELL_H}" width="{CELL_W + 0.3:.1f}" '
                           f'height="{CELL_H}" fill="{bg}"/>')
            if ch != " ":
                attrs = f'fill="{fg}"'
                if s["bold"]:
                    attrs += ' font-weight="bold"'
                if s["dim"]:
                    attrs += ' opacity="0.6"'
                if s["ul"]:
                    attrs += ' text-decoration="underline"'
                out.append(f'<text x="{x * CELL_W:.1f}" y="{y * CELL_H + CELL_H - 4}" {attrs}>'
                           f'{html.escape(ch)}</text>')
    out.append("</svg>")
    print("\n".join(out))


main()
