// Bindings for the pointwise family (kernels in csrc/cpu/pointwise.cpp, contract in
// tf/pointwise.h). Same names and signatures as python/tensorforge/reference/pointwise.py:
//
//   act_forward(x, kind, alpha) -> y                    act_backward(dy, x, y, kind, alpha) -> dx
//   softmax_forward(x) -> y                              softmax_backward(dy, y) -> dx
//   softmax_xent_forward(logits, targets, sparse) -> (loss, probs)
//   softmax_xent_backward(probs, targets, sparse, scale) -> dlogits
//   xent_batch_stats(loss, logits, targets, sparse) -> (mean loss, argmax hits)
//   dropout_forward(x, rate, seed) -> (y, mask)          dropout_backward(dy, mask, rate) -> dx
//
// Every array must be C-contiguous and non-empty, float32 (labels int32/int64, mask uint8);
// sparse labels are range-checked here, so the kernels never index out of bounds.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tf/bind_util.h"
#include "tf/pointwise.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

std::vector<py::ssize_t> shape_of(const py::array& a) {
  return std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim());
}

// A float32 (or T) C-contiguous non-empty array.
template <typename T = float>
py::array dense(const char* op, const char* arg, const py::handle& h) {
  py::array a = as_array<T>(op, arg, h);
  require_c_contiguous(op, arg, a);
  require_nonempty(op, arg, a);
  return a;
}

void same_shape(const char* op, const char* an, const py::array& a, const char* bn,
                const py::array& b) {
  bool same = a.ndim() == b.ndim();
  for (py::ssize_t d = 0; same && d < a.ndim(); ++d) same = a.shape(d) == b.shape(d);
  if (!same)
    value_error(op, an, " and ", bn, " must have the same shape, got ", shape_str(a), " and ",
                shape_str(b));
}

ActKind parse_kind(const char* op, const std::string& k) {
  static const char* names[] = {"linear",  "relu",         "leaky_relu", "elu",
                                "selu",    "softplus",     "sigmoid",    "hard_sigmoid",
                                "tanh",    "relu6",        "relu_max",   "swish",
                                "gelu",    "gelu_tanh"};
  for (int i = 0; i < 14; ++i)
    if (k == names[i]) return (ActKind)i;
  value_error(op, "kind must be one of 'relu', 'leaky_relu', 'elu', 'selu', 'softplus', "
                  "'sigmoid', 'hard_sigmoid', 'tanh', 'relu6', 'relu_max', 'swish', 'gelu', "
                  "'gelu_tanh', 'linear', got '", k, "'");
}

// Targets of a softmax cross-entropy, checked against logits (N, C). Exactly one pointer is set.
struct Targets {
  py::array keep;  // keeps the array alive
  const float* dense = nullptr;
  const int32_t* l32 = nullptr;
  const int64_t* l64 = nullptr;
};

template <typename L>
void check_labels(const char* op, const L* l, index_t N, index_t C) {
  for (index_t i = 0; i < N; ++i)
    if (l[i] < 0 || (index_t)l[i] >= C)
      value_error(op, "targets must be class indices in [0, ", C, ") for C = ", C,
                  ", got targets[", i, "] = ", (long long)l[i]);
}

Targets get_targets(const char* op, const py::handle& h, bool sparse, index_t N, index_t C) {
  Targets t;
  if (!py::isinstance<py::array>(h))
    type_error(op, "targets must be a numpy.ndarray, got ", py::str(py::type::of(h)).cast<std::string>());
  py::array a = py::reinterpret_borrow<py::array>(h);
  if (sparse) {
    bool i32 = a.dtype().is(py::dtype::of<int32_t>()), i64 = a.dtype().is(py::dtype::of<int64_t>());
    if (!i32 && !i64)
      type_error(op, "sparse targets must be int32 or int64 labels, got ", dtype_str(a),
                 " with shape ", shape_str(a));
    if (a.ndim() != 1 || a.shape(0) != N)
      value_error(op, "sparse targets must have shape (", N, ",) for logits (", N, ", ", C,
                  "), got ", shape_str(a));
    require_c_contiguous(op, "targets", a);
    if (misaligned(a)) a = aligned_copy(a);  // Note [aligned buffers]
    if (i32) {
      t.l32 = static_cast<const int32_t*>(a.data());
      check_labels(op, t.l32, N, C);
    } else {
      t.l64 = static_cast<const int64_t*>(a.data());
      check_labels(op, t.l64, N, C);
    }
  } else {
    a = as_array<float>(op, "targets", h);
    if (a.ndim() != 2 || a.shape(0) != N || a.shape(1) != C)
      value_error(op, "dense targets must have shape (", N, ", ", C, ") like logits, got ",
                  shape_str(a));
    require_c_contiguous(op, "targets", a);
    t.dense = static_cast<const float*>(a.data());
  }
  t.keep = a;
  return t;
}

// threshold = ceil(rate * 2^24) and scale = 1 / (1 - rate), both from float64 (Note [dropout RNG]).
void dropout_params(const char* op, double rate, uint32_t& threshold, float& scale) {
  if (!(rate >= 0.0 && rate < 1.0)) value_error(op, "rate must be in [0, 1), got ", rate);
  threshold = (uint32_t)std::ceil(rate * 16777216.0);
  scale = (float)(1.0 / (1.0 - rate));
}

}  // namespace

void bind_pointwise(pybind11::module_& m) {
  m.def(
      "act_forward",
      [](const py::object& x_obj, const std::string& kind, double alpha) {
        const char* op = "act_forward";
        ActKind k = parse_kind(op, kind);
        py::array x = dense(op, "x", x_obj);
        py::array y = empty<float>(shape_of(x));
        const float* X = static_cast<const float*>(x.data());
        float* Y = static_cast<float*>(y.mutable_data());
        index_t n = x.size();
        {
          py::gil_scoped_release nogil;
          act_forward(n, X, Y, k, (float)alpha);
        }
        return y;
      },
      py::arg("x"), py::arg("kind"), py::arg("alpha"), "y = activation(x), elementwise");

  m.def(
      "act_backward",
      [](const py::object& dy_obj, const py::object& x_obj, const py::object& y_obj,
         const std::string& kind, double alpha) {
        const char* op = "act_backward";
        ActKind k = parse_kind(op, kind);
        py::array dy = dense(op, "dy", dy_obj);
        py::array x = dense(op, "x", x_obj);
        py::array y = dense(op, "y", y_obj);
        same_shape(op, "dy", dy, "x", x);
        same_shape(op, "dy", dy, "y", y);
        py::array dx = empty<float>(shape_of(dy));
        const float *DY = static_cast<const float*>(dy.data()), *X = static_cast<const float*>(x.data()),
                    *Y = static_cast<const float*>(y.data());
        float* DX = static_cast<float*>(dx.mutable_data());
        index_t n = dy.size();
        {
          py::gil_scoped_release nogil;
          act_backward(n, DY, X, Y, DX, k, (float)alpha);
        }
        return dx;
      },
      py::arg("dy"), py::arg("x"), py::arg("y"), py::arg("kind"), py::arg("alpha"),
      "dx = dy * activation'(x) (uses x and/or y = activation(x))");

  m.def(
      "softmax_forward",
      [](const py::object& x_obj) {
        const char* op = "softmax_forward";
        py::array x = dense(op, "x", x_obj);
        require_ndim(op, "x", x, 2, "(N, C)");
        index_t N = x.shape(0), C = x.shape(1);
        py::array y = empty<float>({x.shape(0), x.shape(1)});
        const float* X = static_cast<const float*>(x.data());
        float* Y = static_cast<float*>(y.mutable_data());
        {
          py::gil_scoped_release nogil;
          softmax_forward(N, C, X, Y);
        }
        return y;
      },
      py::arg("x"), "softmax over the last axis of a 2-D (N, C) array");

  m.def(
      "softmax_backward",
      [](const py::object& dy_obj, const py::object& y_obj) {
        const char* op = "softmax_backward";
        py::array dy = dense(op, "dy", dy_obj);
        py::array y = dense(op, "y", y_obj);
        require_ndim(op, "y", y, 2, "(N, C)");
        same_shape(op, "dy", dy, "y", y);
        index_t N = y.shape(0), C = y.shape(1);
        py::array dx = empty<float>({y.shape(0), y.shape(1)});
        const float *DY = static_cast<const float*>(dy.data()), *Y = static_cast<const float*>(y.data());
        float* DX = static_cast<float*>(dx.mutable_data());
        {
          py::gil_scoped_release nogil;
          softmax_backward(N, C, DY, Y, DX);
        }
        return dx;
      },
      py::arg("dy"), py::arg("y"), "dx = y * (dy - sum(dy * y, axis=-1))");

  m.def(
      "softmax_xent_forward",
      [](const py::object& logits_obj, const py::object& targets_obj, bool sparse) {
        const char* op = "softmax_xent_forward";
        py::array logits = dense(op, "logits", logits_obj);
        require_ndim(op, "logits", logits, 2, "(N, C)");
        index_t N = logits.shape(0), C = logits.shape(1);
        Targets t = get_targets(op, targets_obj, sparse, N, C);
        py::array loss = empty<float>({logits.shape(0)});
        py::array probs = empty<float>({logits.shape(0), logits.shape(1)});
        const float* X = static_cast<const float*>(logits.data());
        float* L = static_cast<float*>(loss.mutable_data());
        float* P = static_cast<float*>(probs.mutable_data());
        {
          py::gil_scoped_release nogil;
          softmax_xent_forward(N, C, X, t.dense, t.l32, t.l64, L, P);
        }
        return py::make_tuple(loss, probs);
      },
      py::arg("logits"), py::arg("targets"), py::arg("sparse"),
      "(loss (N,), probs (N, C)) of softmax cross-entropy, fused and stable");

  m.def(
      "softmax_xent_backward",
      [](const py::object& probs_obj, const py::object& targets_obj, bool sparse, double scale) {
        const char* op = "softmax_xent_backward";
        py::array probs = dense(op, "probs", probs_obj);
        require_ndim(op, "probs", probs, 2, "(N, C)");
        index_t N = probs.shape(0), C = probs.shape(1);
        Targets t = get_targets(op, targets_obj, sparse, N, C);
        py::array d = empty<float>({probs.shape(0), probs.shape(1)});
        const float* P = static_cast<const float*>(probs.data());
        float* D = static_cast<float*>(d.mutable_data());
        {
          py::gil_scoped_release nogil;
          softmax_xent_backward(N, C, P, t.dense, t.l32, t.l64, (float)scale, D);
        }
        return d;
      },
      py::arg("probs"), py::arg("targets"), py::arg("sparse"), py::arg("scale"),
      "dlogits = (probs - onehot(targets)) * scale");

  m.def(
      "xent_batch_stats",
      [](const py::object& loss_obj, const py::object& logits_obj, const py::object& targets_obj,
         bool sparse) {
        const char* op = "xent_batch_stats";
        py::array logits = dense(op, "logits", logits_obj);
        require_ndim(op, "logits", logits, 2, "(N, C)");
        index_t N = logits.shape(0), C = logits.shape(1);
        py::array loss = dense(op, "loss", loss_obj);
        if (loss.ndim() != 1 || loss.shape(0) != N)
          value_error(op, "loss must have shape (", N, ",) for logits (", N, ", ", C, "), got ",
                      shape_str(loss));
        Targets t = get_targets(op, targets_obj, sparse, N, C);
        const float* L = static_cast<const float*>(loss.data());
        const float* X = static_cast<const float*>(logits.data());
        float mean;
        int64_t hits;
        {
          py::gil_scoped_release nogil;
          xent_batch_stats(N, C, L, X, t.dense, t.l32, t.l64, &mean, &hits);
        }
        return py::make_tuple((double)mean, (long long)hits);
      },
      py::arg("loss"), py::arg("logits"), py::arg("targets"), py::arg("sparse"),
      "(mean of loss (N,) as float32 NumPy sums it, rows whose logits argmax is the target "
      "class) of a softmax cross-entropy batch");

  m.def(
      "dropout_forward",
      [](const py::object& x_obj, double rate, const py::object& seed_obj) {
        const char* op = "dropout_forward";
        py::array x = dense(op, "x", x_obj);
        uint32_t threshold;
        float scale;
        dropout_params(op, rate, threshold, scale);
        // seed mod 2^64 (a negative or huge Python int is reduced like the reference does)
        if (!py::isinstance<py::int_>(seed_obj) && !py::hasattr(seed_obj, "__index__"))
          type_error(op, "seed must be an integer, got ", py::str(py::type::of(seed_obj)).cast<std::string>());
        py::object masked = py::int_(seed_obj).attr("__and__")(py::int_(~0ull));
        uint64_t seed = masked.cast<uint64_t>();
        py::array y = empty<float>(shape_of(x));
        py::array mask = empty<uint8_t>(shape_of(x));
        const float* X = static_cast<const float*>(x.data());
        float* Y = static_cast<float*>(y.mutable_data());
        uint8_t* M = static_cast<uint8_t*>(mask.mutable_data());
        index_t n = x.size();
        {
          py::gil_scoped_release nogil;
          dropout_forward(n, X, seed, threshold, scale, Y, M);
        }
        return py::make_tuple(y, mask);
      },
      py::arg("x"), py::arg("rate"), py::arg("seed"),
      "(y, mask): inverted dropout with a counter-based mask (same seed, same mask everywhere)");

  m.def(
      "dropout_backward",
      [](const py::object& dy_obj, const py::object& mask_obj, double rate) {
        const char* op = "dropout_backward";
        py::array dy = dense(op, "dy", dy_obj);
        py::array mask = dense<uint8_t>(op, "mask", mask_obj);
        same_shape(op, "dy", dy, "mask", mask);
        uint32_t threshold;
        float scale;
        dropout_params(op, rate, threshold, scale);
        py::array dx = empty<float>(shape_of(dy));
        const float* DY = static_cast<const float*>(dy.data());
        const uint8_t* M = static_cast<const uint8_t*>(mask.data());
        float* DX = static_cast<float*>(dx.mutable_data());
        index_t n = dy.size();
        {
          py::gil_scoped_release nogil;
          dropout_backward(n, DY, M, scale, DX);
        }
        return dx;
      },
      py::arg("dy"), py::arg("mask"), py::arg("rate"), "dx = dy * mask / (1 - rate)");
}

}  // namespace tf
