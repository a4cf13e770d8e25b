"""Golden reference values from the runner's own libraries (numpy 1.26, Pillow, CPython json).

Run by hand, not in CI: python3 -m venv v && v/bin/pip install numpy==1.26.4 pillow && v/bin/python test/golden/generate.py
Writes test/golden/reference.json, which the TypeScript tests read.
"""
import json, math, pathlib
import numpy as np
from PIL import Image

out = {}

# CPython json.loads errors (the runner's "Error parsing JSON for <field>: <str(e)>").
bad_json = ["", " ", "[", "]", "[1,", "[1,]", "[1 2]", "[[1,2],[3,4]", "[1,2]]", "{", '{"a" 1}', '{"a":1,}', "{1:2}",
            "abc", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "tru", '["a\\q"]', '["\\u12"]', '["abc', '["a\nb"]',
            "[1,\n 2,\n x]", "\ufeff[1]", "[NaN, nan]", "[1]x", "--1", "[\u00e9, 1]", "[\U0001F600, 1]"]
out["json_errors"] = []
for s in bad_json:
    try:
        json.loads(s)
        raise SystemExit(f"expected an error for {s!r}")
    except json.JSONDecodeError as e:
        out["json_errors"].append([s, str(e)])

# numpy's ragged-array ValueError.
ragged = ["[[1,2],[3]]", "[1,[2]]", "[[1],2]", "[[[1,2]],[[1]]]", "[[[1,2],[3,4]],[[5,6],[7]]]", "[[1,2],[3,[4,5]]]",
          "[[[1]],[2]]", "[[1,2],[]]", '[["a"],[1,2]]']
out["ragged"] = []
for s in ragged:
    try:
        np.array(json.loads(s))
        raise SystemExit(f"expected ragged for {s}")
    except ValueError as e:
        out["ragged"].append([s, str(e)])
shapes = ["[]", "[[]]", "[[1,2],[3,4]]", "5", "[[[1,2]]]", "[true,false]", "[1,true]", "[1,2.5]", '["a",1]', "[null]", "[{}]"]
out["shapes"] = [[s, list(np.array(json.loads(s)).shape), np.array(json.loads(s)).dtype.kind] for s in shapes]

# Python float repr of float32 values widened to double.
vals = [0.1, -3.2, 5.5, 32.0, -0.0, 0.0, 1e-5, 3.4e-6, 1e-8, 1e16, 1.5e17, 123456789.0, 0.0001, 0.00009999, -1.2345e-7,
        2.5e-4, 65504.0, 1e15, 9.999e15, 3.4028234663852886e38, 1.401298464324817e-45, 1.0, 0.5, -32.0, 7.0e-3]
f32 = np.array(vals, dtype=np.float32)
out["repr"] = [[float(x), repr(float(x))] for x in f32]
arr = np.array([[[1.5, -0.0], [1e-5, 32.0]], [[0.1, 2.0], [-3.2, 1e20]]], dtype=np.float32)
out["list_repr"] = {"data": [float(x) for x in arr.ravel()], "dims": list(arr.shape), "str": str(arr.tolist())}
out["argsort"] = [[s, list(map(int, np.argsort(np.array(s, dtype=np.float32))[::-1]))] for s in
                  [[0.5, 0.9, 0.5], [0.3, 0.3, 0.3], [0.1, 0.2, 0.3], [0.9, 0.1, 0.9], [0.2, 0.7]]]

# Pillow resampling (the algorithm torchvision's antialiased tensor resize ports), float ('F') and 8-bit.
rng = np.random.default_rng(7)
src = (rng.random((17, 23)) * 255).astype(np.float32)
out["resize_f"] = {"src": {"w": 23, "h": 17, "data": [float(x) for x in src.ravel()]}, "cases": []}
for (w, h) in [(8, 6), (40, 30), (23, 5), (11, 17), (64, 64)]:
    r = np.asarray(Image.fromarray(src, mode="F").resize((w, h), Image.BILINEAR))
    out["resize_f"]["cases"].append({"w": w, "h": h, "data": [float(x) for x in r.ravel()]})
rgb = (rng.random((13, 19, 3)) * 256).astype(np.uint8)
out["resize_rgb"] = {"src": {"w": 19, "h": 13, "data": rgb.ravel().tolist()}, "cases": []}
for (w, h) in [(7, 5), (38, 26), (10, 13)]:
    r = np.asarray(Image.fromarray(rgb, mode="RGB").resize((w, h), Image.BILINEAR))
    out["resize_rgb"]["cases"].append({"w": w, "h": h, "data": r.ravel().tolist()})

path = pathlib.Path(__file__).with_name("reference.json")
path.write_text(json.dumps(out))
print("wrote", path, path.stat().st_size, "bytes")

# COCO RLE (pycocotools mask.encode, column-major counts, compressed string) -> coco-rle.json.
# Needs `pip install pycocotools`.
from pycocotools import mask as coco_mask

rng = np.random.default_rng(3)
rle_cases = []
for (h, w) in [(5, 7), (16, 9), (30, 40)]:
    a = (rng.random((h, w)) > 0.6).astype(np.uint8)
    if h == 30:
        a[:] = 0
        a[5:20, 8:30] = 1
    r = coco_mask.encode(np.asfortranarray(a))
    rle_cases.append({"h": h, "w": w, "data": a.ravel().tolist(), "counts": r["counts"].decode(), "area": int(coco_mask.area(r))})
for fill in (0, 1):
    a = np.full((4, 6), fill, np.uint8)
    r = coco_mask.encode(np.asfortranarray(a))
    rle_cases.append({"h": 4, "w": 6, "data": a.ravel().tolist(), "counts": r["counts"].decode(), "area": int(a.sum())})
pathlib.Path(__file__).with_name("coco-rle.json").write_text(json.dumps(rle_cases))
