"""The Python module through pytest: results against numpy and across backends, every
length around the block and part sizes, non-contiguous, misaligned and broadcast inputs,
dtypes, errors, the caller's frame, threads, pickling."""
import pickle
import threading

import numpy as np
import pytest

import exprjit

BACKENDS = exprjit.backends()
LENGTHS = [0, 1, 2, 63, 64, 65, 4095, 4096, 4097, 16383, 16384, 16385, 40000]


def same_bits(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all((a.view(np.uint64) == b.view(np.uint64)) | (np.isnan(a) & np.isnan(b))))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n", LENGTHS)
def test_lengths_against_numpy(backend, n):
    rng = np.random.default_rng(n)
    a, b = rng.uniform(-3, 3, n), rng.uniform(-3, 3, n)
    f = exprjit.compile("a*b + 2*a - b/3", backend=backend)
    assert same_bits(f(a, b), (a * b + 2 * a) - b / 3)  # the same IEEE operations, in the same order


@pytest.mark.parametrize("backend", BACKENDS)
def test_backends_agree_bit_for_bit(backend):
    rng = np.random.default_rng(7)
    a, b = rng.uniform(-10, 10, 5000), rng.uniform(-10, 10, 5000)
    text = "sin(a)^2 + cos(b)^2 + (a > b ? a : b) + hypot(a, b) - a % 1.5"
    want = exprjit.compile(text, backend="tree")(a, b)
    assert same_bits(exprjit.compile(text, backend=backend)(a, b), want)
    assert same_bits(exprjit.compile(text, backend=backend, threads=1)(a, b), want)


def test_scalars_give_a_float_and_arrays_broadcast():
    f = exprjit.compile("2*a + 3*b")
    assert isinstance(f(1.0, 2.0), float) and f(1.0, 2.0) == 8.0
    out = f(np.arange(3.0)[:, None], np.arange(4.0)[None, :])
    assert out.shape == (3, 4)
    assert same_bits(out, 2 * np.arange(3.0)[:, None] + 3 * np.arange(4.0)[None, :])
    assert same_bits(f(np.arange(3.0), 1.5), [4.5, 6.5, 8.5])
    assert f(a=np.float64(1), b=np.array(2.0)) == 8.0
    with pytest.raises(ValueError):
        f(np.arange(3.0), np.arange(4.0))  # shapes that do not broadcast


def test_non_contiguous_and_misaligned_inputs():
    f = exprjit.compile("a - b")
    base = np.arange(100.0)
    strided = base[::3]
    assert same_bits(f(strided, 1.0), strided - 1.0)
    raw = np.zeros(8 * 50 + 1, dtype=np.uint8)
    misaligned = np.frombuffer(raw.data, dtype=np.float64, count=50, offset=1)
    assert not misaligned.flags.aligned
    assert same_bits(f(misaligned, 2.0), misaligned - 2.0)
    fortran = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    assert same_bits(f(fortran, fortran.T.T), np.zeros((3, 4)))


def test_dtypes():
    f = exprjit.compile("a + 0.5")
    assert same_bits(f(np.arange(4)), np.arange(4) + 0.5)                          # int64
    assert same_bits(f(np.array([True, False])), [1.5, 0.5])                       # bool
    assert same_bits(f(np.arange(3, dtype=np.float32)), np.arange(3.0) + 0.5)     # float32
    with pytest.raises(TypeError, match="dtype complex128"):
        f(np.arange(3) + 1j)
    with pytest.raises(TypeError, match="dtype"):
        f(np.array(["x"]))


def test_compile_errors_are_syntax_errors_with_positions():
    with pytest.raises(SyntaxError) as e:
        exprjit.compile("1 +\n2 * q", variables=["a"])
    assert isinstance(e.value, exprjit.ExprjitSyntaxError)
    assert e.value.msg == "unknown variable 'q'"
    assert (e.value.lineno, e.value.offset) == (2, 5)
    with pytest.raises(SyntaxError) as e:
        exprjit.compile("2 * (a")
    assert "expected ')'" in e.value.msg and e.value.offset == 7
    with pytest.raises(SyntaxError, match="takes 1 argument"):
        exprjit.compile("sin(a, b)")
    with pytest.raises(exprjit.Error, match="unknown backend"):
        exprjit.compile("a", backend="nope")
    f = exprjit.compile("a + b")
    with pytest.raises(TypeError):
        f(1.0)
    with pytest.raises(TypeError):
        f(1.0, c=2.0)


def test_attributes():
    f = exprjit.compile("b*2 + a", variables=["a", "b", "c"])
    assert f.variables == ["a", "b", "c"]
    assert f.used_variables == ["a", "b"]
    assert f.text == "b*2 + a"
    assert f.backend == BACKENDS[0]
    assert f(1, 2, 99) == 5.0


def test_evaluate_reads_the_callers_frame():
    a = np.arange(4.0)
    b = 2.0
    assert same_bits(exprjit.evaluate("a*b"), a * 2)
    assert same_bits(exprjit.evaluate("a*b", local_dict={"a": 1.0, "b": 3.0}), 3.0)
    with pytest.raises(NameError, match="'zz'"):
        exprjit.evaluate("zz + 1")


def test_threads_share_one_expression():
    f = exprjit.compile("sqrt(abs(a)) * b + sin(a)")
    rng = np.random.default_rng(3)
    data = [(rng.uniform(-5, 5, 20000), rng.uniform(-5, 5, 20000)) for _ in range(8)]
    want = [f(a, b) for a, b in data]
    bad = []

    def work(i):
        for _ in range(20):
            if not same_bits(f(*data[i]), want[i]):
                bad.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []


def test_pickling_recompiles():
    f = exprjit.compile("a^2 - b", variables=["b", "a"], threads=1)
    g = pickle.loads(pickle.dumps(f))
    assert g.variables == ["b", "a"] and g.text == f.text
    assert g(1.0, 3.0) == f(1.0, 3.0) == 8.0


def test_auto_tiers_and_pickling_keeps_the_tier():
    rng = np.random.default_rng(5)
    a, b = rng.uniform(-3, 3, 20000), rng.uniform(-3, 3, 20000)
    text = "atan2(a, b) * exp(b / 4) - 0.0625"
    want = exprjit.compile(text, backend="tree")(a, b)
    never = exprjit.compile(text, backend="auto", tier="never")
    assert never.how.startswith("auto: vm")
    waited = exprjit.compile(text, backend="auto", tier="wait")
    assert waited.how.startswith("auto: jit"), waited.how
    assert same_bits(never(a, b), want) and same_bits(waited(a, b), want)
    g = pickle.loads(pickle.dumps(waited))
    assert g._tier == "wait" and g.how.startswith("auto: jit")
    with pytest.raises(exprjit.Error, match="unknown tier policy"):
        exprjit.compile(text, backend="auto", tier="sometimes")
