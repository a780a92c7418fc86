// conv2d on the GPU (bindings; helper kernels in conv.cu / conv_kernels.cuh). Names, signatures and
// semantics are tensorforge.reference.conv's (its docstring), on CuPy float32 NHWC arrays:
//   conv2d_forward(x, w, b, sh, sw, pt, pl, pb, pr, dh, dw, activation) -> y
//   conv2d_backward(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw, need_db)
//       -> (dx | None, dw | None, db | None)        (dy is the pre-activation gradient)
// Method: implicit GEMM (Note [implicit GEMM] in conv_kernels.cuh): our SGEMM kernel gathers its
// op(A) from x (forward, backward-filter) or dy (backward-data) instead of reading a materialised
// column matrix; the epilogue fuses bias and relu. dW = col^T @ dy and db = 1^T @ dy are tiny
// outputs with a long K (the split-K path); dx = dycol @ w' with w' = w with its last two axes
// swapped (one small CuPy copy). A 1x1/stride-1/unpadded conv multiplies x directly (strided
// GEMMs). Extents past 32-bit gather indexing fall back to explicit im2col / col2im.
#include <string>

#include "conv_plan.h"
#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;

CudaArray dense4(const char* op, const char* arg, const py::handle& h, const char* layout) {
  CudaArray a = cuda_array(op, arg, h);
  require_ndim(op, arg, a, 4, layout);
  require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  return a;
}

// Run one GemmSpec (conv_plan.h): C = op(A) @ op(B) (+ bias) (relu), with a split-K workspace
// from CuPy's pool when the GEMM wants one. ops[] maps ConvOperand ids to device pointers.
void run(cudaStream_t s, const GemmSpec& g, const float* const ops[4], float* C, const float* bias,
         bool relu) {
  const int64_t wsize = sgemm_workspace_floats(g.M, g.N, g.K);
  CudaArray ws;
  if (wsize > 0) ws = cupy_empty({wsize});
  sgemm(s, g.M, g.N, g.K, 1.0f, ops[g.a], g.rsA, g.csA, ops[g.b], g.rsB, g.csB, 0.0f, C, g.ldc, bias,
        relu, wsize > 0 ? ws.ptr<float>() : nullptr);
}

// The algorithm for non-1x1 convs: implicit GEMM (default) or explicit im2col / col2im, chosen
// with set_conv_algorithm() so that a GPU session can time both and the tests can keep the
// fallback honest.
bool g_implicit = true;

// Note [implicit GEMM]: the gathers index in 32 bits; past that, the explicit path.
bool igemm_fits(const ConvGeom& g, int64_t Cout) {
  const int64_t lim = (int64_t)1 << 31;
  return g_implicit && g.N * g.OH * g.OW < lim && g.N * g.H * g.W < lim && (int64_t)g.KH * g.KW * g.C < lim &&
         (int64_t)g.KH * g.KW * Cout < lim;
}

// Run one implicit GEMM (conv_plan.h's IGemmSpec) with a split-K workspace from CuPy's pool.
void run_igemm(cudaStream_t s, const ConvGeom& g, int64_t Cout, const IGemmSpec& sp,
               const float* const ops[6], float* C, const float* bias, bool relu) {
  const int64_t wsize = sgemm_workspace_floats(sp.M, sp.N, sp.K);
  CudaArray ws;
  if (wsize > 0) ws = cupy_empty({wsize});
  conv2d_igemm(s, g, Cout, sp, ops[sp.src], ops[sp.b], C, bias, relu,
               wsize > 0 ? ws.ptr<float>() : nullptr);
}

ConvGeom geometry(const char* op, const CudaArray& x, const CudaArray& w, int sh, int sw, int pt,
                  int pl, int pb, int pr, int dh, int dw) {
  if (w.shape[2] != x.shape[3])
    value_error(op, "w must be (KH, KW, C_in, C_out) with C_in = ", x.shape[3], " (x is ",
                x.shape_str(), "), got shape ", w.shape_str());
  if (sh < 1 || sw < 1) value_error(op, "strides must be >= 1, got (", sh, ", ", sw, ")");
  if (dh < 1 || dw < 1) value_error(op, "dilations must be >= 1, got (", dh, ", ", dw, ")");
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0)
    value_error(op, "pads must be >= 0, got (", pt, ", ", pl, ", ", pb, ", ", pr, ")");
  const int64_t KH = w.shape[0], KW = w.shape[1];
  const int64_t eh = (KH - 1) * dh + 1, ew = (KW - 1) * dw + 1;
  const int64_t H = x.shape[1], W = x.shape[2];
  const int64_t OH = H + pt + pb - eh >= 0 ? (H + pt + pb - eh) / sh + 1 : 0;
  const int64_t OW = W + pl + pr - ew >= 0 ? (W + pl + pr - ew) / sw + 1 : 0;
  if (OH < 1 || OW < 1)
    value_error(op, "kernel ", w.shape_str(), " with dilation (", dh, ", ", dw, ") and pads (", pt,
                ", ", pl, ", ", pb, ", ", pr, ") does not fit x ", x.shape_str());
  return ConvGeom{x.shape[0], H, W, x.shape[3], OH, OW, (int)KH, (int)KW, sh, sw, pt, pl, dh, dw};
}

bool is_pointwise(const ConvGeom& g) {
  return g.KH == 1 && g.KW == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 &&
         g.OH == g.H && g.OW == g.W;
}

py::object conv2d_forward_cuda(const py::object& x_obj, const py::object& w_obj,
                               const py::object& b_obj, int sh, int sw, int pt, int pl, int pb,
                               int pr, int dh, int dw, const py::object& activation) {
  const char* op = "conv2d_forward";
  bool relu = false;
  if (!activation.is_none()) {
    std::string a = py::str(activation);
    if (a == "relu") relu = true;
    else if (a != "linear") value_error(op, "activation must be None or 'relu', got '", a, "'");
  }
  CudaArray x = dense4(op, "x", x_obj, "(N, H, W, C_in)");
  CudaArray w = dense4(op, "w", w_obj, "(KH, KW, C_in, C_out)");
  const ConvGeom g = geometry(op, x, w, sh, sw, pt, pl, pb, pr, dh, dw);
  const int64_t Cout = w.shape[3], rows = g.N * g.OH * g.OW, Kc = (int64_t)g.KH * g.KW * g.C;
  const float* bias = nullptr;
  CudaArray b;
  if (cuda_array_opt(op, "b", b_obj, b)) {
    if (b.ndim() != 1 || b.shape[0] != Cout)
      value_error(op, "b must have shape (", Cout, ",) for C_out = ", Cout, ", got ", b.shape_str());
    require_c_contiguous(op, "b", b);
    bias = b.ptr<const float>();
  }
  cudaStream_t s = current_stream();
  CudaArray y = cupy_empty({g.N, g.OH, g.OW, Cout});
  const float* ops[6] = {x.ptr<const float>(), w.ptr<const float>(), nullptr, nullptr,
                         x.ptr<const float>(), nullptr};
  if (!is_pointwise(g) && igemm_fits(g, Cout)) {
    run_igemm(s, g, Cout, conv_forward_igemm(rows, Kc, Cout), ops, y.ptr<float>(), bias, relu);
    return y.obj;
  }
  CudaArray col;
  if (!is_pointwise(g)) {  // explicit column matrix (extents past 32-bit gathers)
    col = cupy_empty({rows, Kc});
    im2col(s, g, x.ptr<const float>(), col.ptr<float>());
    ops[kCol] = col.ptr<const float>();
  }
  run(s, conv_forward_gemm(rows, Kc, Cout), ops, y.ptr<float>(), bias, relu);
  return y.obj;
}

py::tuple conv2d_backward_cuda(const py::object& dy_obj, const py::object& x_obj,
                               const py::object& w_obj, int sh, int sw, int pt, int pl, int pb,
                               int pr, int dh, int dw, bool need_dx, bool need_dw, bool need_db) {
  const char* op = "conv2d_backward";
  CudaArray dy = dense4(op, "dy", dy_obj, "(N, OH, OW, C_out)");
  CudaArray x = dense4(op, "x", x_obj, "(N, H, W, C_in)");
  CudaArray w = dense4(op, "w", w_obj, "(KH, KW, C_in, C_out)");
  const ConvGeom g = geometry(op, x, w, sh, sw, pt, pl, pb, pr, dh, dw);
  const int64_t Cout = w.shape[3], rows = g.N * g.OH * g.OW, Kc = (int64_t)g.KH * g.KW * g.C;
  if (dy.shape[0] != g.N || dy.shape[1] != g.OH || dy.shape[2] != g.OW || dy.shape[3] != Cout)
    value_error(op, "dy must have shape (", g.N, ", ", g.OH, ", ", g.OW, ", ", Cout, ") for x ",
                x.shape_str(), " and w ", w.shape_str(), ", got ", dy.shape_str());
  cudaStream_t s = current_stream();
  const bool pw = is_pointwise(g), implicit = !pw && igemm_fits(g, Cout);
  py::object dx_out = py::none(), dw_out = py::none(), db_out = py::none();
  const float* ops[6] = {x.ptr<const float>(), w.ptr<const float>(), dy.ptr<const float>(), nullptr,
                         x.ptr<const float>(), nullptr};
  if (need_db) {
    py::object ones = cupy_module().attr("ones")(py::make_tuple(1), py::arg("dtype") = "float32");
    CudaArray one = cuda_array(op, "ones", ones);
    ops[kOnes] = one.ptr<const float>();
    CudaArray db = cupy_empty({Cout});
    run(s, conv_db_gemm(rows, Cout), ops, db.ptr<float>(), nullptr, false);
    db_out = db.obj;
  }
  if (need_dw && implicit) {
    CudaArray dwa = cupy_empty({(int64_t)g.KH, (int64_t)g.KW, g.C, Cout});
    run_igemm(s, g, Cout, conv_dw_igemm(rows, Kc, Cout), ops, dwa.ptr<float>(), nullptr, false);
    dw_out = dwa.obj;
  } else if (need_dw) {
    CudaArray col;
    if (!pw) {
      col = cupy_empty({rows, Kc});
      im2col(s, g, x.ptr<const float>(), col.ptr<float>());
      ops[kCol] = col.ptr<const float>();
    }
    CudaArray dwa = cupy_empty({(int64_t)g.KH, (int64_t)g.KW, g.C, Cout});
    run(s, conv_dw_gemm(rows, Kc, Cout), ops, dwa.ptr<float>(), nullptr, false);
    dw_out = dwa.obj;
  }
  if (need_dx) {
    CudaArray dx = cupy_empty({g.N, g.H, g.W, g.C});
    CudaArray wt;
    if (implicit) {  // w' (KH, KW, C_out, C_in): one small copy on the stream, by CuPy
      wt = cuda_array(op, "w", cupy_module().attr("ascontiguousarray")(w.obj.attr("transpose")(0, 1, 3, 2)));
      ops[kWt] = wt.ptr<const float>();
      run_igemm(s, g, Cout, conv_dx_igemm(g.N * g.H * g.W, g.C, (int64_t)g.KH * g.KW * Cout), ops,
                dx.ptr<float>(), nullptr, false);
    } else if (pw) {
      run(s, conv_dcol_gemm(rows, Kc, Cout), ops, dx.ptr<float>(), nullptr, false);
    } else {
      CudaArray dcol = cupy_empty({rows, Kc});
      run(s, conv_dcol_gemm(rows, Kc, Cout), ops, dcol.ptr<float>(), nullptr, false);
      col2im(s, g, dcol.ptr<const float>(), dx.ptr<float>());
    }
    dx_out = dx.obj;
  }
  return py::make_tuple(dx_out, dw_out, db_out);
}

}  // namespace

void bind_conv_cuda(pybind11::module_& m) {
  m.def("set_conv_algorithm", [](const std::string& a) {
    if (a != "implicit" && a != "im2col")
      value_error("set_conv_algorithm", "algorithm must be 'implicit' or 'im2col', got '", a, "'");
    g_implicit = a == "implicit";
  }, py::arg("algorithm"), "conv2d for non-1x1 kernels: 'implicit' GEMM (default) or 'im2col'");
  m.def("get_conv_algorithm", [] { return std::string(g_implicit ? "implicit" : "im2col"); });
  m.def("conv2d_forward", &conv2d_forward_cuda, py::arg("x"), py::arg("w"), py::arg("b"),
        py::arg("sh"), py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"),
        py::arg("dh"), py::arg("dw"), py::arg("activation"));
  m.def("conv2d_backward", &conv2d_backward_cuda, py::arg("dy"), py::arg("x"), py::arg("w"),
        py::arg("sh"), py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"),
        py::arg("dh"), py::arg("dw"), py::arg("need_dx"), py::arg("need_dw"), py::arg("need_db"));
}

}  // namespace tf
