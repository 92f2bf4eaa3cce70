// module.cpp — the core of the Python module `exprjit` (pybind11): a compiled expression
// over float64 columns, the GIL released while it evaluates.  Broadcasting, dtypes, the
// caller's frame and pickling are in exprjit/__init__.py; this file stands on the public
// C++ API like any user.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <exprjit/exprjit.hpp>

#include <string>
#include <vector>

namespace py = pybind11;

namespace {

using Array = py::array_t<double, py::array::c_style>;

// A compile error as Python's SyntaxError (the module's ExprjitSyntaxError subclasses it):
// raised from Python with the message, line, column and text (see __init__.py).
struct CompileFailure {
  std::string message;
  std::size_t line, column;
  std::string text;
};

class Compiled {
 public:
  Compiled(const std::string& text, const std::vector<std::string>& variables, const std::string& backend,
           unsigned threads, const std::string& tier)
      : f_(compile(text, variables, backend, threads, tier)) {}

  const std::vector<std::string>& variables() const { return f_.variables(); }
  const std::vector<std::string>& used_variables() const { return f_.used_variables(); }
  const std::string& backend() const { return f_.backend(); }
  std::string how() const { return f_.how(); }
  const std::string& text() const { return f_.text(); }
  unsigned threads() const { return f_.threads(); }

  double scalar(const std::vector<double>& values) const { return f_.eval(values); }

  // columns: one contiguous float64 array per variable, each of out's length (the caller
  // broadcast them); out: where the results go.
  void columns(const std::vector<Array>& columns, Array& out) const {
    const std::size_t n = static_cast<std::size_t>(out.size());
    std::vector<std::span<const double>> spans;
    for (const Array& c : columns) {
      if (static_cast<std::size_t>(c.size()) != n) throw py::value_error("a column's length differs from out's");
      spans.emplace_back(c.data(), n);
    }
    double* o = out.mutable_data();
    py::gil_scoped_release unlocked;  // no Python object is touched below
    f_.eval_batch(spans, std::span<double>(o, n));
  }

 private:
  static exprjit::Expression compile(const std::string& text, const std::vector<std::string>& variables,
                                     const std::string& backend, unsigned threads, const std::string& tier) {
    try {
      return exprjit::compile(text, variables, {.backend = backend, .tier = tier, .threads = threads});
    } catch (const exprjit::ParseError& e) {
      throw CompileFailure{e.message(), e.line(), e.column(), e.text()};
    }
  }

  exprjit::Expression f_;
};

}  // namespace

PYBIND11_MODULE(_exprjit, m) {
  m.doc() = "The core of exprjit's Python module: see exprjit.compile and exprjit.evaluate.";
  static py::exception<exprjit::Error> error(m, "Error", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const CompileFailure& f) {
      // Raised as the module's SyntaxError subclass by __init__.py's wrapper.
      py::object cls = py::module_::import("exprjit").attr("ExprjitSyntaxError");
      PyErr_SetObject(cls.ptr(), py::make_tuple(f.message, py::make_tuple("<expr>", f.line, f.column, f.text)).ptr());
    } catch (const exprjit::Error& e) {
      error(e.what());
    }
  });
  py::class_<Compiled>(m, "Compiled")
      .def(py::init<const std::string&, const std::vector<std::string>&, const std::string&, unsigned,
                    const std::string&>(),
           py::arg("text"), py::arg("variables"), py::arg("backend"), py::arg("threads"), py::arg("tier"))
      .def_property_readonly("variables", &Compiled::variables)
      .def_property_readonly("used_variables", &Compiled::used_variables)
      .def_property_readonly("backend", &Compiled::backend)
      .def_property_readonly("text", &Compiled::text)
      .def_property_readonly("threads", &Compiled::threads)
      .def_property_readonly("how", &Compiled::how)
      .def("scalar", &Compiled::scalar)
      .def("columns", &Compiled::columns);
  m.def("variables_of", [](const std::string& text) {
    try {
      return exprjit::variables_of(text);
    } catch (const exprjit::ParseError& e) {
      throw CompileFailure{e.message(), e.line(), e.column(), e.text()};
    }
  });
  m.def("backends", [] {
    std::vector<std::string> names;
    for (const exprjit::BackendDescription& b : exprjit::available_backends()) names.push_back(b.name);
    return names;
  });
  m.attr("version") = exprjit::version();
}
