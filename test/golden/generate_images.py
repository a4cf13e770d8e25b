"""Test images in the formats the runner accepts, and Pillow's `Image.open(f).convert("RGB")` pixels for
each (the runner: Pillow 10.3 with ImageFile.LOAD_TRUNCATED_IMAGES = True).

Run by hand, not in CI, with a Python that has Pillow and numpy (Debian: /usr/bin/python3 with python3-pil):
    /usr/bin/python3 test/golden/generate_images.py
Writes test/golden/images/* (the inputs) and test/golden/pillow.json (for each: size, SHA-256 of the RGB
bytes, and the RGB bytes in base64), which test/image/pillow.test.ts and test/browser/pillow.test.ts read.
Made with Pillow 9.4; where 10.3 decodes these files differently the generator says so (see NOTES).
"""
import base64, hashlib, io, json, pathlib, struct, zlib
import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

ImageFile.LOAD_TRUNCATED_IMAGES = True
HERE = pathlib.Path(__file__).parent
IMAGES = HERE / "images"
IMAGES.mkdir(exist_ok=True)
rng = np.random.default_rng(12)


def scene(w, h, alpha=False):
    """A gradient with a few shapes and some noise: every channel varies, JPEG has real work to do."""
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // max(w - 1, 1)).astype(np.int32)
    g = (y * 255 // max(h - 1, 1)).astype(np.int32)
    b = ((x + y) * 7 % 256).astype(np.int32)
    box = (x > w // 4) & (x < w // 2) & (y > h // 3)
    r[box], g[box], b[box] = 240, 30, 60
    noise = rng.integers(-12, 13, size=(h, w, 3))
    rgb = np.clip(np.stack([r, g, b], axis=-1) + noise, 0, 255).astype(np.uint8)
    if not alpha:
        return rgb
    a = np.where((x + y) % 5 == 0, 0, np.where(x < w // 2, 255, 77)).astype(np.uint8)
    return np.dstack([rgb, a])


def icc_display_p3():
    """A Display P3 matrix/TRC ICC v2 profile (D50-adapted primaries, gamma 2.2), written by hand."""
    def s15(v):
        return struct.pack(">i", int(round(v * 65536)))

    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)

    def desc(text):
        t = text.encode() + b"\0"
        return b"desc" + b"\0" * 4 + struct.pack(">I", len(t)) + t + b"\0" * 4 + b"\0" * 4 + b"\0" * 2 + b"\0" + b"\0" * 67

    curve = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", int(2.2 * 256)) + b"\0\0"
    tags = [
        (b"desc", desc("Display P3 (test)")),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.515102, 0.241182, -0.00104941)),
        (b"gXYZ", xyz(0.291965, 0.692236, 0.0418818)),
        (b"bXYZ", xyz(0.157153, 0.0665819, 0.784378)),
        (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
        (b"cprt", b"text" + b"\0" * 4 + b"No copyright, test data\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        while (offset + len(data)) % 4:
            data += b"\0"
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    body = struct.pack(">I", len(tags)) + table + data
    size = 128 + len(body)
    header = struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntr" + b"RGB " + b"XYZ " + b"\0" * 12
    header += b"acsp" + b"APPL" + b"\0" * 4 + b"\0" * 4 + b"\0" * 4 + b"\0" * 8 + b"\0" * 4
    header += s15(0.9642) + s15(1.0) + s15(0.8249) + b"lcms" + b"\0" * 44
    assert len(header) == 128, len(header)
    return header + body


def png_bytes(im, **kw):
    out = io.BytesIO()
    im.save(out, "PNG", **kw)
    return out.getvalue()


def save(name, data):
    (IMAGES / name).write_bytes(data)
    return name


def ico_with_dib(rgb16, rgb32, entries=None):
    """An ICO holding DIB (BMP) entries as Windows writes them, with AND masks: by default 16×16 at 24
    bits and 32×32 at 32 bits (BGRA). Pillow only writes PNG entries."""
    def dib(rgb, bpp):
        h, w, _ = rgb.shape
        rows = []
        for row in rgb[::-1]:
            if bpp == 32:
                px = np.dstack([row[:, 2], row[:, 1], row[:, 0], np.full(w, 200, np.uint8)]).tobytes()
            else:
                px = row[:, ::-1].tobytes()
            rows.append(px + b"\0" * ((-len(px)) % 4))
        mask_row = b"\0" * (((w + 31) // 32) * 4)
        header = struct.pack("<IiiHHIIiiII", 40, w, h * 2, 1, bpp, 0, 0, 0, 0, 0, 0)
        return header + b"".join(rows) + mask_row * h

    entries = entries or [(rgb16, 24), (rgb32, 32)]
    blobs = [dib(rgb, bpp) for rgb, bpp in entries]
    out = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    for (rgb, bpp), blob in zip(entries, blobs):
        out += struct.pack("<BBBBHHII", rgb.shape[1], rgb.shape[0], 0, 0, 1, bpp, len(blob), offset)
        offset += len(blob)
    return out + b"".join(blobs)


def bmp_bitfields_565(rgb):
    """A 16-bit BI_BITFIELDS (R5 G6 B5) bottom-up BMP."""
    h, w, _ = rgb.shape
    r, g, b = (rgb[..., 0].astype(np.uint16) >> 3), (rgb[..., 1].astype(np.uint16) >> 2), (rgb[..., 2].astype(np.uint16) >> 3)
    v = (r << 11) | (g << 5) | b
    rows = []
    for row in v[::-1]:
        px = row.astype("<u2").tobytes()
        rows.append(px + b"\0" * ((-len(px)) % 4))
    pixels = b"".join(rows)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 16, 3, len(pixels), 2835, 2835, 0, 0) + struct.pack("<III", 0xF800, 0x07E0, 0x001F)
    return b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pixels), 0, 0, 14 + len(info)) + info + pixels


files = {}
NOTES = []

# 1. Display-P3 PNG and JPEG: Pillow ignores the embedded profile.
p3 = icc_display_p3()
rgb = scene(32, 24)
files["p3.png"] = save("p3.png", png_bytes(Image.fromarray(rgb), icc_profile=p3))
buf = io.BytesIO(); Image.fromarray(rgb).save(buf, "JPEG", quality=90, icc_profile=p3)
files["p3.jpg"] = save("p3.jpg", buf.getvalue())

# 2. CMYK JPEG (Adobe APP14, inverted samples, as Photoshop writes them).
cmyk = np.dstack([scene(32, 24), rng.integers(0, 256, size=(24, 32), dtype=np.uint8)])
buf = io.BytesIO(); Image.fromarray(cmyk, "CMYK").save(buf, "JPEG", quality=92)
files["cmyk.jpg"] = save("cmyk.jpg", buf.getvalue())

# 3. EXIF orientation 6 (rotate 90° CW to display): Pillow ignores it, so 64×48 stays 64×48.
exif = Image.Exif(); exif[0x0112] = 6
buf = io.BytesIO(); Image.fromarray(scene(64, 48)).save(buf, "JPEG", quality=90, exif=exif.tobytes())
files["exif6.jpg"] = save("exif6.jpg", buf.getvalue())

# 4. Truncated PNG and JPEG (cut at 60%): decoded partially, the rest black.
full = png_bytes(Image.fromarray(scene(64, 48)))
files["truncated.png"] = save("truncated.png", full[: len(full) * 6 // 10])
buf = io.BytesIO(); Image.fromarray(scene(64, 48)).save(buf, "JPEG", quality=90)
files["truncated.jpg"] = save("truncated.jpg", buf.getvalue()[: len(buf.getvalue()) * 6 // 10])
buf = io.BytesIO(); Image.fromarray(scene(64, 48)).save(buf, "JPEG", quality=90, progressive=True)
files["truncated-progressive.jpg"] = save("truncated-progressive.jpg", buf.getvalue()[: len(buf.getvalue()) * 6 // 10])

# 5. BMP: 24-bit, 32-bit (BGRA), 8-bit palette, 16-bit bitfields, top-down.
for name, im in [("bmp24.bmp", Image.fromarray(scene(31, 17))), ("bmp32.bmp", Image.fromarray(scene(31, 17, alpha=True), "RGBA")),
                 ("bmp8.bmp", Image.fromarray(scene(31, 17)).quantize(37))]:
    buf = io.BytesIO(); im.save(buf, "BMP"); files[name] = save(name, buf.getvalue())
files["bmp16-565.bmp"] = save("bmp16-565.bmp", bmp_bitfields_565(scene(13, 9)))
top = bytearray((IMAGES / "bmp24.bmp").read_bytes())
h = struct.unpack_from("<i", top, 22)[0]
rowlen = (31 * 3 + 3) // 4 * 4
off = struct.unpack_from("<I", top, 10)[0]
rows = [top[off + i * rowlen: off + (i + 1) * rowlen] for i in range(h)]
top[off:off + rowlen * h] = b"".join(rows[::-1])
struct.pack_into("<i", top, 22, -h)
files["bmp24-topdown.bmp"] = save("bmp24-topdown.bmp", bytes(top))

# 6. ICO: Pillow's own (PNG entries) and a Windows-style one (DIB entries with AND masks).
buf = io.BytesIO(); Image.fromarray(scene(32, 32, alpha=True), "RGBA").save(buf, "ICO", sizes=[(16, 16), (32, 32)])
files["icon-png.ico"] = save("icon-png.ico", buf.getvalue())
files["icon-dib.ico"] = save("icon-dib.ico", ico_with_dib(scene(16, 16), scene(32, 32)))

# 7. PPM/PGM/PBM: binary RGB, binary grey, plain RGB, binary bitmap, and a maxval other than 255.
for name, im in [("p6.ppm", Image.fromarray(scene(23, 11))), ("p5.pgm", Image.fromarray(scene(23, 11)).convert("L")),
                 ("p4.pbm", Image.fromarray(scene(23, 11)).convert("1"))]:
    buf = io.BytesIO(); im.save(buf, "PPM"); files[name] = save(name, buf.getvalue())
small = scene(5, 3)
files["p3-plain.ppm"] = save("p3-plain.ppm", ("P3\n# plain\n5 3\n255\n" + "\n".join(" ".join(str(v) for v in row.ravel()) for row in small) + "\n").encode())
files["p6-maxval1000.ppm"] = save("p6-maxval1000.ppm", b"P6 7 5 1000\n" + (rng.integers(0, 1001, size=(5, 7, 3)).astype(">u2")).tobytes())
files["p6-maxval100.ppm"] = save("p6-maxval100.ppm", b"P6 7 5 100\n" + (rng.integers(0, 101, size=(5, 7, 3)).astype(np.uint8)).tobytes())

# 8. TGA: uncompressed 24-bit (bottom-up), RLE 32-bit, top-left origin, 8-bit grey.
for name, im, kw in [("tga24.tga", Image.fromarray(scene(29, 13)), {}), ("tga32-rle.tga", Image.fromarray(scene(29, 13, alpha=True), "RGBA"), {"rle": True}),
                     ("tga24-topleft.tga", Image.fromarray(scene(29, 13)), {"orientation": 1}),
                     ("tga8-grey.tga", Image.fromarray(scene(29, 13)).convert("L"), {"rle": True}),
                     ("tga8-palette.tga", Image.fromarray(scene(29, 13)).quantize(20), {})]:
    buf = io.BytesIO(); im.save(buf, "TGA", **kw); files[name] = save(name, buf.getvalue())

# 9. PNG modes: 16-bit grey (Pillow clips at 255), 16-bit RGB, RGBA with colours under alpha 0, palette with
#    tRNS, 1/2/4-bit grey, grey+alpha, Adam7 interlacing.
g16 = (rng.integers(0, 65536, size=(12, 16))).astype(np.uint16)
g16[:3] = rng.integers(0, 256, size=(3, 16))
files["grey16.png"] = save("grey16.png", png_bytes(Image.fromarray(g16.astype(np.int32), "I")))
def raw_png(w, h, bit_depth, colour_type, rows, extra=b"", interlace=0):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
rgb16 = rng.integers(0, 65536, size=(6, 7, 3)).astype(">u2")
files["rgb16.png"] = save("rgb16.png", raw_png(7, 6, 16, 2, b"".join(b"\0" + r.tobytes() for r in rgb16)))
files["rgba.png"] = save("rgba.png", png_bytes(Image.fromarray(scene(20, 10, alpha=True), "RGBA")))
pal = Image.fromarray(scene(20, 10)).quantize(16)
files["palette-trns.png"] = save("palette-trns.png", png_bytes(pal, transparency=bytes([0, 128] + [255] * 14)))
for bits in (1, 2, 4):
    vals = rng.integers(0, 1 << bits, size=(5, 11))
    packed = b""
    for row in vals:
        bitstr = "".join(format(int(v), f"0{bits}b") for v in row)
        bitstr += "0" * ((-len(bitstr)) % 8)
        packed += b"\0" + int(bitstr, 2).to_bytes(len(bitstr) // 8, "big")
    files[f"grey{bits}.png"] = save(f"grey{bits}.png", raw_png(11, 5, bits, 0, packed))
files["grey-alpha.png"] = save("grey-alpha.png", png_bytes(Image.fromarray(scene(9, 7, alpha=True), "RGBA").convert("LA")))
files["interlaced.png"] = save("interlaced.png", raw_png(13, 11, 8, 2, b"".join(
    b"\0" + rng.integers(0, 256, size=(w * 3,), dtype=np.uint8).tobytes() for w in [0] for _ in []) or b"", b""))
# Adam7 by hand: build the seven passes of a known image.
adam = scene(13, 11)
passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
data = b""
for x0, y0, dx, dy in passes:
    sub = adam[y0::dy, x0::dx]
    if sub.size:
        for row in sub:
            data += b"\2" + bytes((int(v) - int(u)) % 256 for v, u in zip(row.ravel(), np.zeros(row.size, np.uint8)))
files["interlaced.png"] = save("interlaced.png", raw_png(13, 11, 8, 2, data, interlace=1))
files["palette-short.png"] = save("palette-short.png", raw_png(4, 2, 8, 3, b"\0\0\1\2\7\0\3\200\377\2",
    extra=struct.pack(">I", 9) + b"PLTE" + bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]) + struct.pack(">I", zlib.crc32(b"PLTE" + bytes([255, 0, 0, 0, 255, 0, 0, 0, 255])) & 0xFFFFFFFF)))

# 10. GIF with a transparent index whose palette colour is not black; and a frame smaller than the screen.
gif_pal = Image.fromarray(scene(24, 16)).quantize(32)
gif_pal.info["transparency"] = 5
buf = io.BytesIO(); gif_pal.save(buf, "GIF", transparency=5); files["transparent.gif"] = save("transparent.gif", buf.getvalue())
grey_gif = Image.fromarray(scene(24, 16)).convert("L")
buf = io.BytesIO(); grey_gif.save(buf, "GIF"); files["grey.gif"] = save("grey.gif", buf.getvalue())

# 11. WebP: lossy, lossless, and lossless with alpha (colours kept under alpha 0).
for name, im, kw in [("lossy.webp", Image.fromarray(scene(30, 20)), {"quality": 80}), ("lossless.webp", Image.fromarray(scene(30, 20)), {"lossless": True}),
                     ("alpha.webp", Image.fromarray(scene(30, 20, alpha=True), "RGBA"), {"lossless": True, "exact": True})]:
    buf = io.BytesIO(); im.save(buf, "WEBP", **kw); files[name] = save(name, buf.getvalue())

# 12. Hand-built files for the less common paths: BMP RLE8/RLE4 (runs, absolute runs, end of line,
#     delta, end of bitmap), truncated BMP and GIF, a GIF frame offset inside a larger screen, grey JPEG,
#     16-bit TGA, a colour-mapped TGA whose map starts at entry 2, a PNG with a bad ancillary CRC.
def bmp_rle(bits, w, h, pal, data):
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, bits, 1 if bits == 8 else 2, len(data), 0, 0, len(pal), 0)
    palb = b"".join(bytes([b_, g_, r_, 0]) for r_, g_, b_ in pal)
    off = 14 + len(info) + len(palb)
    return b"BM" + struct.pack("<IHHI", off + len(data), 0, 0, off) + info + palb + data
pal8 = [(10 * i % 256, 255 - 7 * i % 256, 3 * i % 256) for i in range(16)]
rle8 = (bytes([4, 1, 0, 3, 2, 3, 4, 0, 0, 0]) + bytes([7, 9, 0, 0]) + bytes([3, 5, 4, 6, 0, 0])
        + bytes([0, 5, 7, 8, 9, 10, 11, 0, 2, 12, 0, 0]) + bytes([1, 13, 0, 2, 9, 9, 6, 0, 0, 1]))
files["bmp-rle8.bmp"] = save("bmp-rle8.bmp", bmp_rle(8, 7, 5, pal8, rle8))
rle4 = (bytes([6, 0x12, 0, 0]) + bytes([0, 6, 0x34, 0x56, 0x70, 0, 0, 0]) + bytes([0, 4, 0x9A, 0xBC, 2, 0xDE, 0, 0])
        + bytes([6, 0xF0, 0, 1]))
files["bmp-rle4.bmp"] = save("bmp-rle4.bmp", bmp_rle(4, 6, 4, pal8, rle4))
# Ends (end of bitmap) before its pixels do: Pillow's set_as_raw raises ValueError.
save("error-bmp-rle8-short.bmp", bmp_rle(8, 7, 5, pal8, bytes([7, 1, 0, 1])))
save("error-ppm-plain-too-large.ppm", b"P3 2 1 255\n1 2 3 4 5 300\n")
save("error-ppm-maxval.ppm", b"P6 2 1 70000\n" + b"\0" * 12)
full = (IMAGES / "bmp24.bmp").read_bytes()
files["truncated.bmp"] = save("truncated.bmp", full[: len(full) * 6 // 10])
buf = io.BytesIO(); Image.fromarray(scene(64, 48)).quantize(64).save(buf, "GIF", transparency=3)
files["truncated.gif"] = save("truncated.gif", buf.getvalue()[: len(buf.getvalue()) * 7 // 10])
full = (IMAGES / "transparent.gif").read_bytes()
g = bytearray(full)
struct.pack_into("<HH", g, 6, 30, 20)
at = g.index(b"\x2c", 13 + (3 << ((g[10] & 7) + 1)) if g[10] & 0x80 else 13)
struct.pack_into("<HH", g, at + 1, 3, 2)
files["gif-offset.gif"] = save("gif-offset.gif", bytes(g))
buf = io.BytesIO(); Image.fromarray(scene(20, 12)).convert("L").save(buf, "JPEG", quality=85); files["grey.jpg"] = save("grey.jpg", buf.getvalue())
px16 = rng.integers(0, 65536, size=(5, 9)).astype("<u2")
files["tga16.tga"] = save("tga16.tga", struct.pack("<BBBHHBHHHHBB", 0, 0, 2, 0, 0, 0, 0, 0, 9, 5, 16, 0) + px16.tobytes())
cmap = rng.integers(0, 65536, size=6).astype("<u2")
idx = rng.integers(0, 9, size=(4, 7)).astype(np.uint8)
files["tga-cmap16.tga"] = save("tga-cmap16.tga", struct.pack("<BBBHHBHHHHBB", 0, 1, 1, 2, 6, 16, 0, 0, 7, 4, 8, 0x20) + cmap.tobytes() + idx.tobytes())
png = bytearray(png_bytes(Image.fromarray(scene(8, 6)), pnginfo=__import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()))
text_chunk = struct.pack(">I", 5) + b"tEXt" + b"a\0bcd" + b"\0\0\0\0"  # wrong CRC on an ancillary chunk
png = png[:33] + text_chunk + png[33:]
files["png-bad-text-crc.png"] = save("png-bad-text-crc.png", bytes(png))
bad = bytearray(png_bytes(Image.fromarray(scene(8, 6))))
bad[29] ^= 0xFF  # IHDR's CRC
save("refused-bad-ihdr-crc.png", bytes(bad))

# 13. An ICO with two 16×16 entries, 32-bit then 24-bit. Pillow 10.3 takes the lowest colour depth
#     among the largest (its sort is stable with reverse=True); 9.4 took the highest. The golden
#     pixels are 10.3's: those of an ICO holding only the 24-bit entry.
tie24, tie32 = scene(16, 16), scene(16, 16)[::-1].copy()
files["ico-tie.ico"] = save("ico-tie.ico", ico_with_dib(None, None, [(tie32, 32), (tie24, 24)]))
SAME_AS = {"ico-tie.ico": io.BytesIO(ico_with_dib(None, None, [(tie24, 24)]))}

golden = {}
for name in sorted(files):
    with Image.open(SAME_AS.get(name, IMAGES / name)) as im:
        fmt, mode = im.format, im.mode
        rgb = np.asarray(im.convert("RGB"))
    golden[name] = {"format": fmt, "mode": mode, "width": rgb.shape[1], "height": rgb.shape[0],
                    "sha256": hashlib.sha256(rgb.tobytes()).hexdigest(), "rgb": base64.b64encode(rgb.tobytes()).decode()}

# Files Pillow cannot open (UnidentifiedImageError: the runner's 500) or that raise ValueError while
# opening or decoding (the runner's route maps ValueError to 400 with its default message).
refused, errors = {}, {}
for path in sorted(IMAGES.glob("refused*")) + sorted(IMAGES.glob("error-*")):
    try:
        Image.open(path).convert("RGB")
        raise SystemExit(f"Pillow opened {path.name}")
    except (UnidentifiedImageError, ValueError) as e:
        (refused if path.name.startswith("refused") else errors)[path.name] = type(e).__name__

NOTES.append("Pillow 10.3 opens 16-bit grey PNG as I;16 (9.4: I); both convert to RGB by clipping at 255.")
NOTES.append("Pillow 10.3 picks an ICO's largest entry and, among equal sizes, the lowest colour depth (9.4: the highest): ico-tie.ico's pixels are 10.3's, taken from its 24-bit entry alone.")
out = {"pillow": Image.__version__, "notes": NOTES, "refused": refused, "errors": errors, "images": golden}
(HERE / "pillow.json").write_text(json.dumps(out, indent=1) + "\n")
print({k: (v["format"], v["mode"], v["width"], v["height"]) for k, v in golden.items()}, refused)
