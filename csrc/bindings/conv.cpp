// Bindings for the conv op family (kernels in csrc/cpu/conv.cpp, contract in tf/conv.h).
//
//   conv2d_forward(x, w, b, sh, sw, pt, pl, pb, pr, dh, dw, activation) -> y
//   conv2d_backward(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw, need_db, y=None,
//                   dw_out=None, db_out=None)
//       -> (dx | None, dw | None, db | None)      (y: the relu output; dy is read as dy * (y > 0))
//       dw_out / db_out: write dw / db there (float32, C-contiguous, writable, exact shape, not
//       sharing memory with an input) and return them (a parameter's gradient bucket view).
// Same names, signatures and semantics as tensorforge.reference.conv (explicit pads; see its
// docstring). Every argument is checked here: dtype float32, rank, C-contiguity, non-empty,
// C_in match, strides/dilations >= 1, pads >= 0, kernel not larger than the padded input.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tf/bind_util.h"
#include "tf/conv.h"
#include "tf/conv3d.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

Act parse_act(const char* op, const py::object& activation) {
  if (activation.is_none()) return Act::none;
  std::string s = py::str(activation);
  if (s == "relu") return Act::relu;
  if (s == "linear") return Act::none;
  value_error(op, "activation must be None or 'relu', got '", s, "'");
}

py::array checked(const char* op, const char* arg, const py::object& o, const char* layout,
                  int ndim = 4) {
  py::array a = as_array<float>(op, arg, o);
  require_ndim(op, arg, a, ndim, layout);
  require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  return a;
}

// The optional bias b (C_out,) as a C-contiguous float32 array held in *keep: its data, or
// nullptr when b_o is None.
const float* optional_bias(const char* op, const py::object& b_o, index_t CO, py::array* keep) {
  if (b_o.is_none()) return nullptr;
  *keep = as_array<float>(op, "b", b_o);
  if (keep->ndim() != 1 || keep->shape(0) != CO)
    value_error(op, "b must have shape (", CO, ",) for C_out = ", CO, ", got ", shape_str(*keep));
  require_c_contiguous(op, "b", *keep);
  return static_cast<const float*>(keep->data());
}

ConvShape make_shape(const char* op, const py::array& x, const py::array& w, index_t sh,
                     index_t sw, index_t pt, index_t pl, index_t pb, index_t pr, index_t dh,
                     index_t dw) {
  if (w.shape(2) != x.shape(3))
    value_error(op, "w has C_in = ", w.shape(2), " but x has ", x.shape(3), " channels: x ",
                shape_str(x), ", w ", shape_str(w), " (KH, KW, C_in, C_out)");
  if (sh < 1 || sw < 1) value_error(op, "strides must be >= 1, got (", sh, ", ", sw, ")");
  if (dh < 1 || dw < 1) value_error(op, "dilation must be >= 1, got (", dh, ", ", dw, ")");
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0)
    value_error(op, "pads must be >= 0, got (top, left, bottom, right) = (", pt, ", ", pl, ", ",
                pb, ", ", pr, ")");
  ConvShape s;
  s.N = x.shape(0); s.H = x.shape(1); s.W = x.shape(2); s.CI = x.shape(3);
  s.KH = w.shape(0); s.KW = w.shape(1); s.CO = w.shape(3);
  s.sh = sh; s.sw = sw; s.pt = pt; s.pl = pl; s.dh = dh; s.dw = dw;
  // Note [geometry overflow] in tf/bind_util.h
  const index_t eh = checked_add(op, "the dilated kernel height", checked_mul(op, "(KH - 1) * dh", s.KH - 1, dh), 1);
  const index_t ew = checked_add(op, "the dilated kernel width", checked_mul(op, "(KW - 1) * dw", s.KW - 1, dw), 1);
  const index_t hp = checked_add(op, "the padded height", checked_add(op, "H + pt", s.H, pt), pb);
  const index_t wp = checked_add(op, "the padded width", checked_add(op, "W + pl", s.W, pl), pr);
  if (hp < eh || wp < ew)
    value_error(op, "the kernel (extent ", eh, "x", ew, ") is larger than the padded input (",
                hp, "x", wp, "): x ", shape_str(x), ", w ", shape_str(w));
  s.OH = (hp - eh) / sh + 1;
  s.OW = (wp - ew) / sw + 1;
  // Note [one output, any stride]: with one output row every stride > hp - eh gives the same
  // result, and the kernels' loops may scale with the stride (the strided backward data walks
  // stride phases): use the smallest such stride.
  if (s.OH == 1) s.sh = std::min(sh, hp - eh + 1);
  if (s.OW == 1) s.sw = std::min(sw, wp - ew + 1);
  return s;
}

// Note [NaN weights next to padding]: the kernels skip the taps that fall in the zero padding,
// while the definition (and the reference) multiplies the padded zeros: 0 * NaN and 0 * Inf are
// NaN. So when w holds a NaN or Inf, every output whose window puts such a weight on a padded
// cell is NaN (per output channel). Checking w costs one pass over the weights; the fix-up runs
// only when w is not finite.
bool tap_padded(const ConvShape& s, index_t oh, index_t ow, index_t kh, index_t kw) {
  const index_t ih = oh * s.sh - s.pt + kh * s.dh, iw = ow * s.sw - s.pl + kw * s.dw;
  return ih < 0 || ih >= s.H || iw < 0 || iw >= s.W;
}

// Whether some window of s reads a padded cell (otherwise no tap is ever skipped).
bool reads_padding(const ConvShape& s) {
  return s.pt > 0 || s.pl > 0 || (s.OH - 1) * s.sh - s.pt + (s.KH - 1) * s.dh >= s.H ||
         (s.OW - 1) * s.sw - s.pl + (s.KW - 1) * s.dw >= s.W;
}

// No NaN or Inf among p[0..n): one vectorizable pass (x - x is 0 exactly when x is finite), so
// the common all-finite case costs a read of the array, not a byte store per element.
bool all_finite(const float* p, index_t n) {
  int bad = 0;
  for (index_t i = 0; i < n; ++i) bad |= !(p[i] - p[i] == 0.0f);
  return !bad;
}

void nan_weights_next_to_padding(const ConvShape& s, const float* w, float* y) {
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO;
  if (!reads_padding(s) || all_finite(w, T * CI * CO)) return;
  std::vector<char> bad((size_t)(T * CO), 0);
  bool any = false;
  for (index_t t = 0; t < T; ++t)
    for (index_t ci = 0; ci < CI; ++ci)
      for (index_t co = 0; co < CO; ++co)
        if (!std::isfinite(w[(t * CI + ci) * CO + co])) bad[t * CO + co] = any = true;
  if (!any) return;
  std::vector<char> nanco((size_t)CO);
  const float qnan = std::numeric_limits<float>::quiet_NaN();
  for (index_t oh = 0; oh < s.OH; ++oh)
    for (index_t ow = 0; ow < s.OW; ++ow) {
      std::fill(nanco.begin(), nanco.end(), 0);
      bool hit = false;
      for (index_t kh = 0; kh < s.KH; ++kh)
        for (index_t kw = 0; kw < s.KW; ++kw)
          if (tap_padded(s, oh, ow, kh, kw))
            for (index_t co = 0; co < CO; ++co)
              if (bad[(kh * s.KW + kw) * CO + co]) nanco[co] = hit = true;
      if (!hit) continue;
      for (index_t n = 0; n < s.N; ++n) {
        float* yr = y + ((n * s.OH + oh) * s.OW + ow) * CO;
        for (index_t co = 0; co < CO; ++co)
          if (nanco[co]) yr[co] = qnan;
      }
    }
}

// The same for dw: the padded zeros of x times a NaN or Inf in dy make dw[kh, kw, :, co] NaN.
void nan_grads_next_to_padding(const ConvShape& s, const float* dy, float* dw) {
  const index_t CO = s.CO, CI = s.CI;
  const index_t P = s.OH * s.OW;
  if (!reads_padding(s) || all_finite(dy, s.N * P * CO)) return;
  std::vector<char> bad((size_t)(P * CO), 0);
  bool any = false;
  for (index_t n = 0; n < s.N; ++n)
    for (index_t p = 0; p < P; ++p)
      for (index_t co = 0; co < CO; ++co)
        if (!std::isfinite(dy[(n * P + p) * CO + co])) bad[p * CO + co] = any = true;
  if (!any) return;
  const float qnan = std::numeric_limits<float>::quiet_NaN();
  for (index_t p = 0; p < P; ++p) {
    const index_t oh = p / s.OW, ow = p % s.OW;
    for (index_t kh = 0; kh < s.KH; ++kh)
      for (index_t kw = 0; kw < s.KW; ++kw) {
        if (!tap_padded(s, oh, ow, kh, kw)) continue;
        float* d = dw + (kh * s.KW + kw) * CI * CO;
        for (index_t co = 0; co < CO; ++co)
          if (bad[p * CO + co])
            for (index_t ci = 0; ci < CI; ++ci) d[ci * CO + co] = qnan;
      }
  }
}

py::array fwd(const py::object& x_o, const py::object& w_o, const py::object& b_o, index_t sh,
              index_t sw, index_t pt, index_t pl, index_t pb, index_t pr, index_t dh, index_t dw,
              const py::object& activation) {
  const char* op = "conv2d_forward";
  py::array x = checked(op, "x", x_o, "(N, H, W, C_in)");
  py::array w = checked(op, "w", w_o, "(KH, KW, C_in, C_out)");
  Act act = parse_act(op, activation);
  ConvShape s = make_shape(op, x, w, sh, sw, pt, pl, pb, pr, dh, dw);
  py::array barr;
  const float* b = optional_bias(op, b_o, s.CO, &barr);
  const std::vector<py::ssize_t> yshape{(py::ssize_t)s.N, (py::ssize_t)s.OH, (py::ssize_t)s.OW,
                                        (py::ssize_t)s.CO};
  check_output_size(op, "y", yshape, sizeof(float));
  py::array_t<float> y = empty<float>(yshape);
  const float* xp = static_cast<const float*>(x.data());
  const float* wp = static_cast<const float*>(w.data());
  float* yp = y.mutable_data();
  {
    py::gil_scoped_release nogil;
    conv2d_forward(s, xp, wp, b, yp, act);
    nan_weights_next_to_padding(s, wp, yp);
  }
  return y;
}

py::tuple bwd(const py::object& dy_o, const py::object& x_o, const py::object& w_o, index_t sh,
              index_t sw, index_t pt, index_t pl, index_t pb, index_t pr, index_t dh, index_t dw,
              bool need_dx, bool need_dw, bool need_db, const py::object& y_o,
              const py::object& dw_out, const py::object& db_out) {
  const char* op = "conv2d_backward";
  py::array dy = checked(op, "dy", dy_o, "(N, OH, OW, C_out)");
  py::array x = checked(op, "x", x_o, "(N, H, W, C_in)");
  py::array w = checked(op, "w", w_o, "(KH, KW, C_in, C_out)");
  ConvShape s = make_shape(op, x, w, sh, sw, pt, pl, pb, pr, dh, dw);
  if (dy.shape(0) != s.N || dy.shape(1) != s.OH || dy.shape(2) != s.OW || dy.shape(3) != s.CO)
    value_error(op, "dy must have shape (", s.N, ", ", s.OH, ", ", s.OW, ", ", s.CO, ") for x ",
                shape_str(x), " and w ", shape_str(w), ", got ", shape_str(dy));
  const float* yp = nullptr;
  py::array yarr;
  if (!y_o.is_none()) {
    yarr = checked(op, "y", y_o, "(N, OH, OW, C_out)");
    for (int d = 0; d < 4; ++d)
      if (yarr.shape(d) != dy.shape(d))
        value_error(op, "y must have the shape of dy ", shape_str(dy), ", got ", shape_str(yarr));
    yp = static_cast<const float*>(yarr.data());
  }
  py::object dx_r = py::none(), dw_r = py::none(), db_r = py::none();
  float *dxp = nullptr, *dwp = nullptr, *dbp = nullptr;
  if (need_dx) {
    auto a = empty<float>({(py::ssize_t)s.N, (py::ssize_t)s.H, (py::ssize_t)s.W, (py::ssize_t)s.CI});
    dxp = a.mutable_data();
    dx_r = a;
  }
  if (need_dw) {
    const std::vector<py::ssize_t> shp{(py::ssize_t)s.KH, (py::ssize_t)s.KW, (py::ssize_t)s.CI,
                                       (py::ssize_t)s.CO};
    py::array a = dw_out.is_none() ? py::array(empty<float>(shp))
                                   : out_array(op, "dw_out", dw_out, shp, {dy, x, w, yarr});
    dwp = static_cast<float*>(a.mutable_data());
    std::fill(dwp, dwp + a.size(), 0.0f);
    dw_r = a;
  }
  if (need_db) {
    const std::vector<py::ssize_t> shp{(py::ssize_t)s.CO};
    py::array a = db_out.is_none() ? py::array(empty<float>(shp))
                                   : out_array(op, "db_out", db_out, shp, {dy, x, w, yarr});
    dbp = static_cast<float*>(a.mutable_data());
    std::fill(dbp, dbp + a.size(), 0.0f);
    db_r = a;
  }
  const float* dyp = static_cast<const float*>(dy.data());
  const float* xp = static_cast<const float*>(x.data());
  const float* wp = static_cast<const float*>(w.data());
  // The masked dy is a NumPy allocation: NumPy asks for huge pages on large arrays, which spares
  // the page faults of a fresh malloc (they cost as much as the masking itself).
  py::array_t<float> masked;
  float* maskedp = nullptr;
  if (yp && dxp) {
    masked = empty<float>({dy.shape(0), dy.shape(1), dy.shape(2), dy.shape(3)});
    maskedp = masked.mutable_data();
  }
  {
    py::gil_scoped_release nogil;
    if (yp && dxp) {  // backward data reads dy in place: give it the masked copy
      relu_backward_mask((index_t)dy.size(), dyp, yp, maskedp);
      dyp = maskedp;
      yp = nullptr;
    }
    if (dxp) conv2d_backward_data(s, dyp, wp, dxp);
    if (dwp || dbp) conv2d_backward_filter(s, dyp, xp, dwp, dbp, yp);
    if (dwp) nan_grads_next_to_padding(s, static_cast<const float*>(dy.data()), dwp);
  }
  return py::make_tuple(dx_r, dw_r, db_r);
}


// ---- conv3d: the 2-D passes on the depth-folded input (Note [depth fold] in tf/conv3d.h) -----

Conv3Shape make_shape3(const char* op, const py::array& x, const py::array& w, index_t sd,
                       index_t sh, index_t sw, index_t pd0, index_t ph0, index_t pw0, index_t pd1,
                       index_t ph1, index_t pw1, index_t dd, index_t dh, index_t dw) {
  if (w.shape(3) != x.shape(4))
    value_error(op, "w has C_in = ", w.shape(3), " but x has ", x.shape(4), " channels: x ",
                shape_str(x), ", w ", shape_str(w), " (KD, KH, KW, C_in, C_out)");
  if (sd < 1 || sh < 1 || sw < 1)
    value_error(op, "strides must be >= 1, got (", sd, ", ", sh, ", ", sw, ")");
  if (dd < 1 || dh < 1 || dw < 1)
    value_error(op, "dilation must be >= 1, got (", dd, ", ", dh, ", ", dw, ")");
  if (pd0 < 0 || ph0 < 0 || pw0 < 0 || pd1 < 0 || ph1 < 0 || pw1 < 0)
    value_error(op, "pads must be >= 0, got (front, top, left, back, bottom, right) = (", pd0, ", ",
                ph0, ", ", pw0, ", ", pd1, ", ", ph1, ", ", pw1, ")");
  Conv3Shape s;
  s.N = x.shape(0); s.D = x.shape(1); s.H = x.shape(2); s.W = x.shape(3); s.CI = x.shape(4);
  s.KD = w.shape(0); s.KH = w.shape(1); s.KW = w.shape(2); s.CO = w.shape(4);
  s.sd = sd; s.sh = sh; s.sw = sw; s.pd = pd0; s.ph = ph0; s.pw = pw0; s.dd = dd; s.dh = dh; s.dw = dw;
  const index_t k[3] = {s.KD, s.KH, s.KW}, d[3] = {dd, dh, dw}, n[3] = {s.D, s.H, s.W},
                p0[3] = {pd0, ph0, pw0}, p1[3] = {pd1, ph1, pw1}, st[3] = {sd, sh, sw};
  index_t o[3];
  for (int a = 0; a < 3; ++a) {  // Note [geometry overflow] in tf/bind_util.h
    const index_t e = checked_add(op, "the dilated kernel extent", checked_mul(op, "(K - 1) * d", k[a] - 1, d[a]), 1);
    const index_t np = checked_add(op, "the padded size", checked_add(op, "size + pad", n[a], p0[a]), p1[a]);
    if (np < e)
      value_error(op, "the kernel (extent ", e, " along axis ", a + 1, ", dilation ", d[a],
                  ") is larger than the padded input (", np, "): x ", shape_str(x), ", w ",
                  shape_str(w));
    o[a] = (np - e) / st[a] + 1;
  }
  s.OD = o[0]; s.OH = o[1]; s.OW = o[2];
  s.fold_w = s.KD * s.CI < 16 && s.KW > 1;  // Note [width fold]
  // Note [one output, any stride] (make_shape)
  if (s.OD == 1) s.sd = std::min(sd, s.D + pd0 + pd1 - ((s.KD - 1) * dd + 1) + 1);
  if (s.OH == 1) s.sh = std::min(sh, s.H + ph0 + ph1 - ((s.KH - 1) * dh + 1) + 1);
  if (s.OW == 1) s.sw = std::min(sw, s.W + pw0 + pw1 - ((s.KW - 1) * dw + 1) + 1);
  const index_t wc = s.fold_w ? s.OW : s.W;
  checked_mul(op, "the folded input (N*OD*H*W x taps*C_in)",
              checked_mul(op, "N*OD*H*W", checked_mul(op, "N*OD", s.N, s.OD), checked_mul(op, "H*W", s.H, wc)),
              s.fold_taps() * s.CI);
  return s;
}

// The block of CI x CO weights of tap (t, kh, kw) in wf: (KH, KW, KD, CI, CO), or with the
// width fold (KH, 1, KD, KW, CI, CO).
index_t folded_tap(const Conv3Shape& s, index_t t, index_t kh, index_t kw) {
  return s.fold_w ? (kh * s.KD + t) * s.KW + kw : (kh * s.KW + kw) * s.KD + t;
}

// wf from w (KD, KH, KW, CI, CO) (Notes [depth fold], [width fold]), or back (unfold,
// accumulating into w).
void fold_weights(const Conv3Shape& s, const float* w, float* wf) {
  const index_t blk = s.CI * s.CO;
  for (index_t t = 0, k = 0; t < s.KD; ++t)
    for (index_t kh = 0; kh < s.KH; ++kh)
      for (index_t kw = 0; kw < s.KW; ++kw, ++k)
        std::copy_n(w + k * blk, blk, wf + folded_tap(s, t, kh, kw) * blk);
}
void unfold_add_weights(const Conv3Shape& s, const float* wf, float* w) {
  const index_t blk = s.CI * s.CO;
  for (index_t t = 0, k = 0; t < s.KD; ++t)
    for (index_t kh = 0; kh < s.KH; ++kh)
      for (index_t kw = 0; kw < s.KW; ++kw, ++k) {
        const float* src = wf + folded_tap(s, t, kh, kw) * blk;
        float* dst = w + k * blk;
        for (index_t i = 0; i < blk; ++i) dst[i] += src[i];
      }
}

std::vector<py::ssize_t> dims(std::initializer_list<index_t> v) {
  return std::vector<py::ssize_t>(v.begin(), v.end());
}

// xcol (Note [depth fold]) as a NumPy allocation (huge pages: see bwd's masked dy), or x itself.
py::array folded_input(const Conv3Shape& s, const py::array& x) {
  if (s.fold_is_identity()) return x;
  const ConvShape s2 = s.folded();
  const std::vector<py::ssize_t> shp = dims({s2.N, s2.H, s2.W, s2.CI});
  py::array_t<float> a = empty<float>(shp);
  float* p = a.mutable_data();
  const float* xp = static_cast<const float*>(x.data());
  {
    py::gil_scoped_release nogil;
    conv3d_depth_gather(s, xp, p);
  }
  return a;
}

py::array fwd3(const py::object& x_o, const py::object& w_o, const py::object& b_o, index_t sd,
               index_t sh, index_t sw, index_t pd0, index_t ph0, index_t pw0, index_t pd1,
               index_t ph1, index_t pw1, index_t dd, index_t dh, index_t dw) {
  const char* op = "conv3d_forward";
  py::array x = checked(op, "x", x_o, "(N, D, H, W, C_in)", 5);
  py::array w = checked(op, "w", w_o, "(KD, KH, KW, C_in, C_out)", 5);
  const Conv3Shape s = make_shape3(op, x, w, sd, sh, sw, pd0, ph0, pw0, pd1, ph1, pw1, dd, dh, dw);
  py::array barr;
  const float* b = optional_bias(op, b_o, s.CO, &barr);
  const std::vector<py::ssize_t> yshape = dims({s.N, s.OD, s.OH, s.OW, s.CO});
  check_output_size(op, "y", yshape, sizeof(float));
  const ConvShape s2 = s.folded();
  check_output_size(op, "the folded input", dims({s2.N, s2.H, s2.W, s2.CI}), sizeof(float));
  py::array_t<float> y = empty<float>(yshape);
  const py::array xcol = folded_input(s, x);
  std::vector<float> wf((size_t)w.size());
  const float* xp = static_cast<const float*>(xcol.data());
  float* yp = y.mutable_data();
  {
    py::gil_scoped_release nogil;
    fold_weights(s, static_cast<const float*>(w.data()), wf.data());
    conv2d_forward(s2, xp, wf.data(), b, yp, Act::none);
    nan_weights_next_to_padding(s2, wf.data(), yp);  // (depth padding is real zeros in xcol)
  }
  return y;
}

py::tuple bwd3(const py::object& dy_o, const py::object& x_o, const py::object& w_o, index_t sd,
               index_t sh, index_t sw, index_t pd0, index_t ph0, index_t pw0, index_t pd1,
               index_t ph1, index_t pw1, index_t dd, index_t dh, index_t dw, bool need_dx,
               bool need_dw, bool need_db) {
  const char* op = "conv3d_backward";
  py::array dy = checked(op, "dy", dy_o, "(N, OD, OH, OW, C_out)", 5);
  py::array x = checked(op, "x", x_o, "(N, D, H, W, C_in)", 5);
  py::array w = checked(op, "w", w_o, "(KD, KH, KW, C_in, C_out)", 5);
  const Conv3Shape s = make_shape3(op, x, w, sd, sh, sw, pd0, ph0, pw0, pd1, ph1, pw1, dd, dh, dw);
  const index_t want[5] = {s.N, s.OD, s.OH, s.OW, s.CO};
  for (int a = 0; a < 5; ++a)
    if (dy.shape(a) != want[a])
      value_error(op, "dy must have shape (", s.N, ", ", s.OD, ", ", s.OH, ", ", s.OW, ", ", s.CO,
                  ") for x ", shape_str(x), " and w ", shape_str(w), ", got ", shape_str(dy));
  const ConvShape s2 = s.folded();
  check_output_size(op, "the folded input", dims({s2.N, s2.H, s2.W, s2.CI}), sizeof(float));
  const float* dyp = static_cast<const float*>(dy.data());
  py::object dx_r = py::none(), dw_r = py::none(), db_r = py::none();
  if (need_dx) {
    py::array_t<float> dx = empty<float>(dims({s.N, s.D, s.H, s.W, s.CI}));
    const bool id = s.fold_is_identity();
    py::array_t<float> dxcol = id ? dx : empty<float>(dims({s2.N, s2.H, s2.W, s2.CI}));
    std::vector<float> wf((size_t)w.size());
    float* dxcolp = dxcol.mutable_data();
    float* dxp = dx.mutable_data();
    {
      py::gil_scoped_release nogil;
      fold_weights(s, static_cast<const float*>(w.data()), wf.data());
      conv2d_backward_data(s2, dyp, wf.data(), dxcolp);
      if (!id) conv3d_depth_scatter(s, dxcolp, dxp);
    }
    dx_r = dx;
  }
  if (need_dw || need_db) {
    py::array_t<float> gw = empty<float>(dims({s.KD, s.KH, s.KW, s.CI, s.CO}));
    py::array_t<float> gb = empty<float>(dims({s.CO}));
    float* gwp = need_dw ? gw.mutable_data() : nullptr;
    float* gbp = need_db ? gb.mutable_data() : nullptr;
    const py::array xcol = need_dw ? folded_input(s, x) : x;
    const float* xp = static_cast<const float*>(xcol.data());
    std::vector<float> dwf(need_dw ? (size_t)gw.size() : 0, 0.0f);
    {
      py::gil_scoped_release nogil;
      if (gbp) std::fill(gbp, gbp + s.CO, 0.0f);
      if (need_dw) std::fill(gwp, gwp + gw.size(), 0.0f);
      conv2d_backward_filter(s2, dyp, xp, need_dw ? dwf.data() : nullptr, gbp, nullptr);
      if (need_dw) {
        nan_grads_next_to_padding(s2, dyp, dwf.data());
        unfold_add_weights(s, dwf.data(), gwp);
      }
    }
    if (need_dw) dw_r = gw;
    if (need_db) db_r = gb;
  }
  return py::make_tuple(dx_r, dw_r, db_r);
}

}  // namespace

void bind_conv(pybind11::module_& m) {
  namespace py = pybind11;
  m.def("conv2d_forward", &fwd, py::arg("x"), py::arg("w"), py::arg("b"), py::arg("sh"),
        py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"), py::arg("dh"),
        py::arg("dw"), py::arg("activation") = py::none(),
        "y = act(conv(x, w) + b), NHWC, explicit pads (see tensorforge.reference.conv)");
  m.def("conv2d_backward", &bwd, py::arg("dy"), py::arg("x"), py::arg("w"), py::arg("sh"),
        py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"), py::arg("dh"),
        py::arg("dw"), py::arg("need_dx") = true, py::arg("need_dw") = true,
        py::arg("need_db") = true, py::arg("y") = py::none(), py::arg("dw_out") = py::none(),
        py::arg("db_out") = py::none(),
        "(dx, dw, db) of conv2d_forward from dy (gradient of the output before the activation, or "
        "after a relu when its output y is given: dy * (y > 0) is then applied here); dw_out / db_out: "
        "arrays to write dw / db into (returned)");
  m.def("conv3d_forward", &fwd3, py::arg("x"), py::arg("w"), py::arg("b"), py::arg("sd"),
        py::arg("sh"), py::arg("sw"), py::arg("pd0"), py::arg("ph0"), py::arg("pw0"), py::arg("pd1"),
        py::arg("ph1"), py::arg("pw1"), py::arg("dd"), py::arg("dh"), py::arg("dw"),
        "y = conv3d(x, w) + b, NDHWC, explicit pads (see tensorforge.reference.conv3d)");
  m.def("conv3d_backward", &bwd3, py::arg("dy"), py::arg("x"), py::arg("w"), py::arg("sd"),
        py::arg("sh"), py::arg("sw"), py::arg("pd0"), py::arg("ph0"), py::arg("pw0"), py::arg("pd1"),
        py::arg("ph1"), py::arg("pw1"), py::arg("dd"), py::arg("dh"), py::arg("dw"),
        py::arg("need_dx") = true, py::arg("need_dw") = true, py::arg("need_db") = true,
        "(dx, dw, db) of conv3d_forward from dy (each None when not needed)");
  m.def(
      "_conv_winograd",
      [](const py::object& on) {
        const bool prev = conv_winograd_enabled().load();
        if (!on.is_none()) conv_winograd_enabled().store(on.cast<bool>());
        return prev;
      },
      py::arg("enabled") = py::none(),
      "Winograd conv path (Note [Winograd]) on/off for this process; returns the previous setting. "
      "For benchmarks and tests; None only queries.");
  m.def(
      "_conv_winograd_always",
      [](const py::object& on) {
        const bool prev = conv_winograd_always().load();
        if (!on.is_none()) conv_winograd_always().store(on.cast<bool>());
        return prev;
      },
      py::arg("enabled") = py::none(),
      "Winograd wherever its multiply count allows, without the transformed weights' cost (Note "
      "[Winograd against direct]); off by default; returns the previous setting. For tests that "
      "cover the Winograd path on small layers; None only queries.");
  m.def(
      "_conv_winograd_tile8",
      [](const py::object& on) {
        const bool prev = conv_winograd_tile8_enabled().load();
        if (!on.is_none()) conv_winograd_tile8_enabled().store(on.cast<bool>());
        return prev;
      },
      py::arg("enabled") = py::none(),
      "F(7, 2) on 8x8 tiles for strided layers' phase grids (Note [Winograd 8x8 tiles]) on/off for "
      "this process (off: 6x6 tiles only); returns the previous setting. For benchmarks and tests; "
      "None only queries.");
  m.def(
      "_conv_wgrad_taps",
      [](const py::object& on) {
        const bool prev = conv_wgrad_taps_enabled().load();
        if (!on.is_none()) conv_wgrad_taps_enabled().store(on.cast<bool>());
        return prev;
      },
      py::arg("enabled") = py::none(),
      "Tap-by-tap weight-gradient path (Note [weight gradient by taps]) on/off for this process "
      "(off: the im2col path); returns the previous setting. For benchmarks and tests; None only "
      "queries.");
  m.def(
      "_conv_forward_classes",
      [](const py::object& on) {
        const bool prev = conv_forward_classes_enabled().load();
        if (!on.is_none()) conv_forward_classes_enabled().store(on.cast<bool>());
        return prev;
      },
      py::arg("enabled") = py::none(),
      "Strided forward tiles over pixels sorted by border class (Note [forward border classes]) "
      "on/off for this process; returns the previous setting. For benchmarks and tests; None only "
      "queries.");
}

}  // namespace tf
