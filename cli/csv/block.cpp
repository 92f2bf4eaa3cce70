// block.cpp — see block.hpp.
#include "cli/csv/block.hpp"

#include <algorithm>
#include <chrono>
#include <span>

namespace exprjit::cli::csv {

Scratch::Scratch(const Layout& l)
    : cols(l.col_of_var.size(), std::vector<double>(kBlockRows)), results(l.exprs.size(), std::vector<double>(kBlockRows)) {
  for (std::size_t v = 0; v < l.col_of_var.size(); ++v)
    if (l.col_of_var[v] < 0) std::fill(cols[v].begin(), cols[v].end(), l.var_value[v]);  // a --var: constant
}

void Block::add(const Scanner& s, const Layout& l, std::string_view default_term) {
  const std::string_view rec = s.record();
  const std::string_view term = s.terminator().empty() ? default_term : s.terminator();
  recs_.push_back({bytes_.size(), rec.size(), term.size(), s.record_line()});
  bytes_ += rec;
  bytes_ += term;
  const std::vector<Field>& f = s.fields();
  for (std::size_t c = 0; c < l.var_of_col.size(); ++c)
    if (l.var_of_col[c] >= 0) {
      fields_.push_back(static_cast<std::uint32_t>(f[c].begin));
      fields_.push_back(static_cast<std::uint32_t>(f[c].end));
    }
  bytes_in_ = s.bytes_consumed();
}

void Block::clear() {
  bytes_.clear();
  recs_.clear();
  fields_.clear();
  text_.clear();
  eval_s_ = 0;
  error_.reset();
  failure_ = nullptr;
}

std::size_t Block::rows_before_bad(const Layout& l, Scratch& s) {
  const std::uint32_t* f = fields_.data();
  for (std::size_t r = 0; r < recs_.size(); ++r) {
    const std::string_view rec = std::string_view(bytes_).substr(recs_[r].at, recs_[r].len);
    for (std::size_t c = 0; c < l.var_of_col.size(); ++c) {
      const int v = l.var_of_col[c];
      if (v < 0) continue;
      const std::string_view raw = rec.substr(f[0], f[1] - f[0]);
      f += 2;
      std::optional<double> x = raw.empty() || raw[0] != '"' ? parse_number(raw) : parse_number(unquote(raw));
      if (!x) {
        const std::string col = printable(l.header[c]);
        error_ = trim(raw).empty()
                     ? Malformed{recs_[r].line, "column '" + col + "': empty value"}
                     : Malformed{recs_[r].line, "column '" + col + "': '" + printable(raw, 40) + "' is not a number"};
        return r;
      }
      s.cols[static_cast<std::size_t>(v)][r] = *x;
    }
  }
  return recs_.size();
}

void Block::process(const Layout& l, Scratch& s) noexcept {
  try {
    const std::size_t n = rows_before_bad(l, s);
    if (n == 0) return;
    std::vector<std::span<const double>> cols;
    for (const auto& c : s.cols) cols.emplace_back(c.data(), n);
    std::vector<std::span<double>> outs;
    for (auto& r : s.results) outs.emplace_back(r.data(), n);
    // A block is at most one probe of rows: eval_batch_many keeps it on this thread.
    static_assert(kBlockRows <= kParallelProbeRows);
    const auto t0 = std::chrono::steady_clock::now();
    eval_batch_many(l.exprs, cols, outs);
    eval_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    text_.reserve(bytes_.size() + n * l.exprs.size() * 24);
    for (std::size_t r = 0; r < n; ++r) {
      const Rec& rec = recs_[r];
      text_.append(bytes_, rec.at, rec.len);
      for (const auto& res : s.results) text_ += ',', text_ += format_number(res[r]);
      text_.append(bytes_, rec.at + rec.len, rec.term_len);
    }
  } catch (...) {
    failure_ = std::current_exception();
  }
}

}  // namespace exprjit::cli::csv
