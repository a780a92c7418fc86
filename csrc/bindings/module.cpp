// The _C extension module: CPU ISA selection, threads, version, and one registration call per
// op family. Bindings are thin: check arguments, allocate outputs, release the GIL, call a kernel.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "tf/bind_util.h"
#include "tf/isa.h"
#include "tf/workspace.h"

#ifndef TF_VERSION
#define TF_VERSION "0.0.0"
#endif

namespace tf {

namespace bind {
void check_output_size(const char* op, const char* what, const std::vector<py::ssize_t>& shape,
                       py::ssize_t itemsize) {
  // half the memory available now; 0 when unknown (then only overflow is checked)
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  const double mem = pages > 0 && page > 0 ? 0.5 * (double)pages * (double)page : 0.0;
  double bytes = (double)itemsize;
  for (py::ssize_t s : shape) bytes *= (double)s;
  if (bytes > 9.0e18 || (mem > 0 && bytes > mem)) {
    std::ostringstream sh;
    sh << "(";
    for (size_t i = 0; i < shape.size(); ++i) sh << (i ? ", " : "") << shape[i];
    sh << ")";
    value_error(op, what, " would have shape ", sh.str(), " (", bytes / 1e9,
                " GB), more than half the memory available");
  }
}
}  // namespace bind

// Note [thread bound]: OpenMP itself accepts any thread count, but a team of many thousands of
// threads exhausts stacks and per-thread scratch (set_num_threads(16384) aborted, 65536 crashed
// in the Winograd conv). set_num_threads refuses more than kMaxThreads, and a larger
// OMP_NUM_THREADS is lowered to it at import (with a warning).
constexpr int kMaxThreads = 1024;

namespace {
Isa g_active = Isa::generic;

bool cpu_supports(Isa isa) {
#if defined(TF_X86) && (defined(__GNUC__) || defined(__clang__))
  // __builtin_cpu_supports also checks that the OS saves the wider registers (XGETBV).
  switch (isa) {
    case Isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("fma");
    case Isa::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    default:
      return true;
  }
#else
  return isa == Isa::generic;
#endif
}

bool compiled(Isa isa) {
  switch (isa) {
#ifdef TF_HAVE_ISA_avx512
    case Isa::avx512: return true;
#endif
#ifdef TF_HAVE_ISA_avx2
    case Isa::avx2: return true;
#endif
    case Isa::generic: return true;
    default: return false;
  }
}

bool parse_isa(const std::string& s, Isa& out) {
  if (s == "generic") { out = Isa::generic; return true; }
  if (s == "avx2") { out = Isa::avx2; return true; }
  if (s == "avx512") { out = Isa::avx512; return true; }
  return false;
}
}  // namespace

Isa best_supported_isa() {
  for (Isa isa : {Isa::avx512, Isa::avx2})
    if (compiled(isa) && cpu_supports(isa)) return isa;
  return Isa::generic;
}
Isa active_isa() { return g_active; }
bool set_active_isa(Isa isa) {
  if (!compiled(isa) || !cpu_supports(isa)) return false;
  g_active = isa;
  return true;
}
const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    default: return "generic";
  }
}

void bind_core(pybind11::module_& m) {
  namespace py = pybind11;
  g_active = best_supported_isa();
  // TENSORFORGE_ISA=generic|avx2|avx512 forces a (supported) lower path, e.g. to test it.
  if (const char* env = std::getenv("TENSORFORGE_ISA")) {
    Isa want;
    if (parse_isa(env, want) && !set_active_isa(want))
      PyErr_WarnFormat(PyExc_RuntimeWarning, 1,
                       "tensorforge: TENSORFORGE_ISA=%s is not supported here; using %s", env,
                       isa_name(g_active));
  }
#ifdef _OPENMP
  if (omp_get_max_threads() > kMaxThreads) {
    PyErr_WarnFormat(PyExc_RuntimeWarning, 1,
                     "tensorforge: %d OpenMP threads requested (OMP_NUM_THREADS); using at most %d",
                     omp_get_max_threads(), kMaxThreads);
    omp_set_num_threads(kMaxThreads);
  }
#endif
  m.attr("__version__") = TF_VERSION;
  m.attr("MAX_THREADS") = kMaxThreads;
  m.def("isa", [] { return std::string(isa_name(active_isa())); }, "ISA path the kernels use now");
  m.def("best_isa", [] { return std::string(isa_name(best_supported_isa())); });
  m.def("supported_isas", [] {
    py::list l;
    for (Isa isa : {Isa::generic, Isa::avx2, Isa::avx512})
      if (compiled(isa) && cpu_supports(isa)) l.append(isa_name(isa));
    return l;
  });
  m.def("_set_isa", [](const std::string& name) {
    Isa want;
    if (!parse_isa(name, want))
      throw py::value_error("_set_isa: isa must be 'generic', 'avx2' or 'avx512', got '" + name + "'");
    if (!set_active_isa(want))
      throw py::value_error("_set_isa: '" + name + "' is not supported by this CPU or build");
  });
  m.def("openmp", [] {
#ifdef TF_HAVE_OPENMP
    return true;
#else
    return false;
#endif
  });
  m.def("get_num_threads", [] {
#ifdef _OPENMP
    const int want = bind::requested_threads().load();
    return want > 0 ? want : omp_get_max_threads();
#else
    return 1;
#endif
  });
  m.def("set_num_threads", [](long long n) {
    if (n < 1 || n > kMaxThreads)
      throw py::value_error("set_num_threads: n must be in [1, " + std::to_string(kMaxThreads) +
                            "] (Note [thread bound]), got " + std::to_string(n));
#ifdef _OPENMP
    omp_set_num_threads((int)n);
    bind::requested_threads().store((int)n);  // Note [thread count per Python thread]
#endif
  });
  m.def("release_workspaces", [] { release_workspaces(); },
        "Free the kernels' cached scratch buffers (each thread frees its own at its next call); "
        "Note [workspace]");
}

}  // namespace tf

PYBIND11_MODULE(_C, m) {
  m.doc() = "tensorforge CPU kernels (OpenMP + SIMD, ISA picked at import)";
  tf::bind_core(m);
  tf::bind_gemm(m);
  tf::bind_conv(m);
  tf::bind_pool(m);
  tf::bind_rnn(m);
  tf::bind_pointwise(m);
  tf::bind_optim(m);
}
