"""The Winograd weight gradient's blocking (conv8, csrc/cpu/conv_winograd.cpp): dU written by
each part's first block of tiles and accumulated by the others, the dU -> dW transform streamed
point by point once dU outgrows the L2 (Note [dU streamed]), and the buffers' padded strides
(Note [point strides], wino_ld: channel counts of 128 and 256 floats per row). Every pass against
the float64 reference on every ISA, at shapes around the block boundaries, and the weight gradient
bit-identical at 1 and 2 threads."""
import numpy as np
import pytest

import tensorforge as tf
from conv_checks import check_conv, geometry, weight_grads_at_1_and_2_threads


# Winograd forced wherever its multiply count allows (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("winograd_always")


def _case(rng, N, H, W, K, C, CO):
    x = rng.standard_normal((N, H, W, C)).astype(np.float32)
    w = (rng.standard_normal((K, K, C, CO)) / np.sqrt(K * K * C)).astype(np.float32)
    b = rng.standard_normal(CO).astype(np.float32)
    return x, w, b


# (N, H, W, kernel, C_in, C_out, strides). Tiles of the weight gradient (4 x 4 outputs for 3x3
# and for 5x5's 3-tap pieces, 7 x 7 on the phases' 8x8 tiles), its parts (>= 128 tiles each) and
# blocks (24+ tiles on a 1 MiB L2, the last one short), dU per part (MiB): all over half a 1 MiB
# L2, so the dU -> dW pass is streamed (Note [dU streamed]); small layers elsewhere in the suite
# keep the point-by-point order.
BLOCK_CASES = [
    (2, 7, 9, 3, 64, 65, 1),      # 12 tiles, one block; dU 0.7 (65 -> 80 columns)
    (2, 19, 19, 3, 192, 160, 1),  # 50 tiles: blocks of 17 / 17 / 16; dU 4.2
    (3, 17, 23, 3, 33, 128, 1),   # 90 tiles: 4 blocks of 23 / 23 / 23 / 21; 128 columns (Z rows padded)
    (9, 16, 16, 3, 48, 96, 1),    # 144 tiles: 6 blocks of 24; dU 0.6
    (3, 27, 26, 5, 20, 50, 1),    # F(4, 3) pieces of 5x5: 4 pieces, 147 tiles in 4 blocks; dU 0.7
    (24, 20, 20, 3, 16, 64, 1),   # 600 tiles: 4 parts of 3 blocks; dU 0.14 a part, 0.6 in all
    (12, 24, 24, 3, 64, 64, 1),   # 432 tiles: 2 parts of 9 blocks of 24; dU 0.56 a part
    (4, 14, 14, 4, 64, 128, 2),   # DCGAN 7->14's conv2d view: 4 phases stacked (256 rows), 8x8 tiles; dU 8
    (3, 14, 13, 4, 32, 130, 2),   # phases: 128 stacked rows (padded V rows), 130 columns; dU 4.5
]


@pytest.mark.parametrize("case", BLOCK_CASES, ids=lambda c: "x".join(map(str, c)))
def test_winograd_weight_gradient_blocks(isa, case):
    """Forward, dx, dw and db against float64 (check_conv: n * eps tolerances)."""
    N, H, W, K, C, CO, s = case
    rng = np.random.default_rng(sum(case))
    x, w, b = _case(rng, N, H, W, K, C, CO)
    check_conv(x, w, b, s, "same", 1, None, "cpu", what=f"[{isa}] blocks {case}")


@pytest.mark.parametrize("case", [BLOCK_CASES[1], BLOCK_CASES[4], BLOCK_CASES[5], BLOCK_CASES[7]],
                         ids=lambda c: "x".join(map(str, c)))
def test_winograd_weight_gradient_same_bits_at_1_and_2_threads(isa, case):
    """Note [fixed reduction partition]: the streamed dU -> dW sums each element over (part,
    point) in one order whatever the threads' split of the input channels."""
    N, H, W, K, C, CO, s = case
    rng = np.random.default_rng(7 + sum(case))
    x, w, _ = _case(rng, N, H, W, K, C, CO)
    g = geometry(x.shape, w.shape, s, "same", 1)
    dy = rng.standard_normal((N, -(-H // s), -(-W // s), CO)).astype(np.float32)
    one, two = weight_grads_at_1_and_2_threads(dy, x, w, g)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])
    assert np.isfinite(one[0]).all() and np.abs(one[0]).max() > 0
