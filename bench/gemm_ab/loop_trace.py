"""Per-chunk timeline of the packed path's pool loops (gemm13): where a 2-thread call idles.

  python3 bench/gemm_ab/loop_trace.py patch CHECKOUT DEST   # DEST/csrc = CHECKOUT's, traced
  OUT=/tmp/tr ISA=avx512 bench/gemm_ab/build.sh /work/base DEST
  TRACE=/tmp/t.txt ONLY=2 T=2 /tmp/tr/ab 2048 2048 2048 0 0 10   # ONLY=2: the traced side alone
  python3 bench/gemm_ab/loop_trace.py report /tmp/t.txt [--loop L]

`patch` copies CHECKOUT's csrc and wraps packed_run's pool loops (csrc/cpu/gemm_packed.cpp) so
that every chunk records (kind: 1 compute, 2 this block's B pack, 3 next block's B pack; loop;
chunk; thread; CLOCK_MONOTONIC start and end) and every loop its own start and end; the records
are written to $TRACE at exit. `report` prints per block of B: the loop's wall time, the busy time
(all chunks, all threads) and the idle thread time 2 x wall - busy, medians over the loops whose
busy time is within 4% of that block's least (loops in which no thread was slowed); --loop L
prints that loop's chunks. The idle includes the wake-up of a sleeping helper and each thread's
wait for B panels.
"""
import collections
import shutil
import statistics
import sys
from pathlib import Path

PRELUDE = r'''#include <vector>
#include <cstdio>
#include <ctime>
#include <cstdlib>
namespace trc {
struct Ev { int kind; int loop; long chunk; int tid; double t0, t1; };
static Ev evs[1 << 20];
static std::atomic<long> nev{0};
static std::atomic<int> nloop{0};
static std::atomic<int> ntid{0};
thread_local int mytid = -1;
inline double now() { timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + 1e-9 * ts.tv_nsec; }
inline int tid() { if (mytid < 0) mytid = ntid.fetch_add(1); return mytid; }
inline void add(int kind, int loop, long chunk, double t0, double t1) {
  long i = nev.fetch_add(1); if (i < (1 << 20)) evs[i] = {kind, loop, chunk, tid(), t0, t1}; }
struct Dump { ~Dump() { const char* f = getenv("TRACE"); if (!f) return; FILE* o = fopen(f, "w");
  long n = std::min<long>(nev.load(), 1 << 20);
  for (long i = 0; i < n; ++i) fprintf(o, "%d %d %ld %d %.9f %.9f\n", evs[i].kind, evs[i].loop, evs[i].chunk, evs[i].tid, evs[i].t0, evs[i].t1);
  fclose(o); } } dump;
}
'''

EDITS = [
    ('    parallel_chunks(nown + g.count() + nnext, ntc, [&](index_t c) {\n      if (c < nown) return pack(b, c);',
     '    const int loopid = trc::nloop.fetch_add(1);\n    const double tl0 = trc::now();\n'
     '    parallel_chunks(nown + g.count() + nnext, ntc, [&](index_t c0) {\n'
     '      struct Fin { int l; long c; double t; int k; ~Fin() { trc::add(k, l, c, t, trc::now()); } }'
     ' fin{loopid, (long)c0, trc::now(), 1};\n'
     '      index_t c = c0;\n      if (c < nown) { fin.k = 2; return pack(b, c); }'),
    ('      if (c >= g.count()) return pack(b + 1, c - g.count());',
     '      if (c >= g.count()) { fin.k = 3; return pack(b + 1, c - g.count()); }'),
    ('    });\n  }\n}\n\n// Few rows', '    });\n    trc::add(0, loopid, b, tl0, trc::now());\n  }\n}\n\n// Few rows'),
]


def patch(src, dest):
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(Path(src) / "csrc", dest / "csrc")
    f = dest / "csrc/cpu/gemm_packed.cpp"
    s = f.read_text()
    s = s.replace("#include <vector>\n", PRELUDE, 1)
    for old, new in EDITS:
        if old not in s:
            sys.exit(f"loop_trace: {f} no longer has the expected packed_run loop; update EDITS")
        s = s.replace(old, new)
    f.write_text(s)
    print(f"traced copy in {dest}")


def load(path):
    loops, chunks = {}, collections.defaultdict(list)
    for line in open(path):
        k, l, c, t, t0, t1 = line.split()
        if k == "0":
            loops[int(l)] = (int(c), float(t0), float(t1))
        else:
            chunks[int(l)].append((int(k), int(c), int(t), float(t0), float(t1)))
    return loops, chunks


def report(path, loop=None):
    loops, chunks = load(path)
    if loop is not None:
        b, s, e = loops[loop]
        print(f"loop {loop} (block {b}) {1e3 * (e - s):.3f} ms")
        for k, c, t, t0, t1 in sorted(chunks[loop], key=lambda x: x[3]):
            print(f"  {'?CPN'[k]} chunk {c:3d} thread {t} {1e3 * (t0 - s):8.3f} - {1e3 * (t1 - s):8.3f}"
                  f" ({1e3 * (t1 - t0):.3f})")
        return
    per = collections.defaultdict(list)
    for l, (b, s, e) in loops.items():
        busy = sum(x[4] - x[3] for x in chunks[l])
        per[b].append((1e3 * (e - s), 1e3 * busy, len({x[2] for x in chunks[l]})))
    tw = ti = 0.0
    for b in sorted(per):
        least = min(x[1] for x in per[b])
        good = [x for x in per[b] if x[1] <= 1.04 * least and x[2] > 1]
        if not good:
            print(f"block {b}: no undisturbed 2-thread loop of {len(per[b])}")
            continue
        w = statistics.median(x[0] for x in good)
        idle = statistics.median(2 * x[0] - x[1] for x in good)
        tw, ti = tw + w, ti + idle
        print(f"block {b}: {len(good)}/{len(per[b])} loops, wall {w:.3f} ms, busy "
              f"{statistics.median(x[1] for x in good):.3f}, idle {idle:.3f} ms")
    if tw:
        print(f"all blocks: wall {tw:.3f} ms, idle {ti:.3f} ms = {100 * ti / (2 * tw):.2f}% of 2 x wall")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "patch":
        patch(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == "report":
        report(sys.argv[2], int(sys.argv[4]) if len(sys.argv) >= 5 and sys.argv[3] == "--loop" else None)
    else:
        sys.exit(__doc__)
