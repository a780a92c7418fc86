// Bindings for the recurrent family on the GPU (launchers in rnn.cu, driver rnn_seq.h). Names,
// signatures and returned tuples are exactly tensorforge.reference.rnn's (its docstring is the
// specification) and _C's (csrc/bindings/rnn.cpp), on CuPy float32 arrays:
//   lstm_forward / lstm_backward, gru_forward / gru_backward,
//   simple_rnn_forward / simple_rnn_backward.
// Every array is checked here (float32, rank, shape against x and the recurrent kernel,
// C-contiguous, non-empty, on the current device); bias, h0, c0, mask may be None. Outputs and
// scratch come from CuPy's pool; the kernels run on CuPy's current stream.
#include <string>
#include <vector>

#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;

using Shape = std::vector<int64_t>;

// A float32, C-contiguous device array of exactly `shape` (what = layout words for the message).
CudaArray arg(const char* op, const char* name, const py::handle& h, const Shape& shape,
              const char* what) {
  CudaArray a = cuda_array(op, name, h);
  if (a.shape != shape)
    value_error(op, name, " must have shape ", what, " = ", cuda::shape_str(shape), ", got ",
                a.shape_str());
  require_c_contiguous(op, name, a);
  return a;
}

const float* opt(const char* op, const char* name, const py::object& h, const Shape& shape,
                 const char* what, CudaArray& keep) {
  if (h.is_none()) return nullptr;
  keep = arg(op, name, h, shape, what);
  return keep.ptr<const float>();
}

// tf::RnnAct codes (tf/rnn.h): tanh 0, relu 1, sigmoid 2, hard_sigmoid 3
int parse_act(const char* op, const std::string& s) {
  if (s == "tanh") return 0;
  if (s == "relu") return 1;
  value_error(op, "activation must be 'tanh' or 'relu', got '", s, "'");
}
int parse_rec_act(const char* op, const std::string& s) {
  if (s == "sigmoid") return 2;
  if (s == "hard_sigmoid") return 3;
  value_error(op, "recurrent_activation must be 'sigmoid' or 'hard_sigmoid', got '", s, "'");
}

// x (B, T, F) and recurrent_kernel (U, G*U) fix the dimensions; kernel must be (F, G*U).
RnnSeqDims dims(const char* op, const py::object& x_o, const py::object& kernel_o,
                const py::object& rk_o, int64_t G, CudaArray& x, CudaArray& kernel, CudaArray& rk) {
  x = cuda_array(op, "x", x_o);
  require_ndim(op, "x", x, 3, "(batch, time, features)");
  require_nonempty(op, "x", x);
  require_c_contiguous(op, "x", x);
  CudaArray r = cuda_array(op, "recurrent_kernel", rk_o);
  require_ndim(op, "recurrent_kernel", r, 2, "(units, G*units)");
  const int64_t U = r.shape[0];
  if (U == 0) value_error(op, "recurrent_kernel must not be empty, got shape ", r.shape_str());
  RnnSeqDims d{x.shape[0], x.shape[1], x.shape[2], U};
  rk = arg(op, "recurrent_kernel", rk_o, {U, G * U}, "(units, G*units)");
  kernel = arg(op, "kernel", kernel_o, {d.F, G * U}, "(features, G*units)");
  return d;
}

Shape BTU(const RnnSeqDims& d, int64_t w = 1) { return {d.B, d.T, w * d.U}; }
Shape BU(const RnnSeqDims& d) { return {d.B, d.U}; }
Shape BT(const RnnSeqDims& d) { return {d.B, d.T}; }

// Scratch from CuPy's pool, kept alive until the binding returns (CuPy orders the reuse of freed
// blocks on the stream, so kernels still in flight keep their memory).
struct Pool {
  std::vector<CudaArray> held;
  ScratchAlloc alloc() {
    return [this](int64_t n) {
      held.push_back(cupy_empty({n}));
      return held.back().ptr<float>();
    };
  }
};

// ---- LSTM -------------------------------------------------------------------------------------
py::tuple lstm_fwd(const py::object& x_o, const py::object& kernel_o, const py::object& rk_o,
                   const py::object& bias_o, const py::object& h0_o, const py::object& c0_o,
                   const py::object& mask_o, bool go_backwards, const std::string& activation,
                   const std::string& rec_activation) {
  const char* op = "lstm_forward";
  const int act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  CudaArray x, kernel, rk, bias, h0, c0, mask;
  const RnnSeqDims d = dims(op, x_o, kernel_o, rk_o, 4, x, kernel, rk);
  const float* b = opt(op, "bias", bias_o, {4 * d.U}, "(4*units,)", bias);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* c = opt(op, "c0", c0_o, BU(d), "(batch, units)", c0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  CudaArray out = cupy_empty(BTU(d)), hT = cupy_empty(BU(d)), cT = cupy_empty(BU(d));
  CudaArray gates = cupy_empty(BTU(d, 4)), hp = cupy_empty(BTU(d)), cp = cupy_empty(BTU(d));
  Pool pool;
  lstm_forward(current_stream(), pool.alloc(), d, x.ptr<const float>(), kernel.ptr<const float>(),
               rk.ptr<const float>(), b, h, c, m, go_backwards, act, ract, out.ptr<float>(),
               hT.ptr<float>(), cT.ptr<float>(), gates.ptr<float>(), hp.ptr<float>(), cp.ptr<float>());
  return py::make_tuple(out.obj, hT.obj, cT.obj, gates.obj, hp.obj, cp.obj);
}

py::tuple lstm_bwd(const py::object& dout_o, const py::object& dhT_o, const py::object& dcT_o,
                   const py::object& x_o, const py::object& kernel_o, const py::object& rk_o,
                   const py::object& mask_o, bool go_backwards, const std::string& activation,
                   const std::string& rec_activation, const py::object& gates_o,
                   const py::object& hp_o, const py::object& cp_o) {
  const char* op = "lstm_backward";
  const int act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  CudaArray x, kernel, rk, mask;
  const RnnSeqDims d = dims(op, x_o, kernel_o, rk_o, 4, x, kernel, rk);
  CudaArray dout = arg(op, "d_outputs", dout_o, BTU(d), "(batch, time, units)");
  CudaArray dhT = arg(op, "d_h_T", dhT_o, BU(d), "(batch, units)");
  CudaArray dcT = arg(op, "d_c_T", dcT_o, BU(d), "(batch, units)");
  CudaArray gates = arg(op, "gates", gates_o, BTU(d, 4), "(batch, time, 4*units)");
  CudaArray hp = arg(op, "h_prev", hp_o, BTU(d), "(batch, time, units)");
  CudaArray cp = arg(op, "c_prev", cp_o, BTU(d), "(batch, time, units)");
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  CudaArray dx = cupy_empty({d.B, d.T, d.F}), dk = cupy_empty({d.F, 4 * d.U});
  CudaArray drk = cupy_empty({d.U, 4 * d.U}), db = cupy_empty({4 * d.U});
  CudaArray dh0 = cupy_empty(BU(d)), dc0 = cupy_empty(BU(d));
  Pool pool;
  lstm_backward(current_stream(), pool.alloc(), d, dout.ptr<const float>(), dhT.ptr<const float>(),
                dcT.ptr<const float>(), x.ptr<const float>(), kernel.ptr<const float>(),
                rk.ptr<const float>(), m, go_backwards, act, ract, gates.ptr<const float>(),
                hp.ptr<const float>(), cp.ptr<const float>(), dx.ptr<float>(), dk.ptr<float>(),
                drk.ptr<float>(), db.ptr<float>(), dh0.ptr<float>(), dc0.ptr<float>());
  return py::make_tuple(dx.obj, dk.obj, drk.obj, db.obj, dh0.obj, dc0.obj);
}

// ---- GRU --------------------------------------------------------------------------------------
Shape gru_bias_shape(const RnnSeqDims& d, bool reset_after) {
  if (reset_after) return {2, 3 * d.U};
  return {3 * d.U};
}

py::tuple gru_fwd(const py::object& x_o, const py::object& kernel_o, const py::object& rk_o,
                  const py::object& bias_o, const py::object& h0_o, const py::object& mask_o,
                  bool go_backwards, bool reset_after, const std::string& activation,
                  const std::string& rec_activation) {
  const char* op = "gru_forward";
  const int act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  CudaArray x, kernel, rk, bias, h0, mask;
  const RnnSeqDims d = dims(op, x_o, kernel_o, rk_o, 3, x, kernel, rk);
  const float* b = opt(op, "bias", bias_o, gru_bias_shape(d, reset_after),
                       reset_after ? "(2, 3*units) for reset_after=True" : "(3*units,) for reset_after=False", bias);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  CudaArray out = cupy_empty(BTU(d)), hT = cupy_empty(BU(d));
  CudaArray gates = cupy_empty(BTU(d, 3)), hp = cupy_empty(BTU(d)), rh = cupy_empty(BTU(d));
  Pool pool;
  gru_forward(current_stream(), pool.alloc(), d, x.ptr<const float>(), kernel.ptr<const float>(),
              rk.ptr<const float>(), b, h, m, go_backwards, reset_after, act, ract, out.ptr<float>(),
              hT.ptr<float>(), gates.ptr<float>(), hp.ptr<float>(), rh.ptr<float>());
  return py::make_tuple(out.obj, hT.obj, gates.obj, hp.obj, rh.obj);
}

py::tuple gru_bwd(const py::object& dout_o, const py::object& dhT_o, const py::object& x_o,
                  const py::object& kernel_o, const py::object& rk_o, const py::object& mask_o,
                  bool go_backwards, bool reset_after, const std::string& activation,
                  const std::string& rec_activation, const py::object& gates_o,
                  const py::object& hp_o, const py::object& rh_o) {
  const char* op = "gru_backward";
  const int act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  CudaArray x, kernel, rk, mask;
  const RnnSeqDims d = dims(op, x_o, kernel_o, rk_o, 3, x, kernel, rk);
  CudaArray dout = arg(op, "d_outputs", dout_o, BTU(d), "(batch, time, units)");
  CudaArray dhT = arg(op, "d_h_T", dhT_o, BU(d), "(batch, units)");
  CudaArray gates = arg(op, "gates", gates_o, BTU(d, 3), "(batch, time, 3*units)");
  CudaArray hp = arg(op, "h_prev", hp_o, BTU(d), "(batch, time, units)");
  CudaArray rh = arg(op, "rec_h", rh_o, BTU(d), "(batch, time, units)");
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  CudaArray dx = cupy_empty({d.B, d.T, d.F}), dk = cupy_empty({d.F, 3 * d.U});
  CudaArray drk = cupy_empty({d.U, 3 * d.U}), db = cupy_empty(gru_bias_shape(d, reset_after));
  CudaArray dh0 = cupy_empty(BU(d));
  Pool pool;
  gru_backward(current_stream(), pool.alloc(), d, dout.ptr<const float>(), dhT.ptr<const float>(),
               x.ptr<const float>(), kernel.ptr<const float>(), rk.ptr<const float>(), m,
               go_backwards, reset_after, act, ract, gates.ptr<const float>(),
               hp.ptr<const float>(), rh.ptr<const float>(), dx.ptr<float>(), dk.ptr<float>(),
               drk.ptr<float>(), db.ptr<float>(), dh0.ptr<float>());
  return py::make_tuple(dx.obj, dk.obj, drk.obj, db.obj, dh0.obj);
}

// ---- SimpleRNN --------------------------------------------------------------------------------
py::tuple simple_fwd(const py::object& x_o, const py::object& kernel_o, const py::object& rk_o,
                     const py::object& bias_o, const py::object& h0_o, const py::object& mask_o,
                     bool go_backwards, const std::string& activation) {
  const char* op = "simple_rnn_forward";
  const int act = parse_act(op, activation);
  CudaArray x, kernel, rk, bias, h0, mask;
  const RnnSeqDims d = dims(op, x_o, kernel_o, rk_o, 1, x, kernel, rk);
  const float* b = opt(op, "bias", bias_o, {d.U}, "(units,)", bias);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  CudaArray out = cupy_empty(BTU(d)), hT = cupy_empty(BU(d));
  CudaArray cand = cupy_empty(BTU(d)), hp = cupy_empty(BTU(d));
  Pool pool;
  simple_rnn_forward(current_stream(), pool.alloc(), d, x.ptr<const float>(),
                     kernel.ptr<const float>(), rk.ptr<const float>(), b, h, m, go_backwards, act,
                     out.ptr<float>(), hT.ptr<float>(), cand.ptr<float>(), hp.ptr<float>());
  return py::make_tuple(out.obj, hT.obj, cand.obj, hp.obj);
}

py::tuple simple_bwd(const py::object& dout_o, const py::object& dhT_o, const py::object& x_o,
                     const py::object& kernel_o, const py::object& rk_o, const py::object& mask_o,
                     bool go_backwards, const std::string& activation, const py::object& cand_o,
                     const py::object& hp_o) {
  const char* op = "simple_rnn_backward";
  const int act = parse_act(op, activation);
  CudaArray x, kernel, rk, mask;
  const RnnSeqDims d = dims(op, x_o, kernel_o, rk_o, 1, x, kernel, rk);
  CudaArray dout = arg(op, "d_outputs", dout_o, BTU(d), "(batch, time, units)");
  CudaArray dhT = arg(op, "d_h_T", dhT_o, BU(d), "(batch, units)");
  CudaArray cand = arg(op, "cand", cand_o, BTU(d), "(batch, time, units)");
  CudaArray hp = arg(op, "h_prev", hp_o, BTU(d), "(batch, time, units)");
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  CudaArray dx = cupy_empty({d.B, d.T, d.F}), dk = cupy_empty({d.F, d.U});
  CudaArray drk = cupy_empty({d.U, d.U}), db = cupy_empty({d.U}), dh0 = cupy_empty(BU(d));
  Pool pool;
  simple_rnn_backward(current_stream(), pool.alloc(), d, dout.ptr<const float>(),
                      dhT.ptr<const float>(), x.ptr<const float>(), kernel.ptr<const float>(),
                      rk.ptr<const float>(), m, go_backwards, act, cand.ptr<const float>(),
                      hp.ptr<const float>(), dx.ptr<float>(), dk.ptr<float>(), drk.ptr<float>(),
                      db.ptr<float>(), dh0.ptr<float>());
  return py::make_tuple(dx.obj, dk.obj, drk.obj, db.obj, dh0.obj);
}

}  // namespace

void bind_rnn_cuda(pybind11::module_& m) {
  m.def("lstm_forward", &lstm_fwd, py::arg("x"), py::arg("kernel"), py::arg("recurrent_kernel"),
        py::arg("bias"), py::arg("h0"), py::arg("c0"), py::arg("mask"), py::arg("go_backwards"),
        py::arg("activation"), py::arg("recurrent_activation"),
        "-> (outputs, h_T, c_T, gates, h_prev, c_prev); see tensorforge.reference.rnn");
  m.def("lstm_backward", &lstm_bwd, py::arg("d_outputs"), py::arg("d_h_T"), py::arg("d_c_T"),
        py::arg("x"), py::arg("kernel"), py::arg("recurrent_kernel"), py::arg("mask"),
        py::arg("go_backwards"), py::arg("activation"), py::arg("recurrent_activation"),
        py::arg("gates"), py::arg("h_prev"), py::arg("c_prev"),
        "-> (dx, dkernel, drecurrent_kernel, dbias, dh0, dc0)");
  m.def("gru_forward", &gru_fwd, py::arg("x"), py::arg("kernel"), py::arg("recurrent_kernel"),
        py::arg("bias"), py::arg("h0"), py::arg("mask"), py::arg("go_backwards"),
        py::arg("reset_after"), py::arg("activation"), py::arg("recurrent_activation"),
        "-> (outputs, h_T, gates, h_prev, rec_h); see tensorforge.reference.rnn");
  m.def("gru_backward", &gru_bwd, py::arg("d_outputs"), py::arg("d_h_T"), py::arg("x"),
        py::arg("kernel"), py::arg("recurrent_kernel"), py::arg("mask"), py::arg("go_backwards"),
        py::arg("reset_after"), py::arg("activation"), py::arg("recurrent_activation"),
        py::arg("gates"), py::arg("h_prev"), py::arg("rec_h"),
        "-> (dx, dkernel, drecurrent_kernel, dbias, dh0)");
  m.def("simple_rnn_forward", &simple_fwd, py::arg("x"), py::arg("kernel"),
        py::arg("recurrent_kernel"), py::arg("bias"), py::arg("h0"), py::arg("mask"),
        py::arg("go_backwards"), py::arg("activation"),
        "-> (outputs, h_T, cand, h_prev); see tensorforge.reference.rnn");
  m.def("simple_rnn_backward", &simple_bwd, py::arg("d_outputs"), py::arg("d_h_T"), py::arg("x"),
        py::arg("kernel"), py::arg("recurrent_kernel"), py::arg("mask"), py::arg("go_backwards"),
        py::arg("activation"), py::arg("cand"), py::arg("h_prev"),
        "-> (dx, dkernel, drecurrent_kernel, dbias, dh0)");
}

}  // namespace tf
