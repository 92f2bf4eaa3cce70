// expression.cpp — evaluating a compiled Expression: the caller's values and columns are in
// slot order already, so they are handed to the code as they are.
#include <algorithm>
#include <array>

#include "lib/impl.hpp"

namespace exprjit {

namespace {

double throw_empty(const double* const*, const void*) {
  throw Error("this exprjit::Expression is empty (default-constructed or moved from)");
}
const detail::Entry kEmptyEntry{&throw_empty, nullptr};

std::string list(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

// Whether [a, a+n) and [b, b+m) share a double.
bool overlap(const double* a, std::size_t n, const double* b, std::size_t m) {
  if (n == 0 || m == 0) return false;
  return std::less<const double*>()(a, b + m) && std::less<const double*>()(b, a + n);
}

}  // namespace

namespace detail {
const Hot empty_hot{&kEmptyEntry, nullptr};
}  // namespace detail

Expression::Expression(std::shared_ptr<const Impl> impl) noexcept : hot_(&impl->hot), impl_(std::move(impl)) {}

const Expression::Impl& Expression::impl() const {
  if (!impl_) throw Error("this exprjit::Expression is empty (default-constructed or moved from)");
  return *impl_;
}

double Expression::eval(std::span<const double> values) const {
  const Impl& m = impl();
  if (values.size() != m.variables.size())
    throw Error("eval: " + std::to_string(values.size()) + " values given for " + std::to_string(m.variables.size()) +
                " variables (" + list(m.variables) + ")");
  return m.code->eval(values.data());
}

void Expression::eval_batch(std::span<const std::span<const double>> columns, std::span<double> out) const {
  const Impl& m = impl();
  if (columns.size() != m.variables.size())
    throw Error("eval_batch: " + std::to_string(columns.size()) + " columns given for " +
                std::to_string(m.variables.size()) + " variables (" + list(m.variables) + ")");
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].size() < out.size())
      throw Error("eval_batch: column " + std::to_string(i) + " ('" + m.variables[i] + "') holds " +
                  std::to_string(columns[i].size()) + " values, fewer than the " + std::to_string(out.size()) +
                  " rows of out");
    if (overlap(columns[i].data(), out.size(), out.data(), out.size()))
      throw Error("eval_batch: out overlaps column " + std::to_string(i) + " ('" + m.variables[i] +
                  "'); write the results elsewhere");
  }
  if (out.empty()) return;
  constexpr std::size_t kInline = 32;
  std::array<const double*, kInline> small{};
  std::vector<const double*> big(columns.size() > kInline ? columns.size() : 0);
  const double** cols = columns.size() > kInline ? big.data() : small.data();
  for (std::size_t i = 0; i < columns.size(); ++i) cols[i] = columns[i].data();
  m.code->eval_batch(cols, out.size(), out.data());
}

const std::vector<std::string>& Expression::variables() const { return impl().variables; }
const std::vector<std::string>& Expression::used_variables() const { return impl().reads; }
const std::string& Expression::text() const { return impl().text; }
const std::string& Expression::backend() const { return impl().backend_name; }
const std::string& Expression::how() const {
  const Impl& m = impl();
  return m.code->how().empty() ? m.backend_name : m.code->how();
}
bool Expression::has_bound_variables() const { return impl().has_bound; }

}  // namespace exprjit
