// 2-D max / average pooling, global average pooling and nearest upsampling (a sum pool's
// transpose), NHWC (kernels in csrc/cpu/pool.cpp).
//
//   x (N, H, W, C), y (N, OH, OW, C); window (KH, KW), strides (sh, sw), top/left pads (pt, pl)
//   (bottom/right pads are implied by OH, OW). Window (oh, ow) covers input rows
//   oh*sh - pt .. oh*sh - pt + KH - 1 and the matching columns.
// Note [pool padding]: padded cells are not part of any window's statistics: a padded cell never
// wins a max, and an average divides by the number of real cells in its window (Keras 'same').
// Max: NaN in a window gives NaN; argmax (int32, may be nullptr) is the flat index ih*W + iw of
// the FIRST maximal cell in row-major window order (of the first NaN, if any).
// Every kernel WRITES its output (=). Vectorized over C (the contiguous axis), parallel over rows.
#pragma once
#include <cstdint>

#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

struct PoolShape {
  index_t N, H, W, C;
  index_t KH, KW;
  index_t OH, OW;
  index_t sh, sw;
  index_t pt, pl;
};

TF_DECLARE_KERNEL(void, max_pool2d_forward,
                  (const PoolShape& s, const float* x, float* y, int32_t* argmax))
TF_DECLARE_KERNEL(void, max_pool2d_backward,
                  (const PoolShape& s, const float* dy, const int32_t* argmax, float* dx))
TF_DECLARE_KERNEL(void, avg_pool2d_forward, (const PoolShape& s, const float* x, float* y))
TF_DECLARE_KERNEL(void, avg_pool2d_backward, (const PoolShape& s, const float* dy, float* dx))
// x (N, HW, C) -> y (N, C) mean over HW; backward dx (N, HW, C) = dy / HW.
TF_DECLARE_KERNEL(void, global_avg_pool2d_forward,
                  (index_t N, index_t HW, index_t C, const float* x, float* y))
TF_DECLARE_KERNEL(void, global_avg_pool2d_backward,
                  (index_t N, index_t HW, index_t C, const float* dy, float* dx))
// Nearest upsampling by (sh, sw), the transpose of a sum pool with window = stride:
// x (N, H, W, C) -> y (N, H*sh, W*sw, C), y[n, oh, ow, c] = x[n, oh / sh, ow / sw, c];
// backward dx (N, H, W, C) = the sum of dy over each pixel's sh x sw block, added in row-major
// block order starting from the block's first cell (the reference's order: bit-identical).
TF_DECLARE_KERNEL(void, upsample_nearest2d_forward,
                  (index_t N, index_t H, index_t W, index_t C, index_t sh, index_t sw,
                   const float* x, float* y))
TF_DECLARE_KERNEL(void, upsample_nearest2d_backward,
                  (index_t N, index_t H, index_t W, index_t C, index_t sh, index_t sw,
                   const float* dy, float* dx))

static inline void max_pool2d_forward(const PoolShape& s, const float* x, float* y, int32_t* argmax) {
  TF_DISPATCH(max_pool2d_forward, s, x, y, argmax);
}
static inline void max_pool2d_backward(const PoolShape& s, const float* dy, const int32_t* argmax,
                                float* dx) {
  TF_DISPATCH(max_pool2d_backward, s, dy, argmax, dx);
}
static inline void avg_pool2d_forward(const PoolShape& s, const float* x, float* y) {
  TF_DISPATCH(avg_pool2d_forward, s, x, y);
}
static inline void avg_pool2d_backward(const PoolShape& s, const float* dy, float* dx) {
  TF_DISPATCH(avg_pool2d_backward, s, dy, dx);
}
static inline void global_avg_pool2d_forward(index_t N, index_t HW, index_t C, const float* x, float* y) {
  TF_DISPATCH(global_avg_pool2d_forward, N, HW, C, x, y);
}
static inline void global_avg_pool2d_backward(index_t N, index_t HW, index_t C, const float* dy,
                                       float* dx) {
  TF_DISPATCH(global_avg_pool2d_backward, N, HW, C, dy, dx);
}

static inline void upsample_nearest2d_forward(index_t N, index_t H, index_t W, index_t C, index_t sh,
                                              index_t sw, const float* x, float* y) {
  TF_DISPATCH(upsample_nearest2d_forward, N, H, W, C, sh, sw, x, y);
}
static inline void upsample_nearest2d_backward(index_t N, index_t H, index_t W, index_t C, index_t sh,
                                               index_t sw, const float* dy, float* dx) {
  TF_DISPATCH(upsample_nearest2d_backward, N, H, W, C, sh, sw, dy, dx);
}

}  // namespace tf
