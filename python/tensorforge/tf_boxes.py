"""``tf.image``'s bounding-box operations: ``non_max_suppression`` (and ``_with_scores``,
``_padded``, ``_overlaps``), ``combined_non_max_suppression``, ``crop_and_resize``,
``draw_bounding_boxes`` and ``extract_glimpse``.

Boxes are ``[y1, x1, y2, x2]`` (either corner first; the suppression takes min / max, as
TensorFlow). The suppression is TensorFlow's greedy loop (non_max_suppression_op.cc): the
highest score first (the lower index on ties), a candidate dropped when its IoU with a selected
box is above ``iou_threshold``, only scores above ``score_threshold`` considered; with
``soft_nms_sigma`` > 0 the overlapping candidates' scores decay by exp(-IoU^2 / (2 sigma)) and
are re-queued (Soft-NMS, where TensorFlow ignores ``iou_threshold``), as TensorFlow's lazy
variant. ``crop_and_resize`` samples each box at
TensorFlow's points ``y1 (H - 1) + i (y2 - y1) (H - 1) / (crop_h - 1)`` and is differentiable
w.r.t. the image (not the boxes).
"""
import heapq

import numpy as np

from . import backend_ops as K
from .autograd import Tensor
from .backend_ops._args import tensor as _tensor
from .tf_debugging import InvalidArgumentError

__all__ = ["non_max_suppression", "non_max_suppression_with_scores",
           "non_max_suppression_padded", "non_max_suppression_overlaps",
           "combined_non_max_suppression", "crop_and_resize", "draw_bounding_boxes",
           "extract_glimpse"]


def _np(op, arg, x, dtype=None):
    a = np.asarray(x.numpy() if isinstance(x, Tensor) else x)
    return a if dtype is None else a.astype(dtype)


def _iou_matrix(boxes):
    b = boxes.astype(np.float32)
    y1, y2 = np.minimum(b[:, 0], b[:, 2]), np.maximum(b[:, 0], b[:, 2])
    x1, x2 = np.minimum(b[:, 1], b[:, 3]), np.maximum(b[:, 1], b[:, 3])
    area = (y2 - y1) * (x2 - x1)
    iy = np.maximum(np.minimum(y2[:, None], y2[None]) - np.maximum(y1[:, None], y1[None]), 0)
    ix = np.maximum(np.minimum(x2[:, None], x2[None]) - np.maximum(x1[:, None], x1[None]), 0)
    inter = (iy * ix).astype(np.float32)
    union = area[:, None] + area[None] - inter
    ok = (area[:, None] > 0) & (area[None] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, inter / np.where(union > 0, union, 1), 0).astype(np.float32)


def _greedy(sim, scores, max_out, thr, score_thr, sigma=0.0):
    """TensorFlow's DoNonMaxSuppressionOp: (selected indices, their (decayed) scores). A
    candidate is compared with the boxes selected since it was last queued, newest first:
    without ``sigma`` an overlap above ``thr`` drops it; with it (Soft-NMS) every overlap
    decays its score and ``thr`` plays no part, as in TensorFlow. Unchanged, it is selected;
    decayed but above ``score_thr``, it is queued again."""
    soft = sigma > 0
    scale = np.float32(-0.5 / sigma) if soft else np.float32(0)
    heap = [(-float(s), i, 0) for i, s in enumerate(scores.astype(np.float32))
            if s > score_thr]
    heapq.heapify(heap)  # the highest score first, the lower index on ties
    selected, sel_scores = [], []
    while len(selected) < max_out and heap:
        neg, i, begin = heapq.heappop(heap)
        score = original = np.float32(-neg)
        hard = False
        for j in range(len(selected) - 1, begin - 1, -1):
            s = sim[i, selected[j]]
            if not soft and s > thr:
                hard = True
                break
            score = np.float32(score * np.float32(np.exp(scale * s * s)))
            if score <= score_thr:
                break
        if hard:
            continue
        if score == original:
            selected.append(i)
            sel_scores.append(score)
        elif score > score_thr:
            heapq.heappush(heap, (-float(score), i, len(selected)))
    return np.asarray(selected, np.int32), np.asarray(sel_scores, np.float32)


def _nms_args(op, boxes, scores, max_output_size):
    b = _np(op, "boxes", boxes, np.float32)
    s = _np(op, "scores", scores, np.float32)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"tf.image.{op}: boxes must be 2-D (num_boxes, 4), got shape {b.shape}")
    if s.shape != (b.shape[0],):
        raise ValueError(f"tf.image.{op}: scores must be 1-D ({b.shape[0]},), got shape "
                         f"{s.shape}")
    n = int(_np(op, "max_output_size", max_output_size))
    if n < 0:
        raise InvalidArgumentError(None, None, f"tf.image.{op}: max_output_size must be >= 0, "
                                               f"got {n}")
    return b, s, n


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
                        score_threshold=float("-inf"), name=None):
    """The int32 indices of at most ``max_output_size`` boxes kept by greedy suppression."""
    b, s, n = _nms_args("non_max_suppression", boxes, scores, max_output_size)
    return Tensor(_greedy(_iou_matrix(b), s, n, float(iou_threshold), float(score_threshold))[0])


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0,
                                    name=None):
    """(indices, scores): Soft-NMS when ``soft_nms_sigma`` > 0 (the scores decayed)."""
    b, s, n = _nms_args("non_max_suppression_with_scores", boxes, scores, max_output_size)
    idx, sc = _greedy(_iou_matrix(b), s, n, float(iou_threshold), float(score_threshold),
                      float(soft_nms_sigma))
    return Tensor(idx), Tensor(sc)


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5,
                               score_threshold=float("-inf"), pad_to_max_output_size=False,
                               name=None, sorted_input=False, canonicalized_coordinates=False,
                               tile_size=512):
    """(indices, valid count): the indices padded with 0 to ``max_output_size`` when
    ``pad_to_max_output_size``. Unbatched boxes (2-D) only."""
    b, s, n = _nms_args("non_max_suppression_padded", boxes, scores, max_output_size)
    idx = _greedy(_iou_matrix(b), s, n, float(iou_threshold), float(score_threshold))[0]
    valid = len(idx)
    if pad_to_max_output_size:
        idx = np.concatenate([idx, np.zeros(n - valid, np.int32)])
    return Tensor(idx), Tensor(np.int32(valid))


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None):
    """Greedy suppression with the given (n, n) ``overlaps`` as the similarity."""
    op = "non_max_suppression_overlaps"
    o = _np(op, "overlaps", overlaps, np.float32)
    s = _np(op, "scores", scores, np.float32)
    if o.ndim != 2 or o.shape[0] != o.shape[1] or s.shape != (o.shape[0],):
        raise ValueError(f"tf.image.{op}: overlaps must be (n, n) and scores (n,), got shapes "
                         f"{o.shape} and {s.shape}")
    n = int(_np(op, "max_output_size", max_output_size))
    return Tensor(_greedy(o, s, n, float(overlap_threshold), float(score_threshold))[0])


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size,
                                 iou_threshold=0.5, score_threshold=float("-inf"),
                                 pad_per_class=False, clip_boxes=True, name=None):
    """Per image and class, greedy suppression; the survivors of all classes sorted by score,
    at most ``max_total_size`` (``max_output_size_per_class`` x classes when
    ``pad_per_class`` and that is smaller). Returns (boxes (B, T, 4), scores (B, T), classes
    (B, T) float, valid_detections (B,) int32), zero-padded; boxes clipped to [0, 1] when
    ``clip_boxes``."""
    op = "combined_non_max_suppression"
    b = _np(op, "boxes", boxes, np.float32)
    s = _np(op, "scores", scores, np.float32)
    if b.ndim != 4 or b.shape[3] != 4 or s.ndim != 3 or s.shape[:2] != b.shape[:2] or \
            b.shape[2] not in (1, s.shape[2]):
        raise ValueError(f"tf.image.{op}: boxes must be (batch, num_boxes, q, 4) with q 1 or "
                         f"num_classes and scores (batch, num_boxes, num_classes), got shapes "
                         f"{b.shape} and {s.shape}")
    per_class = int(max_output_size_per_class)
    total = int(max_total_size)
    if pad_per_class:
        total = min(total, per_class * s.shape[2])
    B, C = b.shape[0], s.shape[2]
    out_b = np.zeros((B, total, 4), np.float32)
    out_s = np.zeros((B, total), np.float32)
    out_c = np.zeros((B, total), np.float32)
    valid = np.zeros(B, np.int32)
    for i in range(B):
        cands = []
        for c in range(C):
            bx = b[i, :, 0 if b.shape[2] == 1 else c]
            idx, sc = _greedy(_iou_matrix(bx), s[i, :, c], per_class, float(iou_threshold),
                              float(score_threshold))
            cands += [(float(v), c, bx[k]) for k, v in zip(idx, sc)]
        cands.sort(key=lambda t: -t[0])
        cands = cands[:total]
        valid[i] = len(cands)
        for k, (v, c, bx) in enumerate(cands):
            out_s[i, k], out_c[i, k] = v, c
            out_b[i, k] = np.clip(bx, 0, 1) if clip_boxes else bx
    return Tensor(out_b), Tensor(out_s), Tensor(out_c), Tensor(valid)


def crop_and_resize(image, boxes, box_indices, crop_size, method="bilinear",
                    extrapolation_value=0.0, name=None):
    """(num_boxes, crop_h, crop_w, C) float32 crops of ``image`` (B, H, W, C) at normalized
    ``boxes`` from images ``box_indices``, sampled bilinearly or at the nearest pixel; points
    outside the image are ``extrapolation_value``."""
    op = "tf.image.crop_and_resize"
    img = _tensor(op, "image", image)
    if img.ndim != 4:
        raise ValueError(f"{op}: image must be 4-D (batch, height, width, channels), got shape "
                         f"{tuple(img.shape)}")
    if img.dtype != np.float32:
        img = K.cast(img, "float32")
    bx = _np(op, "boxes", boxes, np.float32)
    bi = _np(op, "box_indices", box_indices).astype(np.int64)
    ch, cw = (int(v) for v in np.ravel(_np(op, "crop_size", crop_size)))
    if bx.ndim != 2 or bx.shape[1] != 4 or bi.shape != (bx.shape[0],):
        raise ValueError(f"{op}: boxes must be (num_boxes, 4) and box_indices (num_boxes,), got "
                         f"shapes {bx.shape} and {bi.shape}")
    if ch <= 0 or cw <= 0:
        raise ValueError(f"{op}: crop_size must be positive, got {[ch, cw]}")
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"{op}: method must be 'bilinear' or 'nearest', got {method!r}")
    B, H, W, C = img.shape
    if len(bi) and (bi.min() < 0 or bi.max() >= B):
        raise InvalidArgumentError(None, None, f"{op}: box_indices must lie in [0, {B}), got "
                                               f"{bi.min()}..{bi.max()}")
    n = bx.shape[0]

    def points(lo, hi, size, crop):
        k = np.arange(crop, dtype=np.float32)
        if crop > 1:
            scale = (hi - lo) * np.float32(size - 1) / np.float32(crop - 1)
            return lo[:, None] * np.float32(size - 1) + k[None] * scale[:, None]
        return np.repeat((np.float32(0.5) * (lo + hi) * np.float32(size - 1))[:, None], crop, 1)
    ys = points(bx[:, 0], bx[:, 2], H, ch).astype(np.float32)  # (n, ch)
    xs = points(bx[:, 1], bx[:, 3], W, cw).astype(np.float32)  # (n, cw)
    inside = ((ys >= 0) & (ys <= H - 1))[:, :, None] & ((xs >= 0) & (xs <= W - 1))[:, None, :]
    flat = K.reshape(img, (B * H * W, C))
    base = (bi * H * W)[:, None, None]
    if method == "nearest":
        yi = np.clip(np.round(ys), 0, H - 1).astype(np.int64)  # roundf: half away from zero
        xi = np.clip(np.round(xs), 0, W - 1).astype(np.int64)
        yi = np.where(ys - np.floor(ys) == 0.5, np.floor(ys) + 1, yi).clip(0, H - 1).astype(
            np.int64)
        xi = np.where(xs - np.floor(xs) == 0.5, np.floor(xs) + 1, xi).clip(0, W - 1).astype(
            np.int64)
        out = flat[(base + yi[:, :, None] * W + xi[:, None, :]).reshape(-1)]
    else:
        y0 = np.clip(np.floor(ys), 0, H - 1).astype(np.int64)
        y1 = np.clip(np.ceil(ys), 0, H - 1).astype(np.int64)
        x0 = np.clip(np.floor(xs), 0, W - 1).astype(np.int64)
        x1 = np.clip(np.ceil(xs), 0, W - 1).astype(np.int64)
        ly = (ys - np.floor(ys)).astype(np.float32)[:, :, None]
        lx = (xs - np.floor(xs)).astype(np.float32)[:, None, :]

        def at(yy, xx):
            return flat[(base + yy[:, :, None] * W + xx[:, None, :]).reshape(-1)]
        w = lambda a: Tensor(np.broadcast_to(a, (n, ch, cw)).reshape(-1, 1).astype(  # noqa: E731
            np.float32))
        top = at(y0, x0) * w(1 - lx) + at(y0, x1) * w(lx)
        bottom = at(y1, x0) * w(1 - lx) + at(y1, x1) * w(lx)
        out = top * w(1 - ly) + bottom * w(ly)
    keep = Tensor(inside.reshape(-1, 1).astype(np.float32))
    fill = Tensor((~inside).reshape(-1, 1).astype(np.float32) * np.float32(extrapolation_value))
    return K.reshape(out * keep + fill, (n, ch, cw, C))


def draw_bounding_boxes(images, boxes, colors, name=None):
    """``images`` (B, H, W, C) with each box of ``boxes`` (B, N, 4) outlined one pixel wide in
    ``colors[n % len(colors)]`` (its first C values), at TensorFlow's truncated pixel rows and
    columns."""
    op = "tf.image.draw_bounding_boxes"
    img = _np(op, "images", images)
    bx = _np(op, "boxes", boxes, np.float32)
    col = _np(op, "colors", colors, np.float32)
    if img.ndim != 4 or bx.ndim != 3 or bx.shape[0] != img.shape[0] or bx.shape[2] != 4:
        raise ValueError(f"{op}: images must be (batch, h, w, c) and boxes (batch, n, 4), got "
                         f"shapes {img.shape} and {bx.shape}")
    if col.ndim != 2 or col.shape[1] < img.shape[3] or not len(col):
        raise ValueError(f"{op}: colors must be (num_colors, >= channels), got shape {col.shape}")
    out = img.copy()
    H, W = img.shape[1:3]
    for b in range(img.shape[0]):
        for k in range(bx.shape[1]):
            color = col[k % len(col), :img.shape[3]].astype(img.dtype)
            r0, c0 = int(bx[b, k, 0] * (H - 1)), int(bx[b, k, 1] * (W - 1))
            r1, c1 = int(bx[b, k, 2] * (H - 1)), int(bx[b, k, 3] * (W - 1))
            if r0 > r1 or c0 > c1 or r0 >= H or r1 < 0 or c0 >= W or c1 < 0:
                continue
            rc0, rc1, cc0, cc1 = max(r0, 0), min(r1, H - 1), max(c0, 0), min(c1, W - 1)
            if r0 >= 0:
                out[b, r0, cc0:cc1 + 1] = color
            if r1 < H:
                out[b, r1, cc0:cc1 + 1] = color
            if c0 >= 0:
                out[b, rc0:rc1 + 1, c0] = color
            if c1 < W:
                out[b, rc0:rc1 + 1, c1] = color
    return Tensor(out)


def extract_glimpse(input, size, offsets, centered=True, normalized=True,  # noqa: A002
                    noise="uniform", name=None):
    """(B, gh, gw, C) windows of ``input`` (B, H, W, C) at ``offsets`` (B, 2) = (y, x), as
    TensorFlow 2's (ExtractGlimpseV2): normalized and centered, the offset in [-1, 1] is the
    window's centre; normalized only, fractions of the size; in pixels, the window's top left
    (from the image's centre when ``centered``); truncated toward zero. Outside the image:
    ``noise`` 'zero' (0), 'uniform' / 'gaussian' (random values from tensorforge's seeded
    stream, not TensorFlow's)."""
    op = "tf.image.extract_glimpse"
    x = _np(op, "input", input, np.float32)
    gh, gw = (int(v) for v in np.ravel(_np(op, "size", size)))
    off = _np(op, "offsets", offsets, np.float32)
    if x.ndim != 4 or off.shape != (x.shape[0], 2):
        raise ValueError(f"{op}: input must be (batch, h, w, c) and offsets (batch, 2), got "
                         f"shapes {x.shape} and {off.shape}")
    if noise not in ("uniform", "gaussian", "zero"):
        raise ValueError(f"{op}: noise must be 'uniform', 'gaussian' or 'zero', got {noise!r}")
    B, H, W, C = x.shape
    out = np.zeros((B, gh, gw, C), np.float32)
    from . import _random
    rng = _random.rng()
    for b in range(B):
        y, xx = np.float32(off[b, 0]), np.float32(off[b, 1])
        if normalized:  # TensorFlow's ExtractGlimpseV2 (eigen_attention.h, version 2)
            y, xx = y * np.float32(H), xx * np.float32(W)
            if centered:
                y = y / np.float32(2) + np.float32(H / 2.0) - np.float32(gh / 2.0)
                xx = xx / np.float32(2) + np.float32(W / 2.0) - np.float32(gw / 2.0)
        elif centered:
            y, xx = y + np.float32(H / 2.0), xx + np.float32(W / 2.0)
        top, left = int(y), int(xx)  # truncated toward zero, as the C++ cast
        if noise == "uniform":
            lo, hi = x[b].min(axis=(0, 1)), x[b].max(axis=(0, 1))
            out[b] = rng.uniform(lo, hi, (gh, gw, C))
        elif noise == "gaussian":
            out[b] = rng.normal(x[b].mean(axis=(0, 1)), x[b].std(axis=(0, 1)), (gh, gw, C))
        ys0, ys1 = max(top, 0), min(top + gh, H)
        xs0, xs1 = max(left, 0), min(left + gw, W)
        if ys0 < ys1 and xs0 < xs1:
            out[b, ys0 - top:ys1 - top, xs0 - left:xs1 - left] = x[b, ys0:ys1, xs0:xs1]
    return Tensor(out)
