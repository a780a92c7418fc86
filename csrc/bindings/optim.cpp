// Bindings for the optim family (kernels in csrc/cpu/optim.cpp, contract in tf/optim.h). Same
// names and signatures as python/tensorforge/reference/optim.py; every function updates param and
// its state arrays IN PLACE and returns None:
//
//   sgd_update(param, grad, velocity, lr, momentum, nesterov)     velocity may be None if momentum == 0
//   rmsprop_update(param, grad, ms, lr, rho, eps, grad2=None, eps_in_sqrt=False)
//                                     grad2: a second gradient added to grad (Note [two gradients])
//   adam_update(param, grad, m, v, lr, beta1, beta2, eps, t, grad2=None)   t = step count, from 1
//   adam_update_multi(params, grads, ms, vs, lr, beta1, beta2, eps, t)
//                                     lists of one length: adam_update on each index in order
//   adagrad_update(param, grad, acc, lr, eps)
//
// param and the state arrays must be float32, C-contiguous, writable, aligned, non-empty, of one
// shape and share no memory (Note [optimizer aliasing]); grad float32 C-contiguous of the same shape. Adam's lr_t and the complements 1 - rho,
// 1 - beta are computed in float64 (Note [1 - beta] in tf/optim.h).
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "tf/bind_util.h"
#include "tf/optim.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

void same_shape(const char* op, const char* an, const py::array& a, const char* bn,
                const py::array& b) {
  bool same = a.ndim() == b.ndim();
  for (py::ssize_t d = 0; same && d < a.ndim(); ++d) same = a.shape(d) == b.shape(d);
  if (!same)
    value_error(op, an, " must have the shape of ", bn, " ", shape_str(b), ", got ", shape_str(a));
}

// param: float32, C-contiguous, writable, aligned, non-empty.
py::array param_array(const char* op, const py::handle& h) {
  py::array p = as_inplace_array<float>(op, "param", h);
  require_c_contiguous(op, "param", p);
  require_writable(op, "param", p);
  require_nonempty(op, "param", p);
  return p;
}

// A state array (updated in place): shaped like param, C-contiguous, writable, aligned.
py::array state_array(const char* op, const char* arg, const py::handle& h, const py::array& p) {
  py::array a = as_inplace_array<float>(op, arg, h);
  same_shape(op, arg, a, "param", p);
  require_c_contiguous(op, arg, a);
  require_writable(op, arg, a);
  return a;
}

// Note [optimizer aliasing]: the kernels stream param and its state arrays element by element,
// so two written arrays that share ANY memory (the same buffer, or offset views of one buffer)
// would give wrong values. Every pair of written arrays is checked by byte range (the
// numpy.may_share_memory test) and refused with a ValueError naming both. grad is only read:
// when it shares memory with a written array it is read from a copy.
void distinct(const char* op, const std::vector<std::pair<const char*, py::array*>>& written) {
  for (size_t i = 0; i < written.size(); ++i)
    for (size_t j = i + 1; j < written.size(); ++j)
      if (overlaps(*written[i].second, *written[j].second))
        value_error(op, written[j].first, " must not share memory with ", written[i].first,
                    " (both are updated in place)");
}

py::array grad_array(const char* op, const py::handle& h, const py::array& p,
                     const std::vector<std::pair<const char*, py::array*>>& written,
                     const char* name = "grad") {
  py::array g = as_array<float>(op, name, h);
  same_shape(op, name, g, "param", p);
  require_c_contiguous(op, name, g);
  for (auto& w : written)
    if (overlaps(g, *w.second)) return aligned_copy(g);
  return g;
}

float* fptr(py::array& a) { return static_cast<float*>(a.mutable_data()); }
const float* cptr(const py::array& a) { return static_cast<const float*>(a.data()); }

// ---- Adam: the checks and the update of one parameter, shared by the single and multi calls ----
struct AdamStep {
  double lr_t, beta1, beta2, eps;
};

AdamStep adam_step(const char* op, double lr, double beta1, double beta2, double eps, long long t) {
  if (t < 1) value_error(op, "t (the step count) must be >= 1, got ", t);
  // 1 - beta1^t divides the step: beta1 = 1 would make every update NaN
  if (!(beta1 >= 0.0 && beta1 < 1.0)) value_error(op, "beta1 must be in [0, 1), got ", beta1);
  if (!(beta2 >= 0.0 && beta2 <= 1.0)) value_error(op, "beta2 must be in [0, 1], got ", beta2);
  const double lr_t =
      lr * std::sqrt(1.0 - std::pow(beta2, (double)t)) / (1.0 - std::pow(beta1, (double)t));
  return {lr_t, beta1, beta2, eps};
}

struct AdamArrays {
  py::array p, m, v;
};

AdamArrays adam_arrays(const char* op, const py::handle& param, const py::handle& m,
                       const py::handle& v) {
  AdamArrays a;
  a.p = param_array(op, param);
  a.m = state_array(op, "m", m, a.p);
  a.v = state_array(op, "v", v, a.p);
  distinct(op, {{"param", &a.p}, {"m", &a.m}, {"v", &a.v}});
  return a;
}

// grad's checks without the copy (the multi call checks everything before it updates anything)
void grad_shape(const char* op, const py::handle& h, const py::array& p) {
  py::array g = as_array<float>(op, "grad", h);
  same_shape(op, "grad", g, "param", p);
  require_c_contiguous(op, "grad", g);
}

void adam_run(const char* op, AdamArrays& a, const py::handle& grad, const AdamStep& k,
              const py::handle& grad2 = py::none()) {
  std::vector<std::pair<const char*, py::array*>> written{
      {"param", &a.p}, {"m", &a.m}, {"v", &a.v}};
  py::array g = grad_array(op, grad, a.p, written);
  py::array g2;
  if (!grad2.is_none()) g2 = grad_array(op, grad2, a.p, written, "grad2");
  index_t n = a.p.size();
  float *P = fptr(a.p), *M = fptr(a.m), *V = fptr(a.v);
  const float* G = cptr(g);
  const float* G2 = grad2.is_none() ? nullptr : cptr(g2);
  {
    py::gil_scoped_release nogil;
    adam_update(n, P, G, G2, M, V, (float)k.lr_t, (float)k.beta1, (float)(1.0 - k.beta1),
                (float)k.beta2, (float)(1.0 - k.beta2), (float)k.eps);
  }
}

// A list or tuple argument, as a list.
py::list arg_list(const char* op, const char* arg, const py::object& h) {
  if (!py::isinstance<py::list>(h) && !py::isinstance<py::tuple>(h))
    type_error(op, arg, " must be a list of arrays, got ",
               py::str(py::type::of(h)).cast<std::string>());
  return py::list(h);
}

}  // namespace

void bind_optim(pybind11::module_& m) {
  m.def(
      "sgd_update",
      [](const py::object& param_obj, const py::object& grad_obj, const py::object& vel_obj,
         double lr, double momentum, bool nesterov) {
        const char* op = "sgd_update";
        py::array p = param_array(op, param_obj);
        py::array v;
        float* V = nullptr;
        std::vector<std::pair<const char*, py::array*>> written{{"param", &p}};
        if (momentum != 0.0) {
          if (vel_obj.is_none()) value_error(op, "velocity is None but momentum = ", momentum);
          v = state_array(op, "velocity", vel_obj, p);
          written.push_back({"velocity", &v});
          distinct(op, written);
          V = fptr(v);
        }
        py::array g = grad_array(op, grad_obj, p, written);
        index_t n = p.size();
        float* P = fptr(p);
        const float* G = cptr(g);
        {
          py::gil_scoped_release nogil;
          sgd_update(n, P, G, V, (float)lr, (float)momentum, nesterov);
        }
      },
      py::arg("param"), py::arg("grad"), py::arg("velocity"), py::arg("lr"), py::arg("momentum"),
      py::arg("nesterov"), "Keras 2 SGD step, in place");

  m.def(
      "rmsprop_update",
      [](const py::object& param_obj, const py::object& grad_obj, const py::object& ms_obj,
         double lr, double rho, double eps, const py::object& grad2_obj, bool eps_in_sqrt) {
        const char* op = "rmsprop_update";
        if (!(rho >= 0.0 && rho <= 1.0)) value_error(op, "rho must be in [0, 1], got ", rho);
        py::array p = param_array(op, param_obj);
        py::array ms = state_array(op, "ms", ms_obj, p);
        std::vector<std::pair<const char*, py::array*>> written{{"param", &p}, {"ms", &ms}};
        distinct(op, written);
        py::array g = grad_array(op, grad_obj, p, written);
        py::array g2;
        if (!grad2_obj.is_none()) g2 = grad_array(op, grad2_obj, p, written, "grad2");
        index_t n = p.size();
        float *P = fptr(p), *MS = fptr(ms);
        const float* G = cptr(g);
        const float* G2 = grad2_obj.is_none() ? nullptr : cptr(g2);
        {
          py::gil_scoped_release nogil;
          rmsprop_update(n, P, G, G2, MS, (float)lr, (float)rho, (float)(1.0 - rho), (float)eps,
                         eps_in_sqrt);
        }
      },
      py::arg("param"), py::arg("grad"), py::arg("ms"), py::arg("lr"), py::arg("rho"),
      py::arg("eps"), py::arg("grad2") = py::none(), py::arg("eps_in_sqrt") = false,
      "Keras 2 RMSprop step, in place");

  m.def(
      "adam_update",
      [](const py::object& param_obj, const py::object& grad_obj, const py::object& m_obj,
         const py::object& v_obj, double lr, double beta1, double beta2, double eps, long long t,
         const py::object& grad2_obj) {
        const char* op = "adam_update";
        const AdamStep k = adam_step(op, lr, beta1, beta2, eps, t);
        AdamArrays a = adam_arrays(op, param_obj, m_obj, v_obj);
        adam_run(op, a, grad_obj, k, grad2_obj);
      },
      py::arg("param"), py::arg("grad"), py::arg("m"), py::arg("v"), py::arg("lr"),
      py::arg("beta1"), py::arg("beta2"), py::arg("eps"), py::arg("t"),
      py::arg("grad2") = py::none(),
      "Keras 2 Adam step, in place");

  // Note [multi-tensor update]: one call for all the parameters of a step (the compiled training
  // step and apply_gradients: Note [native optimizer step]), saving a binding call and a Python
  // iteration per parameter. Everything is checked first, so a refused argument raises before any
  // array changes (the caller then updates tensor by tensor); then each index runs exactly as
  // adam_update would, in order (its grad copied first where it shares memory with its own
  // updated arrays), so the values are those of the single calls.
  m.def(
      "adam_update_multi",
      [](const py::object& params, const py::object& grads, const py::object& ms,
         const py::object& vs, double lr, double beta1, double beta2, double eps, long long t) {
        const char* op = "adam_update_multi";
        const AdamStep k = adam_step(op, lr, beta1, beta2, eps, t);
        py::list P = arg_list(op, "params", params), G = arg_list(op, "grads", grads);
        py::list M = arg_list(op, "ms", ms), V = arg_list(op, "vs", vs);
        const size_t n = P.size();
        if (G.size() != n || M.size() != n || V.size() != n)
          value_error(op, "params, grads, ms and vs must have one length, got ", n, ", ",
                      G.size(), ", ", M.size(), " and ", V.size());
        std::vector<AdamArrays> arrays;
        arrays.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          arrays.push_back(adam_arrays(op, P[i], M[i], V[i]));
          grad_shape(op, G[i], arrays.back().p);
        }
        for (size_t i = 0; i < n; ++i) adam_run(op, arrays[i], G[i], k);
      },
      py::arg("params"), py::arg("grads"), py::arg("ms"), py::arg("vs"), py::arg("lr"),
      py::arg("beta1"), py::arg("beta2"), py::arg("eps"), py::arg("t"),
      "adam_update on each index of the lists, in order, all arguments checked first");

  m.def(
      "adagrad_update",
      [](const py::object& param_obj, const py::object& grad_obj, const py::object& acc_obj,
         double lr, double eps) {
        const char* op = "adagrad_update";
        py::array p = param_array(op, param_obj);
        py::array acc = state_array(op, "acc", acc_obj, p);
        std::vector<std::pair<const char*, py::array*>> written{{"param", &p}, {"acc", &acc}};
        distinct(op, written);
        py::array g = grad_array(op, grad_obj, p, written);
        index_t n = p.size();
        float *P = fptr(p), *A = fptr(acc);
        const float* G = cptr(g);
        {
          py::gil_scoped_release nogil;
          adagrad_update(n, P, G, A, (float)lr, (float)eps);
        }
      },
      py::arg("param"), py::arg("grad"), py::arg("acc"), py::arg("lr"), py::arg("eps"),
      "Keras 2 Adagrad step, in place");
}

}  // namespace tf
