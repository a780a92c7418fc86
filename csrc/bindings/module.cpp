// The _C extension module: CPU ISA selection, threads, version, and one registration call per
// op family. Bindings are thin: check arguments, allocate outputs, release the GIL, call a kernel.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tf/bind_util.h"
#include "tf/cpuinfo.h"
#include "tf/gemm.h"
#include "tf/parallel.h"
#include "tf/isa.h"
#include "tf/workspace.h"

#ifndef TF_VERSION
#define TF_VERSION "0.0.0"
#endif

namespace tf {

namespace bind {
// The integer in a /proc or /sys file (the number after `key` when given), or -1.
static double read_number(const char* path, const char* key) {
  FILE* f = std::fopen(path, "r");
  if (!f) return -1.0;
  char line[256];
  double v = -1.0;
  const size_t klen = key ? std::strlen(key) : 0;
  while (std::fgets(line, sizeof line, f)) {
    if (key && std::strncmp(line, key, klen) != 0) continue;
    char* end = nullptr;
    const double x = std::strtod(line + klen, &end);
    if (end != line + klen) v = x;
    break;
  }
  std::fclose(f);
  return v;
}

// Bytes a new allocation can take: MemAvailable (free memory plus reclaimable page cache),
// capped by the cgroup v2 limit's headroom when there is one; MemFree when /proc/meminfo is
// unreadable; -1 when unknown. The same rule as kernels/_common._available_memory.
static double available_memory() {
  const double kb = read_number("/proc/meminfo", "MemAvailable:");
  double avail = kb >= 0 ? kb * 1024.0 : -1.0;
  if (avail < 0) {
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages >= 0 && page > 0) avail = (double)pages * (double)page;
  }
  const double cap = read_number("/sys/fs/cgroup/memory.max", nullptr);  // "max": no limit
  const double used = read_number("/sys/fs/cgroup/memory.current", nullptr);
  if (cap >= 0 && used >= 0) {
    const double room = cap > used ? cap - used : 0.0;
    avail = avail >= 0 ? std::min(avail, room) : room;
  }
  return avail;
}

void check_output_size(const char* op, const char* what, const std::vector<py::ssize_t>& shape,
                       py::ssize_t itemsize) {
  // The limit is TENSORFORGE_MAX_OUTPUT_BYTES when set, else the memory available now (when
  // unknown, only overflow is checked); outputs up to 1 GiB are never refused. The same rule as
  // kernels/_common.check_output_size on the Python side.
  double bytes = (double)itemsize;
  for (py::ssize_t s : shape) bytes *= (double)s;
  double limit = -1.0;
  if (bytes > 1073741824.0) {
    const char* cap = std::getenv("TENSORFORGE_MAX_OUTPUT_BYTES");
    char* end = nullptr;
    const double c = cap && *cap ? std::strtod(cap, &end) : 0.0;
    limit = cap && *cap && end && *end == '\0' && c > 0 ? c : available_memory();
  }
  if (bytes > 9.0e18 || (limit >= 0 && bytes > limit)) {
    std::ostringstream sh;
    sh << "(";
    for (size_t i = 0; i < shape.size(); ++i) sh << (i ? ", " : "") << shape[i];
    sh << ")";
    value_error(op, what, " would have shape ", sh.str(), " (", bytes / 1e9,
                " GB), more than the memory available (or TENSORFORGE_MAX_OUTPUT_BYTES)");
  }
}
}  // namespace bind

// Note [thread bound]: a team of many thousands of threads exhausts stacks and per-thread
// scratch (under OpenMP, set_num_threads(16384) aborted and 65536 crashed in the Winograd conv),
// and the thread pool holds the count of a loop's threads in 8 bits of its claim word, so it
// runs at most 255 (kMaxThreads in csrc/runtime/parallel.cpp; keep the two equal).
// set_num_threads refuses more than kMaxThreads, and a larger TENSORFORGE_NUM_THREADS /
// OMP_NUM_THREADS is lowered to it at start (with a warning at import).
constexpr int kMaxThreads = 255;

// The thread count the environment asks for (TENSORFORGE_NUM_THREADS wins over
// OMP_NUM_THREADS, as in the pool), or 0 when neither is a positive integer.
static long long env_threads() {
  long long n = 0;
  for (const char* name : {"OMP_NUM_THREADS", "TENSORFORGE_NUM_THREADS"}) {
    const char* s = std::getenv(name);
    if (!s || !*s) continue;
    char* end = nullptr;
    const long long v = std::strtoll(s, &end, 10);
    if (end != s && v > 0) n = v;
  }
  return n;
}

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
  if (const long long want = env_threads(); want > kMaxThreads)  // the pool took the bound
    PyErr_WarnFormat(PyExc_RuntimeWarning, 1,
                     "tensorforge: %lld threads requested (TENSORFORGE_NUM_THREADS / OMP_NUM_THREADS); "
                     "using at most %d",
                     want, kMaxThreads);
  if (pool_threads() > kMaxThreads) pool_set_threads(kMaxThreads);
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
  m.def("get_num_threads", [] { return pool_threads(); });
  m.def("set_num_threads", [](long long n) {
    if (n < 1 || n > kMaxThreads)
      throw py::value_error("set_num_threads: n must be in [1, " + std::to_string(kMaxThreads) +
                            "] (Note [thread bound]), got " + std::to_string(n));
    pool_set_threads((int)n);
  });
  m.def("cpu_info", [] {  // backend_info(): the CPU, its caches and the GEMM blocking chosen
    const CpuCaches& c = cpu_caches();
    const CpuId& id = cpu_id();
    index_t b[5];
    sgemm_blocking(b);
    py::dict d;
    d["vendor"] = std::string(id.vendor);
    d["brand"] = std::string(id.brand);
    d["family"] = id.family;
    d["model"] = id.model;
    d["zmm_half_rate"] = id.zmm_half_rate;
    d["ymm_half_rate"] = id.ymm_half_rate;
    d["l1d"] = c.l1d;
    d["l2"] = c.l2;
    d["l3"] = c.l3;
    d["l2_sharing"] = c.l2_sharing;
    d["l2_ways"] = c.l2_ways;
    d["l3_sharing"] = c.l3_sharing;
    d["cache_source"] = std::string(c.source);
    d["sgemm_mr"] = b[0];
    d["sgemm_nr"] = b[1];
    d["sgemm_kc"] = b[2];
    d["sgemm_mc"] = b[3];
    d["sgemm_nc"] = b[4];
    return d;
  });
  m.def("pool_backoffs", [] { return pool_backoffs(); },
        "Loops the thread pool ran alone after a straggling helper (Note [straggler backoff])");
  m.def("pool_pins", [] { return pool_pins(); },
        "Times a pool helper was pinned to a CPU off the caller's (Note [helpers pinned off the "
        "caller's cpu])");
  m.def("release_workspaces", [] { release_workspaces(); },
        "Free the kernels' cached scratch buffers (each thread frees its own at its next call); "
        "Note [workspace]");
}

// The Dense layer's fused backward (csrc/bindings/dense.cpp).
void bind_dense(pybind11::module_& m);
// Conv2DTranspose with kernel == stride, forward (csrc/bindings/convt_taps.cpp).
void bind_convt_taps(pybind11::module_& m);
// The projective image transform (csrc/bindings/image.cpp).
void bind_image(pybind11::module_& m);

}  // namespace tf

PYBIND11_MODULE(_C, m) {
  m.doc() = "tensorforge CPU kernels (SIMD, own thread pool, ISA picked at import)";
  tf::bind_core(m);
  tf::bind_alloc_cache(m);  // first: the arrays made from here on use it
  tf::bind_gemm(m);
  tf::bind_conv(m);
  tf::bind_conv_depthwise(m);
  tf::bind_pool(m);
  tf::bind_rnn(m);
  tf::bind_pointwise(m);
  tf::bind_optim(m);
  tf::bind_norm(m);
  tf::bind_embedding(m);
  tf::bind_dense(m);
  tf::bind_convt_taps(m);
  tf::bind_image(m);
}
