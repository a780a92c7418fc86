// Projective image transform (TensorFlow's ImageProjectiveTransformV3, what Keras 2's
// RandomRotation / RandomZoom / RandomTranslation call; kernel in csrc/cpu/image_transform.cpp,
// the oracle is python/tensorforge/reference/image.py).
//
// x: N images (H, W, C) float32, channels last; t: N rows [a0, a1, a2, b0, b1, b2, c0, c1]: the
// output pixel (ox, oy) reads the input point ((a0 ox + a1 oy + a2) / k, (b0 ox + b1 oy + b2) / k),
// k = c0 ox + c1 oy + 1 (all in float, each product and sum rounded as written); k == 0 gives
// fill_value. The point is mapped back by the fill mode (Note [fill modes] in
// python/tensorforge/reference/image.py) and read with nearest (std::round) or bilinear
// interpolation; reads outside the image give fill_value. y: (N, Ho, Wo, C) (WRITTEN).
#pragma once
#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

struct ImgShape {
  index_t N, H, W, C, Ho, Wo;
};

enum class FillMode : int { reflect = 0, wrap = 1, constant = 2, nearest = 3 };

TF_DECLARE_KERNEL(void, image_transform,
                  (const ImgShape& s, const float* x, const float* t, FillMode fill,
                   float fill_value, bool bilinear, float* y))

static inline void image_transform(const ImgShape& s, const float* x, const float* t,
                                   FillMode fill, float fill_value, bool bilinear, float* y) {
  TF_DISPATCH(image_transform, s, x, t, fill, fill_value, bilinear, y);
}

}  // namespace tf
