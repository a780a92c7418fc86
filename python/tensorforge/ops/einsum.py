"""Differentiable ``einsum`` (TensorFlow's ``tf.einsum`` / NumPy's subscripts): explicit
(``"ab,bc->ac"``) or implicit (``"ab,bc"``: the indices seen once, sorted) outputs, any number of
operands. The gradient of operand k is itself an einsum of the output gradient with the other
operands, ``"out,others->k"``; an index only operand k has (summed away in the forward) comes
back by broadcasting. An ellipsis (``"...ij,...jk->...ik"``) stands for the same leading axes in
every operand that has it (right-aligned, as NumPy; their sizes must agree: broadcasting a size-1
axis against a larger one is refused, as is an index repeated within one operand, a diagonal).
Written on the array module, so NumPy and CuPy both run it.
"""
from .._xp import array_module
from ..autograd import Function, as_input_dtype
from ._args import array_arg, check_output_size, shape_str
from .basic import conj

__all__ = ["einsum"]


def parse(op, equation, shapes):
    """(input subscripts, output subscripts, {index: size}) of ``equation`` for ``shapes``."""
    if not isinstance(equation, str):
        raise TypeError(f"{op}: equation must be a string, got {type(equation).__name__}")
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"{op}: equation {equation!r} names {len(ins)} operands, got "
                         f"{len(shapes)}")
    if "." in eq:
        ins, out = _expand_ellipsis(op, equation, ins, out, bool(arrow), shapes)
    sizes = {}
    for k, (sub, shape) in enumerate(zip(ins, shapes)):
        if not sub.isalpha() or len(set(sub)) != len(sub):
            raise ValueError(f"{op}: operand {k}'s subscripts {sub!r} must be distinct letters "
                             f"(diagonals are not supported) in {equation!r}")
        if len(sub) != len(shape):
            raise ValueError(f"{op}: operand {k} has shape {shape_str(shape)} but subscripts "
                             f"{sub!r} in {equation!r}")
        for c, n in zip(sub, shape):
            if sizes.setdefault(c, n) != n:
                name = f"index {c!r}" if c in equation else "an ellipsis axis"
                raise ValueError(f"{op}: {name} has sizes {sizes[c]} and {n} in "
                                 f"{equation!r} for shapes "
                                 + ", ".join(shape_str(s) for s in shapes))
    if not arrow and "." not in eq:  # (with an ellipsis, _expand_ellipsis wrote it)
        counts = {}
        for c in "".join(ins):
            counts[c] = counts.get(c, 0) + 1
        out = "".join(sorted(c for c, n in counts.items() if n == 1))
    elif not (out == "" or out.isalpha()) or len(set(out)) != len(out) or \
            any(c not in sizes for c in out):
        raise ValueError(f"{op}: output subscripts {out!r} must be distinct letters of the "
                         f"inputs in {equation!r}")
    return ins, out, sizes


def _expand_ellipsis(op, equation, ins, out, explicit, shapes):
    """``ins`` and ``out`` with each "..." replaced by letters the equation does not use: an
    operand of rank r with n named indices gets the last r - n of the E ellipsis letters (E the
    most any operand has). The implicit output is the ellipsis axes, then the indices seen once
    (sorted), as NumPy."""
    def split(sub, what):
        """(before, "...", after), or None without an ellipsis."""
        if "." not in sub:
            return None
        if sub.count("...") != 1 or "." in sub.replace("...", ""):
            raise ValueError(f"{op}: {what} {sub!r} has a malformed ellipsis in {equation!r}")
        return sub.partition("...")

    used = set(c for c in equation if c.isalpha())
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    ranks = []
    for k, (sub, shape) in enumerate(zip(ins, shapes)):
        parts = split(sub, f"operand {k}'s subscripts")
        named = len(sub) - (3 if parts else 0)
        if parts and len(shape) < named:
            raise ValueError(f"{op}: operand {k} has shape {shape_str(shape)}, fewer axes than "
                             f"the {named} subscripts of {sub!r} in {equation!r}")
        ranks.append(len(shape) - named if parts else 0)
    E = max(ranks)
    if E > len(free):
        raise ValueError(f"{op}: {E} ellipsis axes need more letters than are free in {equation!r}")
    letters = "".join(free[:E])
    new_ins = []
    for sub, r in zip(ins, ranks):
        parts = split(sub, "subscripts")
        new_ins.append(parts[0] + letters[E - r:] + parts[2] if parts else sub)
    if explicit:
        parts = split(out, "output subscripts")
        if parts:
            out = parts[0] + letters + parts[2]
    else:
        counts = {}
        for c in "".join(ins).replace(".", ""):
            counts[c] = counts.get(c, 0) + 1
        out = letters + "".join(sorted(c for c, n in counts.items() if n == 1))
    return new_ins, out


class Einsum(Function):
    @staticmethod
    def forward(ctx, *arrays, ins=(), out=""):
        ctx.save_for_backward(*arrays)
        ctx.ins, ctx.out = ins, out
        return array_module(*arrays).einsum(",".join(ins) + "->" + out, *arrays, optimize=True)

    @staticmethod
    def backward(ctx, g):
        arrays = ctx.saved
        xp = array_module(g)
        grads = []
        for k, sub in enumerate(ctx.ins):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [(s, a) for j, (s, a) in enumerate(zip(ctx.ins, arrays)) if j != k]
            seen = set(ctx.out).union(*[set(s) for s, _ in others])
            kept = "".join(c for c in sub if c in seen)  # indices that only operand k had
            eq = ",".join([ctx.out] + [s for s, _ in others]) + "->" + kept
            # a complex product sends g times the other factors' conjugates back (Note
            # [complex gradients] in ops/complex.py)
            gk = xp.einsum(eq, g, *[conj(a) for _, a in others], optimize=True)
            if kept != sub:
                shape = [arrays[k].shape[i] if c in seen else 1 for i, c in enumerate(sub)]
                gk = xp.broadcast_to(gk.reshape(shape), arrays[k].shape)
            grads.append(as_input_dtype(xp.ascontiguousarray(gk), arrays[k].dtype))
        return tuple(grads)


def einsum(equation, *operands):
    op = "einsum"
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise TypeError(f"{op}: at least one operand is required")
    checked = [array_arg(op, f"operands[{i}]", t, "biufc") for i, t in enumerate(operands)]
    ins, out, sizes = parse(op, equation, [d.shape for _, d in checked])
    check_output_size(op, "the output", [sizes[c] for c in out], checked[0][1].itemsize)
    return Einsum.apply(*[t for t, _ in checked], ins=tuple(ins), out=out)
