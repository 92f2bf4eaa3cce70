// expression.cpp — evaluating a compiled Expression: gather the values into the slots the
// compiled code reads (vars[slot], backend.hpp), then call it.
#include <array>
#include <new>

#include "lib/impl.hpp"

namespace exprjit {

namespace {

// Slot buffers up to this size live on the stack; larger ones are allocated per call.
constexpr std::size_t kInline = 32;

template <class T, class Fill, class Use>
auto with_buffer(std::size_t n, Fill fill, Use use) {
  if (n <= kInline) {
    std::array<T, kInline> buf;
    fill(buf.data());
    return use(buf.data());
  }
  std::vector<T> buf(n);
  fill(buf.data());
  return use(buf.data());
}

// Runs f, turning a backend's own exception (e.g. the jit's "Go code panicked") into an
// exprjit::Error, as the header promises.
template <class F>
auto guarded(const Expression::Impl& m, F f) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(m.backend_name + " backend: " + e.what());
  }
}

std::string list(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

}  // namespace

const Expression::Impl& Expression::impl() const {
  if (!impl_) throw Error("this exprjit::Expression is empty (default-constructed or moved from)");
  return *impl_;
}

double Expression::operator()() const {
  const Impl& m = impl();
  const std::size_t n = m.slot_source.size();
  if (n == 0) {
    const double none = 0;
    return guarded(m, [&] { return m.code->eval(&none); });
  }
  if (!m.has_bound)
    throw Error("'" + m.text + "' reads variables (" + list(m.reads) +
                ") but was compiled without bound ones: evaluate it with eval(values)");
  return with_buffer<double>(
      n, [&](double* v) { for (std::size_t k = 0; k < n; ++k) v[k] = *m.bound[k]; },
      [&](const double* v) { return guarded(m, [&] { return m.code->eval(v); }); });
}

double Expression::eval(std::span<const double> values) const {
  const Impl& m = impl();
  if (values.size() != m.variables.size())
    throw Error("eval: " + std::to_string(values.size()) + " values given for " + std::to_string(m.variables.size()) +
                " variables (" + list(m.variables) + ")");
  const std::size_t n = m.slot_source.size();
  if (n == 0) {
    const double none = 0;
    return guarded(m, [&] { return m.code->eval(&none); });
  }
  if (m.identity) return guarded(m, [&] { return m.code->eval(values.data()); });
  return with_buffer<double>(
      n, [&](double* v) { for (std::size_t k = 0; k < n; ++k) v[k] = values[m.slot_source[k]]; },
      [&](const double* v) { return guarded(m, [&] { return m.code->eval(v); }); });
}

void Expression::eval_batch(std::span<const std::span<const double>> columns, std::span<double> out) const {
  const Impl& m = impl();
  if (columns.size() != m.variables.size())
    throw Error("eval_batch: " + std::to_string(columns.size()) + " columns given for " +
                std::to_string(m.variables.size()) + " variables (" + list(m.variables) + ")");
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].size() < out.size())
      throw Error("eval_batch: column " + std::to_string(i) + " ('" + m.variables[i] + "') holds " +
                  std::to_string(columns[i].size()) + " values, fewer than the " + std::to_string(out.size()) +
                  " rows of out");
  if (out.empty()) return;
  const std::size_t n = m.slot_source.size();
  static const double none = 0;
  with_buffer<const double*>(
      n == 0 ? 1 : n,
      [&](const double** cols) {
        cols[0] = &none;
        for (std::size_t k = 0; k < n; ++k) cols[k] = columns[m.slot_source[k]].data();
      },
      [&](const double* const* cols) {
        return guarded(m, [&] {
          m.code->eval_batch(cols, out.size(), out.data());
          return 0;
        });
      });
}

const std::vector<std::string>& Expression::variables() const { return impl().variables; }
const std::vector<std::string>& Expression::used_variables() const { return impl().reads; }
const std::string& Expression::text() const { return impl().text; }
const std::string& Expression::backend() const { return impl().backend_name; }
bool Expression::has_bound_variables() const { return impl().has_bound; }

}  // namespace exprjit
