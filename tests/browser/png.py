"""PNG decoding and comparison with Python's standard library (zlib), for the screenshot tests:
8-bit RGB or RGBA, not interlaced, as Chromium writes them."""

import struct
import zlib


def decode(data):
    """(width, height, pixels): pixels is a list of rows, each bytes of RGBA."""
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, header = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', chunk)
        elif kind == b'IDAT':
            idat += chunk
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        raise ValueError(f'unsupported PNG: depth {depth}, colour type {color}, interlace {interlace}')
    channels = 4 if color == 6 else 3
    stride = width * channels
    raw = zlib.decompress(idat)
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        previous = line
        if channels == 3:
            rgba = bytearray(width * 4)
            rgba[0::4], rgba[1::4], rgba[2::4] = line[0::3], line[1::3], line[2::3]
            rgba[3::4] = b'\xff' * width
            line = rgba
        rows.append(bytes(line))
    return width, height, rows


def difference(a_png, b_png, threshold=48):
    """The share of pixels (0..1) whose channels differ by more than `threshold` somewhere; 1.0
    when the sizes differ."""
    wa, ha, a = decode(a_png)
    wb, hb, b = decode(b_png)
    if (wa, ha) != (wb, hb):
        return 1.0
    differing = 0
    for row_a, row_b in zip(a, b):
        if row_a == row_b:
            continue
        for x in range(0, len(row_a), 4):
            if any(abs(row_a[x + i] - row_b[x + i]) > threshold for i in range(3)):
                differing += 1
    return differing / (wa * ha)
