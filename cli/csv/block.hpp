// block.hpp — a block of CSV records on its way through `--csv`: filled by the reading
// thread (the records' bytes copied out of the scanner's buffer, the used fields' places
// noted), then parsed, evaluated and formatted, on whichever thread takes it (pipeline.hpp),
// into the text written for it.
#pragma once
#include <exprjit/exprjit.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/csv/scan.hpp"

namespace exprjit::cli::csv {

inline constexpr std::size_t kBlockRows = 4096;     // records per block at most: one eval_batch_many call
inline constexpr std::size_t kBlockBytes = 1 << 20;  // a block is full from this many bytes of records on

// What processing a block needs, fixed once the header has been read; shared, read-only,
// by every thread.
struct Layout {
  std::vector<std::string> header;
  std::vector<int> var_of_col;     // by column: the variable it feeds, or -1 (passes through)
  std::vector<int> col_of_var;     // by variable: its column, or -1 (a --var)
  std::vector<double> var_value;   // by variable: a --var's value
  std::vector<Expression> exprs;   // one result column each
};

// One thread's working memory for a block: a column per variable, a result column per
// expression.
struct Scratch {
  explicit Scratch(const Layout& l);
  std::vector<std::vector<double>> cols, results;
};

class Block {
 public:
  // Appends the scanner's current record (its field count already checked).
  void add(const Scanner& s, const Layout& l, std::string_view default_term);
  std::size_t rows() const { return recs_.size(); }
  // Full at kBlockRows records, or earlier with long records: the bytes a block holds stay
  // near kBlockBytes (plus one record), so the ring's memory does not grow with them.
  bool full() const { return recs_.size() == kBlockRows || bytes_.size() >= kBlockBytes; }
  void clear();

  // Parses the used fields, evaluates every expression over the rows and formats them into
  // text(): every row before the first bad value (error() then says which), or all of them.
  // Never throws: anything else that fails is kept for rethrow().
  void process(const Layout& l, Scratch& s) noexcept;

  const std::string& text() const { return text_; }
  const std::optional<Malformed>& error() const { return error_; }
  void rethrow() const {
    if (failure_) std::rethrow_exception(failure_);
  }
  std::uint64_t bytes_in() const { return bytes_in_; }  // of the input, for progress
  double eval_seconds() const { return eval_s_; }        // in eval_batch_many, for --time

 private:
  struct Rec {
    std::size_t at, len, term_len;  // in bytes_: the record, then its line end
    std::uint64_t line;
  };
  std::size_t rows_before_bad(const Layout& l, Scratch& s);  // parses; the rows parsed

  std::string bytes_;                // the records and their line ends, as read
  std::vector<Rec> recs_;
  std::vector<std::uint32_t> fields_;  // per record: begin, end of each used column's field
  std::uint64_t bytes_in_ = 0;
  double eval_s_ = 0;
  std::string text_;
  std::optional<Malformed> error_;
  std::exception_ptr failure_;
};

}  // namespace exprjit::cli::csv
