"""exprjit — arithmetic expressions compiled once, evaluated over numpy arrays.

    >>> import numpy as np, exprjit
    >>> f = exprjit.compile("2*a + 3*b")
    >>> f(a=np.arange(3.0), b=1.5)
    array([4.5, 6.5, 8.5])
    >>> a, b = np.arange(3.0), 1.5
    >>> exprjit.evaluate("2*a + 3*b")          # like numexpr.evaluate: names from the caller
    array([4.5, 6.5, 8.5])

The language is exprjit's (docs/language.md): `^` is the power, `%` is C fmod,
comparisons give 1.0 or 0.0, `c ? a : b` is the conditional.  Inputs are float64 (other
real dtypes are converted; complex and non-numeric ones are a TypeError), broadcast like
numpy's operators; the result is a float64 array of the broadcast shape, or a float when
every input is a scalar.  The GIL is released while evaluating, and large arrays are
split over the library's threads.  An Expression pickles as its text and options and is
compiled again where it is unpickled (a worker process), the jit's builds shared through
its on-disk cache.
"""
import sys

import numpy as np

from . import _exprjit

__all__ = ["compile", "evaluate", "Expression", "ExprjitSyntaxError", "Error", "backends", "version",
           "compiled_in_this_process"]

Error = _exprjit.Error
version = _exprjit.version


class ExprjitSyntaxError(SyntaxError):
    """A text that is not a valid expression for the given variables: `msg`, `lineno`,
    `offset` (the column, 1-based, counting bytes) and `text` as SyntaxError has them."""


def backends():
    """The backends of this build (the first is the default)."""
    return list(_exprjit.backends())


def _as_float64(name, value):
    a = np.asarray(value)
    if a.dtype == np.float64:
        return a
    if a.dtype.kind in "biuf":  # bool, integers, other floats: converted exactly or rounded as numpy does
        return a.astype(np.float64)
    raise TypeError(f"exprjit: variable '{name}' has dtype {a.dtype}; exprjit evaluates real numbers "
                    "(float64; bool, integer and float arrays are converted)")


class Expression:
    """A compiled expression: call it with one value or array per variable."""

    def __init__(self, text, variables=None, backend=None, threads=0, tier=None):
        if variables is None:
            variables = _exprjit.variables_of(text)
        self._variables_arg = list(variables)
        self._backend_arg = backend or ""
        self._threads = threads
        self._tier = tier or ""
        self._c = _exprjit.Compiled(text, self._variables_arg, self._backend_arg, threads, self._tier)

    variables = property(lambda self: list(self._c.variables), doc="the order of positional arguments")
    used_variables = property(lambda self: list(self._c.used_variables), doc="the variables the text reads")
    backend = property(lambda self: self._c.backend)
    text = property(lambda self: self._c.text)
    how = property(lambda self: self._c.how, doc="how the code runs now (auto: which tier)")

    def __repr__(self):
        return f"exprjit.Expression({self.text!r}, variables={self.variables!r}, backend={self.backend!r})"

    def __reduce__(self):
        return (_unpickle, (self.text, self._variables_arg, self._backend_arg, self._threads, self._tier))

    def __call__(self, *args, **kwargs):
        names = self.variables
        if len(args) > len(names):
            raise TypeError(f"exprjit: {len(args)} positional arguments for {len(names)} variables {names}")
        values = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names:
                raise TypeError(f"exprjit: no variable '{k}' in {names}")
            if k in values:
                raise TypeError(f"exprjit: variable '{k}' given twice")
            values[k] = v
        missing = [n for n in names if n not in values]
        if missing:
            raise TypeError(f"exprjit: no value for {missing}")
        arrays = [_as_float64(n, values[n]) for n in names]
        if all(a.ndim == 0 for a in arrays):
            return self._c.scalar([float(a) for a in arrays])
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        cols = []
        for a in arrays:
            if a.shape != shape or not a.flags.c_contiguous or not a.flags.aligned:
                a = np.ascontiguousarray(np.broadcast_to(a, shape))
            cols.append(a.reshape(-1))
        out = np.empty(shape, dtype=np.float64)
        self._c.columns(cols, out.reshape(-1))
        return out


# What unpickling compiled in this process: an expression sent to a worker process many
# times (a Dask task each) is compiled there once.
_unpickled = {}


def _unpickle(text, variables, backend, threads, tier=""):
    key = (text, tuple(variables), backend, threads, tier)
    f = _unpickled.get(key)
    if f is None:
        f = _unpickled[key] = Expression(text, variables, backend, threads, tier)
    return f


def compiled_in_this_process():
    """How many distinct expressions unpickling has compiled in this process (each once)."""
    return len(_unpickled)


def compile(text, variables=None, backend=None, threads=0, tier=None):  # noqa: A001 (the module's verb)
    """Compiles text.  variables: the names in the order of positional arguments (default:
    those the text reads, in order of first use); backend: "vm" (default), "tree", "jit",
    "auto" (see backends()); threads: for large arrays (0: every core, 1: the calling
    thread); tier: for "auto", when the jit is built ("measured" default, "at-once",
    "never", "wait")."""
    return Expression(text, variables, backend, threads, tier)


_cache = {}


def evaluate(text, local_dict=None, global_dict=None, backend=None, threads=0):
    """Evaluates text like numexpr.evaluate: each variable's value from local_dict, then
    global_dict, which default to the caller's locals and globals."""
    if local_dict is None or global_dict is None:
        frame = sys._getframe(1)
        local_dict = frame.f_locals if local_dict is None else local_dict
        global_dict = frame.f_globals if global_dict is None else global_dict
    key = (text, backend, threads)
    f = _cache.get(key)
    if f is None:
        f = _cache[key] = Expression(text, None, backend, threads)
    values = []
    for n in f.variables:
        if n in local_dict:
            values.append(local_dict[n])
        elif n in global_dict:
            values.append(global_dict[n])
        else:
            raise NameError(f"exprjit: name '{n}' is not defined")
    return f(*values)
