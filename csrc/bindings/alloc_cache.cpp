// NumPy's data allocator -> the cache of large freed blocks (tf/alloc_cache.h, Note [large array
// page faults]), installed when _C is imported unless TENSORFORGE_ALLOC_CACHE=0.
//
// Note [allocator context]: PyDataMem_SetHandler (NumPy >= 1.22) sets the handler in a context
// variable, i.e. for the calling thread's current context: the thread that imports tensorforge
// and the asyncio tasks it starts later (they copy its context) allocate through the cache; a
// thread started later with threading.Thread begins with an empty context and so with NumPy's
// default handler (Python < 3.14, or without thread_inherit_context), until it calls
// tensorforge.backend.enable_alloc_cache() itself, and a Jupyter cell may run in a fresh copy
// of the context (ipykernel issues 749, 1457). So the training loop (run_epochs) installs it
// again in its own context, unless the program chose another handler there. Every array
// records the handler that allocated it and is freed by that one, so arrays of both kinds mix
// safely. The kernels' pool threads never allocate arrays: a kernel's output is allocated by the
// binding on the calling thread. tensorforge starts no Python thread that allocates arrays
// (fit's `workers` make batches in-process; distributed's watchdog only watches).
//
// NumPy's C API comes from its headers (numpy is in [build-system] requires) built for the
// oldest NumPy that has the handler API (NPY_TARGET_VERSION = 1.22), so a build against NumPy 2
// headers imports with any NumPy >= 1.22; with an older one import_array fails and the cache is
// simply off (backend_info says why).
#include "tf/bind_util.h"

#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#define NPY_TARGET_VERSION NPY_1_22_API_VERSION
#include <numpy/arrayobject.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "tf/alloc_cache.h"

namespace tf {

namespace {

void* h_malloc(void*, size_t n) { return alloc_cache_malloc(n); }
void* h_calloc(void*, size_t nelem, size_t elsize) { return alloc_cache_calloc(nelem, elsize); }
void* h_realloc(void*, void* p, size_t n) { return alloc_cache_realloc(p, n); }
void h_free(void*, void* p, size_t size) { alloc_cache_free(p, size); }

PyDataMem_Handler g_handler = {
    "tensorforge_alloc_cache", 1, {nullptr, h_malloc, h_calloc, h_realloc, h_free}};
PyObject* g_capsule = nullptr;  // one reference held forever: arrays keep the capsule alive too
std::string g_off_reason;       // why the cache is not available ("" when it is)

bool env_off() {
  const char* e = std::getenv("TENSORFORGE_ALLOC_CACHE");
  if (!e) return false;
  const std::string v(e);
  return v == "0" || v == "off" || v == "false" || v == "no";
}

// Whether the calling context's NumPy handler is ours.
bool installed_here() {
  if (!g_capsule) return false;
  PyObject* h = PyDataMem_GetHandler();
  if (!h) {
    PyErr_Clear();
    return false;
  }
  const bool ours = h == g_capsule;
  Py_DECREF(h);
  return ours;
}

// Make the cache the calling context's handler (Note [allocator context]); false when off, or
// when `over_default_only` and the context has a handler other than NumPy's default (a
// program's own choice, kept).
bool install_here(bool over_default_only = false) {
  if (!g_capsule) return false;
  PyObject* cur = PyDataMem_GetHandler();
  if (!cur) throw pybind11::error_already_set();
  const auto* h = static_cast<const PyDataMem_Handler*>(PyCapsule_GetPointer(cur, "mem_handler"));
  const bool ours = cur == g_capsule;
  const bool other = !ours && (!h || std::strcmp(h->name, "default_allocator") != 0);
  Py_DECREF(cur);
  if (!h) PyErr_Clear();
  if (ours) return true;
  if (over_default_only && other) return false;
  PyObject* old = PyDataMem_SetHandler(g_capsule);
  if (!old) throw pybind11::error_already_set();
  Py_DECREF(old);
  return true;
}

}  // namespace

void bind_alloc_cache(pybind11::module_& m) {
  namespace py = pybind11;
  if (env_off()) {
    g_off_reason = "off (TENSORFORGE_ALLOC_CACHE=0)";
  } else if (!alloc_cache_available()) {
    g_off_reason = "off (no mmap on this platform)";
  } else if (_import_array() < 0) {  // NumPy older than 1.22, or not importable
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    std::string why = "NumPy's C API unavailable";
    if (value) {
      if (PyObject* s = PyObject_Str(value)) {
        if (const char* c = PyUnicode_AsUTF8(s)) why = c;
        Py_DECREF(s);
      }
    }
    PyErr_Clear();
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    g_off_reason = "off (" + why + ")";
  } else {
    // The handler current now (NumPy's default) serves what is not ours; its capsule is kept
    // alive forever with it.
    PyObject* prev = PyDataMem_GetHandler();
    if (!prev) throw py::error_already_set();
    const auto* ph = static_cast<const PyDataMem_Handler*>(PyCapsule_GetPointer(prev, "mem_handler"));
    if (!ph) throw py::error_already_set();
    const PyDataMemAllocator& a = ph->allocator;
    alloc_cache_set_fallback({a.ctx, a.malloc, a.calloc, a.realloc, a.free});
    g_capsule = PyCapsule_New(&g_handler, "mem_handler", nullptr);
    if (!g_capsule) throw py::error_already_set();
    install_here();
  }

  m.def("alloc_cache_info", [] {
    const AllocCacheStats s = alloc_cache_stats();
    py::dict d;
    d["available"] = g_capsule != nullptr;
    d["installed"] = installed_here();
    d["off_reason"] = g_off_reason;
    d["min_bytes"] = s.min_bytes;
    d["cap_bytes"] = s.cap_bytes;
    d["cached_bytes"] = s.cached_bytes;
    d["cached_blocks"] = s.cached_blocks;
    d["live_bytes"] = s.live_bytes;
    d["live_blocks"] = s.live_blocks;
    d["hits"] = s.hits;
    d["misses"] = s.misses;
    d["evictions"] = s.evictions;
    d["expired"] = s.expired;
    d["peak_live_bytes"] = s.peak_live_bytes;
    d["max_age_s"] = (double)s.max_age_ns * 1e-9;
    return d;
  }, "The cache of large freed array blocks (Note [large array page faults]): whether it is "
     "NumPy's handler in the calling context, its threshold, cap and age limit, what it holds, "
     "hits/misses/evictions (expired: those for the age limit)");
  m.def("alloc_cache_clear", [] { alloc_cache_clear(); },
        "Unmap every free block the array cache holds (arrays in use are untouched)");
  m.def("alloc_cache_install", [](bool over_default_only) { return install_here(over_default_only); },
        py::arg("over_default_only") = false,
        "Make the array cache NumPy's allocator in the calling thread's context (Note [allocator "
        "context]); False when the cache is off (or, with over_default_only, when the context "
        "has a handler other than NumPy's default)");
  m.def("_alloc_cache_uninstall", [] {
    // Tests: NumPy's default handler for the calling context (arrays made meanwhile keep ours).
    if (!g_capsule) return;
    PyObject* old = PyDataMem_SetHandler(nullptr);
    if (!old) throw py::error_already_set();
    Py_DECREF(old);
  });
  m.def("_alloc_cache_configure", [](size_t min_bytes, size_t cap_bytes, double max_age_s) {
    alloc_cache_configure(min_bytes, cap_bytes, max_age_s < 0 ? -1 : (int64_t)(max_age_s * 1e9));
  }, py::arg("min_bytes"), py::arg("cap_bytes"), py::arg("max_age_s") = -1.0,
     "Tests and measurements: threshold, cap and (when >= 0) the age limit in seconds");
}

}  // namespace tf
