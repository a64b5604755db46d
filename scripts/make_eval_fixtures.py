#!/usr/bin/env python3
"""Reference numbers for the project's metrics and classical fills (Tests/EvaluationTests/Fixtures).

Writes eval_reference.json: a few synthetic 28x28 "digits" (soft strokes, 8-bit grey levels), a noisy
reconstruction and a rectangular hole for each, and what trusted libraries compute for them:
  - hole MSE / MAE, per-image SSIM of the composite with skimage.metrics.structural_similarity
    (gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1: Wang et al. 2004);
  - biharmonic fill with skimage.restoration.inpaint_biharmonic;
  - harmonic fill: a sparse solve of the 4-neighbour Laplace equation with the known pixels as Dirichlet
    data and half-sample reflection at the image border (what scipy.ndimage.laplace's 'reflect' does);
  - Telea fill with OpenCV's cv2.inpaint(..., INPAINT_TELEA) on the 8-bit image with the hole zeroed, radius 3.
Run: venv/bin/python scripts/make_eval_fixtures.py  (needs numpy scipy scikit-image opencv-python-headless)
"""
import json
import pathlib

import cv2
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from skimage.metrics import structural_similarity
from skimage.restoration import inpaint_biharmonic

rng = np.random.default_rng(20240611)
SIDE = 28


def stroke_image():
    """A digit-like image: a few soft strokes along random segments, quantised to 8 bits."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    img = np.zeros((SIDE, SIDE))
    for _ in range(3):
        p0, p1 = rng.uniform(5, 23, 2), rng.uniform(5, 23, 2)
        for t in np.linspace(0, 1, 30):
            cy, cx = p0 + t * (p1 - p0)
            img = np.maximum(img, np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * 1.2 ** 2)))
    return np.round(np.clip(img, 0, 1) * 255) / 255


def harmonic_fill(img, hole):
    """Solve L u = 0 on the hole, L the reflect (Neumann) 4-neighbour Laplacian, known pixels fixed."""
    idx = -np.ones((SIDE, SIDE), dtype=int)
    pts = np.argwhere(hole)
    idx[hole] = np.arange(len(pts))
    rows, cols, vals = [], [], []
    rhs = np.zeros(len(pts))
    for n, (r, c) in enumerate(pts):
        deg = 0
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            rr, cc = r + dr, c + dc
            if not (0 <= rr < SIDE and 0 <= cc < SIDE):
                continue  # reflected neighbour equals the pixel itself: no contribution
            deg += 1
            if hole[rr, cc]:
                rows.append(n); cols.append(idx[rr, cc]); vals.append(-1.0)
            else:
                rhs[n] += img[rr, cc]
        rows.append(n); cols.append(n); vals.append(float(deg))
    a = sp.csr_matrix((vals, (rows, cols)), shape=(len(pts), len(pts)))
    out = img.copy()
    out[hole] = spla.spsolve(a, rhs)
    return out


def case(top, left, h, w, noise):
    img = stroke_image()
    hole = np.zeros((SIDE, SIDE), dtype=bool)
    hole[top:top + h, left:left + w] = True
    recon = np.clip(img + rng.normal(0, noise, img.shape), 0, 1).astype(np.float32).astype(np.float64)
    mask = (~hole).astype(np.float64)
    comp = mask * img + (1 - mask) * recon
    err = (recon - img)[hole]
    ssim = structural_similarity(comp, img, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 data_range=1.0)
    # The project's fills see x*M (the hole zeroed), so OpenCV gets the same input.
    known8 = np.round(img * 255).astype(np.uint8) * (~hole).astype(np.uint8)
    telea = cv2.inpaint(known8, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    return {
        "hole": {"top": top, "left": left, "height": h, "width": w},
        "image": img.ravel().tolist(),
        "reconstruction": recon.ravel().tolist(),
        "holeSquaredErrorSum": float((err ** 2).sum()),
        "holeAbsoluteErrorSum": float(np.abs(err).sum()),
        "holePixels": int(hole.sum()),
        "ssim": float(ssim),
        "biharmonic": inpaint_biharmonic(img, hole).ravel().tolist(),
        "harmonic": harmonic_fill(img, hole).ravel().tolist(),
        "telea": (telea.astype(np.float64) / 255).ravel().tolist(),
    }


cases = [
    case(8, 9, 10, 10, 0.10),   # 100 hole pixels, interior
    case(5, 6, 12, 12, 0.20),   # 144
    case(0, 14, 14, 14, 0.05),  # 196, touching the top and right borders
    case(20, 0, 8, 13, 0.30),   # 104, touching the bottom and left borders
]
out = pathlib.Path(__file__).resolve().parent.parent / "Tests/EvaluationTests/Fixtures/eval_reference.json"
def rounded(v):
    """Eight significant digits: Float32 precision, and a fixture a third the size."""
    if isinstance(v, float):
        return float(f"{v:.8g}")
    if isinstance(v, list):
        return [rounded(x) for x in v]
    if isinstance(v, dict):
        return {k: rounded(x) for k, x in v.items()}
    return v


out.write_text(json.dumps({"cases": rounded(cases)}, separators=(",", ":")))
print(f"wrote {out} ({out.stat().st_size} bytes)")
for c in cases:
    print(c["hole"], "mse", c["holeSquaredErrorSum"] / c["holePixels"], "ssim", c["ssim"])
