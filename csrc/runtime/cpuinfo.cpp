// What the running CPU reports about its data caches (tf/cpuinfo.h). Compiled once, baseline flags.
//
// Order of sources: CPUID's deterministic cache parameters (leaf 4 on Intel, leaf 0x8000001D on
// AMD with TOPOEXT; both give ways x partitions x line size x sets, and how many logical CPUs
// share the cache), then Linux sysfs (/sys/devices/system/cpu/cpu0/cache/index*/), then
// defaults of a common x86 core (32 KiB L1d, 512 KiB L2, 8 MiB L3). A hypervisor may report
// fewer or other levels than the host has; the numbers here are what the kernels are tuned to.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define TF_CPUID 1
#endif

#include "tf/cpuinfo.h"

namespace tf {

namespace {

#ifdef TF_CPUID
bool cpuid_caches(CpuCaches& c) {
  unsigned a, b, cx, d;
  if (!__get_cpuid(0, &a, &b, &cx, &d)) return false;
  const unsigned max_leaf = a;
  const bool amd = b == 0x68747541u;  // "Auth"enticAMD
  unsigned leaf = 0;
  if (amd) {
    if (!__get_cpuid(0x80000000u, &a, &b, &cx, &d) || a < 0x8000001Du) return false;
    __get_cpuid(0x80000001u, &a, &b, &cx, &d);
    if (!(cx & (1u << 22))) return false;  // TOPOEXT: leaf 0x8000001D is valid
    leaf = 0x8000001Du;
  } else {
    if (max_leaf < 4) return false;
    leaf = 4;
  }
  bool any = false;
  for (unsigned i = 0; i < 16; ++i) {
    __cpuid_count(leaf, i, a, b, cx, d);
    const unsigned type = a & 0x1F;  // 0: no more caches, 1: data, 2: instruction, 3: unified
    if (type == 0) break;
    if (type == 2) continue;
    const unsigned level = (a >> 5) & 0x7;
    const long ways = ((b >> 22) & 0x3FF) + 1, parts = ((b >> 12) & 0x3FF) + 1;
    const long line = (b & 0xFFF) + 1, sets = (long)cx + 1;
    const long size = ways * parts * line * sets;
    const int sharing = (int)((a >> 14) & 0xFFF) + 1;
    if (level == 1) { c.l1d = size; c.line = (int)line; c.l1d_ways = (int)ways; }
    else if (level == 2) { c.l2 = size; c.l2_sharing = sharing; c.l2_ways = (int)ways; }
    else if (level == 3) { c.l3 = size; c.l3_sharing = sharing; }
    any = true;
  }
  return any && c.l1d > 0;
}
#endif

long read_size(const std::string& path) {  // sysfs "32K", "512K", "8192K", "1M"
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return 0;
  char buf[64] = {0};
  const bool ok = std::fgets(buf, sizeof buf, f) != nullptr;
  std::fclose(f);
  if (!ok) return 0;
  char* end = nullptr;
  long v = std::strtol(buf, &end, 10);
  if (end && (*end == 'K' || *end == 'k')) v <<= 10;
  else if (end && (*end == 'M' || *end == 'm')) v <<= 20;
  return v;
}

std::string read_line(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return "";
  char buf[256] = {0};
  const bool ok = std::fgets(buf, sizeof buf, f) != nullptr;
  std::fclose(f);
  if (!ok) return "";
  std::string s(buf);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

int count_cpus(const std::string& list) {  // "0-3,8" -> 5
  int n = 0;
  const char* p = list.c_str();
  while (*p) {
    char* end = nullptr;
    const long a = std::strtol(p, &end, 10);
    if (end == p) break;
    long b = a;
    p = end;
    if (*p == '-') b = std::strtol(p + 1, &end, 10), p = end;
    n += (int)(b - a + 1);
    if (*p == ',') ++p;
  }
  return n;
}

bool sysfs_caches(CpuCaches& c) {
  bool any = false;
  for (int i = 0; i < 16; ++i) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    const std::string type = read_line(dir + "type");
    if (type.empty()) break;
    if (type == "Instruction") continue;
    const int level = std::atoi(read_line(dir + "level").c_str());
    const long size = read_size(dir + "size");
    const int sharing = std::max(1, count_cpus(read_line(dir + "shared_cpu_list")));
    if (size <= 0) continue;
    const int ways = std::atoi(read_line(dir + "ways_of_associativity").c_str());
    if (level == 1) { c.l1d = size; c.l1d_ways = ways; }
    else if (level == 2) { c.l2 = size; c.l2_sharing = sharing; c.l2_ways = ways; }
    else if (level == 3) { c.l3 = size; c.l3_sharing = sharing; }
    any = true;
  }
  return any && c.l1d > 0;
}

CpuCaches detect() {
  CpuCaches c;
#ifdef TF_CPUID
  if (cpuid_caches(c)) { c.source = "cpuid"; }
  else
#endif
  if (sysfs_caches(c)) { c.source = "sysfs"; }
  else { c.source = "default"; }
  if (c.l1d <= 0) c.l1d = 32 << 10;
  if (c.l2 <= 0) c.l2 = 512 << 10;
  if (c.l3 <= 0) c.l3 = 8 << 20, c.l3_sharing = 1;  // no L3 reported: assume a modest one
  if (c.line <= 0) c.line = 64;
  if (c.l1d_ways <= 0) c.l1d_ways = 8;
  if (c.l2_ways <= 0) c.l2_ways = 8;
  return c;
}

}  // namespace

const CpuId& cpu_id() {
  static const CpuId id = [] {
    CpuId r;
#ifdef TF_CPUID
    unsigned a, b, c, d;
    if (__get_cpuid(0, &a, &b, &c, &d)) {
      std::memcpy(r.vendor, &b, 4);
      std::memcpy(r.vendor + 4, &d, 4);
      std::memcpy(r.vendor + 8, &c, 4);
    }
    if (__get_cpuid(1, &a, &b, &c, &d)) {
      const int fam = (a >> 8) & 0xF, ext_fam = (a >> 20) & 0xFF;
      const int mod = (a >> 4) & 0xF, ext_mod = (a >> 16) & 0xF;
      r.family = fam == 0xF ? fam + ext_fam : fam;
      r.model = (fam == 0x6 || fam == 0xF) ? (ext_mod << 4) + mod : mod;
    }
    if (__get_cpuid(0x80000000u, &a, &b, &c, &d) && a >= 0x80000004u) {
      unsigned* w = reinterpret_cast<unsigned*>(r.brand);
      for (unsigned q = 0; q < 3; ++q)
        __get_cpuid(0x80000002u + q, w + 4 * q, w + 4 * q + 1, w + 4 * q + 2, w + 4 * q + 3);
      r.brand[48] = 0;
    }
    r.zmm_half_rate = std::strcmp(r.vendor, "AuthenticAMD") == 0 && r.family == 0x19;
    r.ymm_half_rate = (std::strcmp(r.vendor, "AuthenticAMD") == 0 && r.family == 0x17 && r.model < 0x30) ||
                      (std::strcmp(r.vendor, "HygonGenuine") == 0 && r.family == 0x18);
#endif
    return r;
  }();
  return id;
}

const CpuCaches& cpu_caches() {
  static const CpuCaches c = detect();
  return c;
}

}  // namespace tf
