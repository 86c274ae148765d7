#!/usr/bin/env python3
"""Generate the PWA icons in public/icons/ (standard library only: zlib + struct).

    python3 scripts/gen_icons.py

Draws a white "person" glyph on the theme blue: rounded-square icons for purpose "any"
(transparent corners) and full-bleed icons for purpose "maskable" (glyph inside the 80 %
safe zone). Anti-aliased by 4x4 supersampling.
"""
import math
import os
import struct
import zlib

BLUE = (0x1D, 0x4E, 0xD8)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "public", "icons")
SS = 4  # supersamples per axis


def png(path, width, height, rgba_rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(row) for row in rgba_rows)  # filter type 0 per row
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    with open(path, "wb") as f:
        f.write(data)


def in_rounded_square(x, y, radius):
    """x, y in [0, 1]; square with corner radius `radius`."""
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def in_person(x, y, scale):
    """A head and shoulders glyph centred in the unit square, `scale` = its fraction of it."""
    # map to glyph space [-0.5, 0.5] around the centre
    u = (x - 0.5) / scale
    v = (y - 0.5) / scale
    head = u**2 + (v + 0.17) ** 2 <= 0.17**2
    # shoulders: upper half of an ellipse, cut flat at the bottom
    shoulders = v >= 0.08 and v <= 0.42 and (u / 0.33) ** 2 + ((v - 0.42) / 0.34) ** 2 <= 1
    return head or shoulders


def render(size, maskable):
    rows = []
    step = 1.0 / (size * SS)
    for py in range(size):
        row = []
        for px in range(size):
            bg = fg = 0
            for sy in range(SS):
                y = (py * SS + sy + 0.5) * step
                for sx in range(SS):
                    x = (px * SS + sx + 0.5) * step
                    inside = True if maskable else in_rounded_square(x, y, 0.22)
                    if inside:
                        if in_person(x, y, 0.62 if maskable else 0.78):
                            fg += 1
                        else:
                            bg += 1
            n = SS * SS
            cover = bg + fg
            if cover == 0:
                row += [0, 0, 0, 0]
                continue
            r = (BLUE[0] * bg + WHITE[0] * fg) // cover
            g = (BLUE[1] * bg + WHITE[1] * fg) // cover
            b = (BLUE[2] * bg + WHITE[2] * fg) // cover
            row += [r, g, b, round(255 * cover / n)]
        rows.append(row)
    return rows


def main():
    os.makedirs(OUT, exist_ok=True)
    for size in (192, 512):
        for maskable in (False, True):
            name = f"icon-{'maskable-' if maskable else ''}{size}.png"
            png(os.path.join(OUT, name), size, size, render(size, maskable))
            print("wrote", os.path.normpath(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
