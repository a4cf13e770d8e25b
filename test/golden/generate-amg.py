"""Golden values of SAM2's automatic-mask-generator helpers (facebookresearch/sam2 sam2/utils/amg.py).

Run by hand with Debian's python3-numpy and python3-torch (torch 1.13, CPU), pointing at a copy of
the reference file (not committed here):
  git -C <sam2 checkout> show HEAD:sam2/utils/amg.py > /tmp/amg.py
  /usr/bin/python3 test/golden/generate-amg.py /tmp/amg.py
Writes test/golden/amg.json, which test/pipeline/amg.test.ts reads.

torchvision (batched_nms) is not installable here: `nms` below is a NumPy transcription of
torchvision's CPU kernel (stable descending score sort; IoU in float32; suppress IoU > threshold).
"""
import importlib.util, json, math, pathlib, sys
import numpy as np
import torch

spec = importlib.util.spec_from_file_location("amg", sys.argv[1])
amg = importlib.util.module_from_spec(spec)
spec.loader.exec_module(amg)

rng = np.random.default_rng(15)
out = {}

out["grids"] = []
for n, layers, scale in [(32, 0, 1), (5, 2, 2), (7, 1, 1), (1, 0, 1), (3, 1, 2)]:
    grids = amg.build_all_layer_point_grids(n, layers, scale)
    out["grids"].append({"n": n, "layers": layers, "scale": scale, "grids": [g.ravel().tolist() for g in grids]})

out["crops"] = []
for (h, w), layers, ratio in [((768, 1024), 0, 512 / 1500), ((768, 1024), 2, 512 / 1500), ((100, 37), 1, 0.3), ((481, 640), 3, 512 / 1500), ((1000, 1000), 1, 0.5)]:
    boxes, idxs = amg.generate_crop_boxes((h, w), layers, ratio)
    out["crops"].append({"h": h, "w": w, "layers": layers, "ratio": ratio, "boxes": boxes, "layer_idxs": idxs})

out["stability"] = []
for thr, off in [(0.0, 1.0), (0.5, 0.25), (-1.0, 2.0), (0.0, 0.05)]:
    logits = (rng.standard_normal((3, 23, 17)) * 3).astype(np.float32)
    scores = amg.calculate_stability_score(torch.from_numpy(logits), thr, off)
    out["stability"].append({"threshold": thr, "offset": off, "h": 23, "w": 17, "logits": [float(v) for v in logits.ravel()], "scores": [float(v) for v in scores]})

masks = rng.random((6, 19, 27)) > 0.97
masks[1] = False
masks[2, 4:9, 3:20] = True
masks[3] = False
masks[3, 18, 26] = True
out["mask_boxes"] = {"h": 19, "w": 27, "masks": masks.astype(np.uint8).ravel().tolist(), "boxes": amg.batched_mask_to_box(torch.from_numpy(masks)).tolist()}

# uncrop_masks + mask_to_rle_pytorch + area_from_rle
out["rle"] = []
for (H, W), crop in [((20, 30), [0, 0, 30, 20]), ((20, 30), [5, 3, 25, 14]), ((16, 16), [0, 8, 16, 16]), ((12, 9), [4, 0, 9, 12])]:
    h, w = crop[3] - crop[1], crop[2] - crop[0]
    m = rng.random((2, h, w)) > 0.6
    m[1] = True
    full = amg.uncrop_masks(torch.from_numpy(m), crop, H, W)
    rles = amg.mask_to_rle_pytorch(full)
    out["rle"].append({"H": H, "W": W, "crop": crop, "masks": m.astype(np.uint8).ravel().tolist(), "counts": [r["counts"] for r in rles], "areas": [amg.area_from_rle(r) for r in rles]})

out["near_edge"] = []
for crop, orig in [([0, 0, 100, 80], [0, 0, 100, 80]), ([30, 20, 90, 80], [0, 0, 100, 80]), ([0, 0, 60, 50], [0, 0, 100, 80])]:
    cw, ch = crop[2] - crop[0], crop[3] - crop[1]
    b = np.sort(rng.integers(0, [cw, ch, cw, ch], size=(40, 4)).reshape(40, 2, 2), axis=1).reshape(40, 4)
    b = b[:, [0, 2, 1, 3]]  # x0, y0, x1, y1 with x0 <= x1, y0 <= y1
    b[:4] = [[0, 0, cw - 1, ch - 1], [19, 3, 40, 21], [21, 21, cw - 21, ch - 21], [0, 0, 0, 0]]
    near = amg.is_box_near_crop_edge(torch.from_numpy(b), crop, orig)
    out["near_edge"].append({"crop": crop, "orig": orig, "boxes": b.tolist(), "near": [bool(v) for v in near]})


def nms(boxes, scores, thresh):
    boxes = boxes.astype(np.float32)
    order = np.argsort(-scores, kind="stable")
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(len(boxes), bool)
    keep = []
    for oi, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(int(i))
        for j in order[oi + 1:]:
            if suppressed[j]:
                continue
            w = np.maximum(np.float32(0), np.minimum(x2[i], x2[j]) - np.maximum(x1[i], x1[j]))
            h = np.maximum(np.float32(0), np.minimum(y2[i], y2[j]) - np.maximum(y1[i], y1[j]))
            inter = np.float32(w * h)
            with np.errstate(invalid="ignore", divide="ignore"):
                iou = np.float32(inter / np.float32(np.float32(areas[i] + areas[j]) - inter))
            if float(iou) > thresh:
                suppressed[j] = True
    return keep


out["nms"] = []
for n, thresh in [(60, 0.7), (60, 0.5), (30, 0.0), (25, 0.95)]:
    xy = rng.integers(0, 80, size=(n, 2))
    wh = rng.integers(0, 40, size=(n, 2))
    b = np.concatenate([xy, xy + wh], axis=1)
    b[1] = b[0]  # duplicate box
    s = rng.random(n).astype(np.float32)
    s[5] = s[6] = s[7]  # ties
    out["nms"].append({"threshold": thresh, "boxes": b.tolist(), "scores": [float(v) for v in s], "keep": nms(b, s, thresh)})

path = pathlib.Path(__file__).with_name("amg.json")
path.write_text(json.dumps(out))
print("wrote", path, path.stat().st_size, "bytes")
