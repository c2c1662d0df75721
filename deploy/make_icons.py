"""Draw the athlete app's home-screen icons (static/img/icon-*.png) from the same design as static/img/icon.svg:
a green rounded square with two white chevrons. Standard library only (zlib + struct), anti-aliased by 4x4
supersampling. Run: python3 deploy/make_icons.py (the PNGs are committed; run it again after a design change).
"""
import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "static" / "img"
GREEN = (0x0B, 0x6E, 0x4F)
WHITE = (0xFF, 0xFF, 0xFF)
# The SVG's 32-unit design: chevrons M8 22 l6-6 -6-6 and M16 22 l6-6 -6-6, stroke 3, round caps.
SEGMENTS = [((8, 22), (14, 16)), ((14, 16), (8, 10)), ((16, 22), (22, 16)), ((22, 16), (16, 10))]


def _segment_distance(px, py, a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _inside_rounded(px, py, size, radius):
    cx, cy = min(max(px, radius), size - radius), min(max(py, radius), size - radius)
    return math.hypot(px - cx, py - cy) <= radius


def colour_at(u, v, *, maskable):
    """The colour at design coordinates (u, v) in 0..32, or None (transparent)."""
    if maskable:  # full bleed, the mark shrunk to 70 % so that it sits inside the 80 % safe circle
        u, v = 16 + (u - 16) / 0.7, 16 + (v - 16) / 0.7
    if not maskable and not _inside_rounded(u, v, 32, 6):
        return None
    if min(_segment_distance(u, v, a, b) for a, b in SEGMENTS) <= 1.5:
        return WHITE
    return GREEN


def draw(size: int, *, maskable=False, samples=4) -> bytes:
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            r = g = b = a = 0
            for sy in range(samples):
                for sx in range(samples):
                    u = (x + (sx + 0.5) / samples) * 32 / size
                    v = (y + (sy + 0.5) / samples) * 32 / size
                    colour = colour_at(u, v, maskable=maskable)
                    if colour is not None:
                        r, g, b, a = r + colour[0], g + colour[1], b + colour[2], a + 1
            n = samples * samples
            row += bytes((r // a, g // a, b // a, 255 * a // n) if a else (0, 0, 0, 0))
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width, height, raw) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (180, 192, 512):
        (OUT / f"icon-{size}.png").write_bytes(draw(size))
    (OUT / "icon-maskable-512.png").write_bytes(draw(512, maskable=True, samples=2))
    print("wrote", ", ".join(sorted(p.name for p in OUT.glob("icon-*.png"))))


if __name__ == "__main__":
    main()
