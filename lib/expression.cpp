// expression.cpp — evaluating a compiled Expression: the caller's values and columns are in
// slot order already, so they are handed to the code as they are; large batches are split
// over the library's pool (pool.hpp).
#include <algorithm>
#include <array>
#include <chrono>

#include "lib/impl.hpp"
#include "lib/pool.hpp"

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

namespace {

// The column pointers of a call, without an allocation for up to kInline columns.
class ColumnPointers {
 public:
  explicit ColumnPointers(std::span<const std::span<const double>> columns)
      : big_(columns.size() > kInline ? columns.size() : 0) {
    ptrs_ = columns.size() > kInline ? big_.data() : small_.data();
    for (std::size_t i = 0; i < columns.size(); ++i) ptrs_[i] = columns[i].data();
  }
  const double* const* get() const { return ptrs_; }
  // The same columns from row `base` on (for one part of a parallel batch).
  void offset(std::size_t n, std::size_t base, const double** into) const {
    for (std::size_t i = 0; i < n; ++i) into[i] = ptrs_[i] + base;
  }

 private:
  static constexpr std::size_t kInline = 32;
  std::array<const double*, kInline> small_{};
  std::vector<const double*> big_;
  const double** ptrs_;
};

void check_columns(const Expression::Impl& m, std::span<const std::span<const double>> columns, std::size_t rows,
                   const char* what) {
  if (columns.size() != m.variables.size())
    throw Error(std::string(what) + ": " + std::to_string(columns.size()) + " columns given for " +
                std::to_string(m.variables.size()) + " variables (" + list(m.variables) + ")");
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].size() < rows)
      throw Error(std::string(what) + ": column " + std::to_string(i) + " ('" + m.variables[i] + "') holds " +
                  std::to_string(columns[i].size()) + " values, fewer than the " + std::to_string(rows) + " rows of out");
}

void check_out(const Expression::Impl& m, std::span<const std::span<const double>> columns, std::span<const double> out,
               const char* what) {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (overlap(columns[i].data(), out.size(), out.data(), out.size()))
      throw Error(std::string(what) + ": out overlaps column " + std::to_string(i) + " ('" + m.variables[i] +
                  "'); write the results elsewhere");
}

// Rows [0, n): part(base, count) over them, on the pool when that pays.  Whether it does
// is measured, not guessed: the first kParallelProbeRows rows run on the calling thread,
// timed; when the rest would take longer than kParallelMinMicros at that rate, it is split
// into one part per thread (waking a worker costs tens of microseconds here, so a cheap
// expression needs about a million rows before two threads win, an expensive one a few
// thousand: docs/api.md has the figures).
template <class F>
void in_parts(std::size_t n, unsigned threads, F part) {
  if (threads <= 1 || n < 2 * kParallelProbeRows) return part(std::size_t{0}, n);
  const auto t0 = std::chrono::steady_clock::now();
  part(std::size_t{0}, kParallelProbeRows);
  const double probe_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  const std::size_t rest = n - kParallelProbeRows;
  const double rest_us = probe_us * static_cast<double>(rest) / static_cast<double>(kParallelProbeRows);
  const std::size_t parts = std::min<std::size_t>(threads, rest / kParallelProbeRows);
  if (rest_us < kParallelMinMicros || parts <= 1) return part(kParallelProbeRows, rest);
  const std::size_t step = (rest + parts - 1) / parts;
  Pool::shared().run(parts, threads, [&](std::size_t k) {
    const std::size_t base = kParallelProbeRows + k * step;
    if (base < n) part(base, std::min(step, n - base));
  });
}

}  // namespace

void Expression::eval_batch(std::span<const std::span<const double>> columns, std::span<double> out) const {
  const Impl& m = impl();
  check_columns(m, columns, out.size(), "eval_batch");
  check_out(m, columns, out, "eval_batch");
  if (out.empty()) return;
  const ColumnPointers cols(columns);
  in_parts(out.size(), m.threads, [&](std::size_t base, std::size_t count) {
    if (base == 0 && count == out.size()) return m.code->eval_batch(cols.get(), count, out.data());
    std::vector<const double*> shifted(columns.size() + 1);
    cols.offset(columns.size(), base, shifted.data());
    m.code->eval_batch(shifted.data(), count, out.data() + base);
  });
}

unsigned Expression::threads() const { return impl().threads; }

void eval_batch_many(std::span<const Expression> exprs, std::span<const std::span<const double>> columns,
                     std::span<const std::span<double>> outs) {
  if (exprs.size() != outs.size())
    throw Error("eval_batch_many: " + std::to_string(exprs.size()) + " expressions but " + std::to_string(outs.size()) +
                " outputs");
  if (exprs.empty()) return;
  const std::size_t rows = outs[0].size();
  const Expression::Impl& first = exprs[0].impl();
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    const Expression::Impl& m = exprs[k].impl();
    if (m.variables != first.variables)
      throw Error("eval_batch_many: expression " + std::to_string(k) + " has other variables than expression 0 (" +
                  list(m.variables) + " against " + list(first.variables) + "); compile them against the same symbols");
    if (outs[k].size() != rows)
      throw Error("eval_batch_many: output " + std::to_string(k) + " has " + std::to_string(outs[k].size()) +
                  " rows, output 0 has " + std::to_string(rows));
    check_columns(m, columns, rows, "eval_batch_many");
    check_out(m, columns, outs[k], "eval_batch_many");
    for (std::size_t j = 0; j < k; ++j)
      if (overlap(outs[j].data(), rows, outs[k].data(), rows))
        throw Error("eval_batch_many: outputs " + std::to_string(j) + " and " + std::to_string(k) + " overlap");
  }
  if (rows == 0) return;
  // Blocks small enough that a block of every column stays in cache while each
  // expression reads it.
  constexpr std::size_t kBlock = 4096;
  const ColumnPointers cols(columns);
  in_parts(rows, first.threads, [&](std::size_t base, std::size_t count) {
    std::vector<const double*> shifted(columns.size() + 1);
    for (std::size_t b = base; b < base + count; b += kBlock) {
      const std::size_t n = std::min(kBlock, base + count - b);
      cols.offset(columns.size(), b, shifted.data());
      for (std::size_t k = 0; k < exprs.size(); ++k) exprs[k].impl().code->eval_batch(shifted.data(), n, outs[k].data() + b);
    }
  });
}

const std::vector<std::string>& Expression::variables() const { return impl().variables; }
const std::vector<std::string>& Expression::used_variables() const { return impl().reads; }
const std::string& Expression::text() const { return impl().text; }
const std::string& Expression::backend() const { return impl().backend_name; }
std::string Expression::how() const {
  const Impl& m = impl();
  std::string how = m.code->how_now();
  return how.empty() ? m.backend_name : how;
}
bool Expression::has_bound_variables() const { return impl().has_bound; }

}  // namespace exprjit
