"""Renders omlink's icon (icon.svg describes the same design) to PNG without extra packages:
a green rounded square with two linked white rings. `make icons` derives every platform size
from its output with `tauri icon`."""
import math, struct, sys, zlib

def render(size):
    px = bytearray()
    r_corner = size * 0.22
    ring_r, ring_w = size * 0.19, size * 0.065
    c1 = (size * 0.39, size * 0.5)
    c2 = (size * 0.61, size * 0.5)
    for y in range(size):
        px.append(0)
        for x in range(size):
            fx, fy = x + 0.5, y + 0.5
            # rounded square coverage
            dx = max(r_corner - fx, 0, fx - (size - r_corner))
            dy = max(r_corner - fy, 0, fy - (size - r_corner))
            inside = math.hypot(dx, dy) <= r_corner
            if not inside:
                px += b"\0\0\0\0"
                continue
            col = (0, 104, 74, 255)  # #00684A
            for (cx, cy) in (c1, c2):
                d = abs(math.hypot(fx - cx, fy - cy) - ring_r)
                if d <= ring_w / 2:
                    col = (255, 255, 255, 255)
            px += bytes(col)
    raw = zlib.compress(bytes(px), 9)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")

open("icon.png", "wb").write(render(512))
