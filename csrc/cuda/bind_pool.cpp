// Bindings for pooling on the GPU (kernels in pool.cu). Names, signatures and semantics are those
// of tensorforge.reference.pool (its docstring), on CuPy float32 NHWC arrays; pads are explicit
// (kernels/pool.py resolves 'same'/'valid'):
//   max_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr, with_argmax) -> (y, argmax int32 | None)
//   max_pool2d_backward(dy, argmax, H, W, kh, kw, sh, sw, pt, pl, pb, pr) -> dx
//   avg_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr) -> y
//   avg_pool2d_backward(dy, H, W, kh, kw, sh, sw, pt, pl, pb, pr) -> dx
//   global_avg_pool2d_forward(x) -> y (N, C)       global_avg_pool2d_backward(dy, H, W) -> dx
//   upsample_nearest2d_forward(x, sh, sw) -> y      upsample_nearest2d_backward(dy, sh, sw) -> dx
#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;

CudaArray nhwc(const char* op, const char* arg, const py::handle& h, const char* layout) {
  CudaArray a = cuda_array(op, arg, h);
  require_ndim(op, arg, a, 4, layout);
  require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  return a;
}

// Window geometry checks and output size; the input's H, W come from x or from the arguments.
PoolGeom geometry(const char* op, int64_t N, int64_t H, int64_t W, int64_t C, int kh, int kw,
                  int sh, int sw, int pt, int pl, int pb, int pr) {
  if (kh < 1 || kw < 1) value_error(op, "pool size must be >= 1, got (", kh, ", ", kw, ")");
  if (sh < 1 || sw < 1) value_error(op, "strides must be >= 1, got (", sh, ", ", sw, ")");
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0)
    value_error(op, "pads must be >= 0, got (", pt, ", ", pl, ", ", pb, ", ", pr, ")");
  if (H < 1 || W < 1) value_error(op, "H and W must be >= 1, got (", H, ", ", W, ")");
  const int64_t OH = (H + pt + pb - kh) >= 0 ? (H + pt + pb - kh) / sh + 1 : 0;
  const int64_t OW = (W + pl + pr - kw) >= 0 ? (W + pl + pr - kw) / sw + 1 : 0;
  if (OH < 1 || OW < 1)
    value_error(op, "window (", kh, ", ", kw, ") with pads (", pt, ", ", pl, ", ", pb, ", ", pr,
                ") does not fit an input of H, W = (", H, ", ", W, ")");
  return PoolGeom{N, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl};
}

void require_dy(const char* op, const CudaArray& dy, const PoolGeom& g) {
  if (dy.shape[1] != g.OH || dy.shape[2] != g.OW)
    value_error(op, "dy must have shape (", g.N, ", ", g.OH, ", ", g.OW, ", ", g.C,
                ") for H, W = (", g.H, ", ", g.W, ") and this window, got ", dy.shape_str());
}

py::tuple max_fwd(const py::object& x_obj, int kh, int kw, int sh, int sw, int pt, int pl, int pb,
                  int pr, bool with_argmax) {
  const char* op = "max_pool2d_forward";
  CudaArray x = nhwc(op, "x", x_obj, "(N, H, W, C)");
  PoolGeom g = geometry(op, x.shape[0], x.shape[1], x.shape[2], x.shape[3], kh, kw, sh, sw, pt, pl, pb, pr);
  CudaArray y = cupy_empty({g.N, g.OH, g.OW, g.C});
  CudaArray am;
  if (with_argmax) am = cupy_empty({g.N, g.OH, g.OW, g.C}, "int32");
  max_pool2d_forward(current_stream(), g, x.ptr<const float>(), y.ptr<float>(),
                     with_argmax ? am.ptr<int32_t>() : nullptr);
  return py::make_tuple(y.obj, with_argmax ? am.obj : py::object(py::none()));
}

py::object max_bwd(const py::object& dy_obj, const py::object& am_obj, int64_t H, int64_t W, int kh,
                   int kw, int sh, int sw, int pt, int pl, int pb, int pr) {
  const char* op = "max_pool2d_backward";
  CudaArray dy = nhwc(op, "dy", dy_obj, "(N, OH, OW, C)");
  CudaArray am = cuda_array(op, "argmax", am_obj, "<i4");
  require_c_contiguous(op, "argmax", am);
  require_same_shape(op, "argmax", am, "dy", dy);
  PoolGeom g = geometry(op, dy.shape[0], H, W, dy.shape[3], kh, kw, sh, sw, pt, pl, pb, pr);
  require_dy(op, dy, g);
  CudaArray dx = cupy_empty({g.N, g.H, g.W, g.C});
  max_pool2d_backward(current_stream(), g, dy.ptr<const float>(), am.ptr<const int32_t>(), dx.ptr<float>());
  return dx.obj;
}

py::object avg_fwd(const py::object& x_obj, int kh, int kw, int sh, int sw, int pt, int pl, int pb,
                   int pr) {
  const char* op = "avg_pool2d_forward";
  CudaArray x = nhwc(op, "x", x_obj, "(N, H, W, C)");
  PoolGeom g = geometry(op, x.shape[0], x.shape[1], x.shape[2], x.shape[3], kh, kw, sh, sw, pt, pl, pb, pr);
  CudaArray y = cupy_empty({g.N, g.OH, g.OW, g.C});
  avg_pool2d_forward(current_stream(), g, x.ptr<const float>(), y.ptr<float>());
  return y.obj;
}

py::object avg_bwd(const py::object& dy_obj, int64_t H, int64_t W, int kh, int kw, int sh, int sw,
                   int pt, int pl, int pb, int pr) {
  const char* op = "avg_pool2d_backward";
  CudaArray dy = nhwc(op, "dy", dy_obj, "(N, OH, OW, C)");
  PoolGeom g = geometry(op, dy.shape[0], H, W, dy.shape[3], kh, kw, sh, sw, pt, pl, pb, pr);
  require_dy(op, dy, g);
  CudaArray dx = cupy_empty({g.N, g.H, g.W, g.C});
  avg_pool2d_backward(current_stream(), g, dy.ptr<const float>(), dx.ptr<float>());
  return dx.obj;
}

py::object gap_fwd(const py::object& x_obj) {
  const char* op = "global_avg_pool2d_forward";
  CudaArray x = nhwc(op, "x", x_obj, "(N, H, W, C)");
  CudaArray y = cupy_empty({x.shape[0], x.shape[3]});
  global_avg_pool2d_forward(current_stream(), x.shape[0], x.shape[1] * x.shape[2], x.shape[3],
                            x.ptr<const float>(), y.ptr<float>());
  return y.obj;
}

py::object gap_bwd(const py::object& dy_obj, int64_t H, int64_t W) {
  const char* op = "global_avg_pool2d_backward";
  CudaArray dy = cuda_array(op, "dy", dy_obj);
  require_ndim(op, "dy", dy, 2, "(N, C)");
  require_nonempty(op, "dy", dy);
  require_c_contiguous(op, "dy", dy);
  if (H < 1 || W < 1) value_error(op, "H and W must be >= 1, got (", H, ", ", W, ")");
  CudaArray dx = cupy_empty({dy.shape[0], H, W, dy.shape[1]});
  global_avg_pool2d_backward(current_stream(), dy.shape[0], H * W, dy.shape[1], dy.ptr<const float>(),
                             dx.ptr<float>());
  return dx.obj;
}

void upsample_factors(const char* op, int64_t sh, int64_t sw) {
  if (sh < 1 || sw < 1) value_error(op, "size must be >= 1, got (", sh, ", ", sw, ")");
  if (sh > (1LL << 30) || sw > (1LL << 30))
    value_error(op, "size must be <= 2**30, got (", sh, ", ", sw, ")");
}

py::object up_fwd(const py::object& x_obj, int64_t sh, int64_t sw) {
  const char* op = "upsample_nearest2d_forward";
  CudaArray x = nhwc(op, "x", x_obj, "(N, H, W, C)");
  upsample_factors(op, sh, sw);
  const int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  // N*H*W*C fits in an int64 (it is an array); the factors are <= 2**30 each
  if ((double)N * H * sh * W * sw * C > 9.0e18)
    value_error(op, "the output of ", x.shape_str(), " upsampled by (", sh, ", ", sw,
                ") is too large");
  CudaArray y = cupy_empty({N, H * sh, W * sw, C});
  upsample_nearest2d_forward(current_stream(), N, H, W, C, (int)sh, (int)sw, x.ptr<const float>(),
                             y.ptr<float>());
  return y.obj;
}

py::object up_bwd(const py::object& dy_obj, int64_t sh, int64_t sw) {
  const char* op = "upsample_nearest2d_backward";
  CudaArray dy = nhwc(op, "dy", dy_obj, "(N, H * sh, W * sw, C)");
  upsample_factors(op, sh, sw);
  if (dy.shape[1] % sh || dy.shape[2] % sw)
    value_error(op, "dy's height and width must be multiples of size (", sh, ", ", sw, "), got ",
                dy.shape_str());
  const int64_t N = dy.shape[0], H = dy.shape[1] / sh, W = dy.shape[2] / sw, C = dy.shape[3];
  CudaArray dx = cupy_empty({N, H, W, C});
  upsample_nearest2d_backward(current_stream(), N, H, W, C, (int)sh, (int)sw, dy.ptr<const float>(),
                              dx.ptr<float>());
  return dx.obj;
}

}  // namespace

void bind_pool_cuda(pybind11::module_& m) {
  m.def("max_pool2d_forward", &max_fwd, py::arg("x"), py::arg("kh"), py::arg("kw"), py::arg("sh"),
        py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"),
        py::arg("with_argmax"));
  m.def("max_pool2d_backward", &max_bwd, py::arg("dy"), py::arg("argmax"), py::arg("H"), py::arg("W"),
        py::arg("kh"), py::arg("kw"), py::arg("sh"), py::arg("sw"), py::arg("pt"), py::arg("pl"),
        py::arg("pb"), py::arg("pr"));
  m.def("avg_pool2d_forward", &avg_fwd, py::arg("x"), py::arg("kh"), py::arg("kw"), py::arg("sh"),
        py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"));
  m.def("avg_pool2d_backward", &avg_bwd, py::arg("dy"), py::arg("H"), py::arg("W"), py::arg("kh"),
        py::arg("kw"), py::arg("sh"), py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"),
        py::arg("pr"));
  m.def("global_avg_pool2d_forward", &gap_fwd, py::arg("x"));
  m.def("global_avg_pool2d_backward", &gap_bwd, py::arg("dy"), py::arg("H"), py::arg("W"));
  m.def("upsample_nearest2d_forward", &up_fwd, py::arg("x"), py::arg("sh"), py::arg("sw"));
  m.def("upsample_nearest2d_backward", &up_bwd, py::arg("dy"), py::arg("sh"), py::arg("sw"));
}

}  // namespace tf
