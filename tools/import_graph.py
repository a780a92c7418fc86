"""The import graph of the tensorforge package, read from the sources (ast), and its circles.

    python3 tools/import_graph.py            # circle sizes, the largest circle's modules
    python3 tools/import_graph.py --lines    # also the modules over 800 lines
    python3 tools/import_graph.py --root OTHER/python/tensorforge   # another checkout's

Two graphs:
- needs (the default): an edge A -> B is any import of B anywhere in A's file: module level or
  inside a function, and a by-name import whose name the source spells out
  (``importlib.import_module("tensorforge.x")``, ``importlib.import_module(__name__ + ".x")``,
  ``__import__(f"{__name__}.x")``): a deferred or by-name import still makes A need B, it only
  moves the moment.
- import time (``at_import=True``): what importing A runs: its imports outside function bodies,
  and with each, the packages above the imported module (importing ``pkg.sub.mod`` runs
  ``pkg/sub/__init__.py``), but the top package, which every import runs first.
tests/test_import_order.py enforces the bounds with these functions.
"""
import argparse
import ast
import os
import sys

PACKAGE = "tensorforge"
ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python", PACKAGE)
_NATIVE = ("_C", "_C_cuda")


def modules(root=ROOT):
    """{module name: path} of every module of the package (__main__ files run a program: left
    out)."""
    mods = {}
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for f in sorted(files):
            if f.endswith(".py") and f != "__main__.py":
                rel = os.path.relpath(os.path.join(d, f), root)[:-3].replace(os.sep, ".")
                rel = "" if rel == "__init__" else rel.removesuffix(".__init__")
                mods[PACKAGE + ("." + rel if rel else "")] = os.path.join(d, f)
    return mods


def _spelled(node, name):
    """The module name an import_module / __import__ argument spells out, else None: a string,
    ``__name__ + "..."`` or an f-string of ``__name__`` and text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id == "__name__":
        return name
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _spelled(node.left, name), _spelled(node.right, name)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = [_spelled(v.value if isinstance(v, ast.FormattedValue) else v, name)
                 for v in node.values]
        return None if None in parts else "".join(parts)
    return None


def _is_by_name(node):
    """A call ``importlib.import_module(...)`` / ``__import__(...)``."""
    if not isinstance(node, ast.Call) or not node.args:
        return False
    f = node.func
    return (isinstance(f, ast.Attribute) and f.attr == "import_module") or (
        isinstance(f, ast.Name) and f.id in ("import_module", "__import__"))


def _by_name(node, name):
    """The module a by-name import call names, else None."""
    return _spelled(node.args[0], name) if _is_by_name(node) else None


def unread(name, path):
    """The lines of ``name``'s by-name imports whose module the source does not spell out (a
    table lookup, a loop variable): edges neither graph holds."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    return [n.lineno for n in ast.walk(tree) if _is_by_name(n) and _by_name(n, name) is None]


def _at_import(tree):
    """The nodes of ``tree`` that run when the module is imported (not the function bodies)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(n for n in ast.iter_child_nodes(node)
                     if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))


def imports(name, path, mods, at_import=False):
    """The package modules ``name`` imports anywhere in its file (deferred and by-name imports
    too); with ``at_import``, those its import runs (See the module docstring)."""
    is_pkg = path.endswith("__init__.py")
    out = set()
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for node in (_at_import(tree) if at_import else ast.walk(tree)):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[:len(name.split(".")) - (node.level - (1 if is_pkg else 0))]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pkg import sub` imports the submodule pkg.sub; `from mod import name`, mod;
            # the native extensions (_C, _C_cuda) are no Python modules
            targets = [module + "." + a.name if module + "." + a.name in mods else module
                       for a in node.names if a.name not in _NATIVE]
        else:
            targets = [t for t in [_by_name(node, name)] if t is not None]
        for t in targets:
            while t not in mods and "." in t:  # a name inside a module, or an extension (_C)
                t = t.rsplit(".", 1)[0]
            if t in mods and t != name and t.startswith(PACKAGE):
                out.add(t)
            while at_import and t.count(".") > 1:  # the packages above it, but the top one
                t = t.rsplit(".", 1)[0]
                if t in mods and t != name and not name.startswith(t + "."):  # not its own
                    out.add(t)
    return out


def graph(mods=None, at_import=False):
    mods = modules() if mods is None else mods
    return {m: imports(m, p, mods, at_import) for m, p in mods.items()}


def circles(graph):
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(comp)
    return comps


def reach(graph, start):
    """Every module ``start`` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for w in graph[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", action="store_true", help="list the modules over 800 lines")
    ap.add_argument("--root", default=ROOT, help="the package folder (default: this checkout's)")
    args = ap.parse_args(argv)
    mods = modules(args.root)
    for title, at_import in (("needs", False), ("import time", True)):
        g = graph(mods, at_import)
        comps = sorted(circles(g), key=len, reverse=True)
        print(f"{title}: {len(mods)} modules, {sum(len(v) for v in g.values())} import edges")
        print("  circles (modules each):", [len(c) for c in comps] or "none")
        for c in comps:
            print(f"  circle of {len(c)}:")
            for m in sorted(c):
                print("    ", m, "->", ", ".join(sorted(w for w in g[m] if w in c)))
    print("by-name imports not read (module not spelled out in the source):")
    for m, p in mods.items():
        lines = unread(m, p)
        if lines:
            print(f"   {m}: line {', '.join(map(str, lines))}")
    if args.lines:
        sizes = sorted(((sum(1 for _ in open(p, encoding="utf-8")), m) for m, p in mods.items()),
                       reverse=True)
        print("modules over 800 lines:")
        for n, m in sizes:
            if n > 800:
                print(f"  {n:5d} {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
