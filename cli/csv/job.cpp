// job.cpp — `exprjit --csv FILE EXPR...`: stream a CSV file through compiled expressions.
//
// Records are scanned in place (scan.hpp) and gathered into blocks of up to kBlockRows rows
// (the used columns parsed into per-variable column arrays, the raw bytes of each record left
// where they are).  A block is evaluated with one eval_batch call per expression and written
// out before the buffer is refilled, so the memory held is the buffer, one block of columns
// and results and the output buffer, whatever the size of the file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "cli/csv/csv.hpp"
#include "cli/csv/scan.hpp"

namespace exprjit::cli {

namespace {

using Clock = std::chrono::steady_clock;
using csv::Malformed;

constexpr std::size_t kBlockRows = 4096;               // rows per eval_batch call
constexpr std::uint64_t kProgressMinBytes = 16 << 20;  // smaller files get no progress bar

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

// Whether the expression names `name` (a constant's or a function's) where a variable could
// be: from its tokens, so nothing is guessed from the text.
bool mentions(const std::string& text, const std::string& name, const CompileOptions& co) {
  try {
    const std::string toks = emit("tokens", text, {}, co);
    return toks.find("IDENT " + name + "\n") != std::string::npos;
  } catch (const Error&) {
    return false;
  }
}

// A progress line on stderr, redrawn at most ten times a second.
class Progress {
 public:
  Progress(bool on, std::uint64_t total) : on_(on), total_(total) {}
  void update(std::uint64_t done, std::uint64_t rows) {
    if (!on_) return;
    auto now = Clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now, drawn_ = true;
    const int width = 30;
    int pct = static_cast<int>(total_ ? done * 100 / total_ : 0);
    int fill = pct * width / 100;
    std::fprintf(stderr, "\r[%.*s%.*s] %3d%%  %s of %s, %llu rows", fill, "##############################",
                 width - fill, "..............................", pct, mib(done).c_str(), mib(total_).c_str(),
                 static_cast<unsigned long long>(rows));
    std::fflush(stderr);
  }
  void clear() {
    if (drawn_) std::fputs("\r\033[K", stderr), std::fflush(stderr);
    drawn_ = false;
  }

 private:
  bool on_;
  std::uint64_t total_;
  bool drawn_ = false;
  Clock::time_point last_;
};

class Job {
 public:
  Job(const Options& o, const CompileOptions& co, Reporter& rep, Output& out, int fd, std::string name, std::uint64_t size)
      : o_(o), co_(co), rep_(rep), out_(out), scan_(fd), name_(std::move(name)),
        progress_(size >= kProgressMinBytes && isatty(STDERR_FILENO), size) {}
  int run();

 private:
  bool setup(std::string_view header_line);  // false: a compile error, printed
  void add_row();
  void flush_block();

  const Options& o_;
  const CompileOptions& co_;
  Reporter& rep_;
  Output& out_;
  csv::Scanner scan_;
  std::string name_;
  Progress progress_;

  std::vector<std::string> header_;
  std::vector<int> var_of_col_;       // -1: passes through
  std::vector<Expression> exprs_;
  std::vector<std::vector<double>> cols_;  // by variable: a column, or a --var constant
  std::vector<std::span<const double>> col_spans_;
  std::vector<std::vector<double>> results_;  // by expression
  struct Row {  // the record's bytes, where they are in the scanner's buffer
    std::size_t at, len;
    std::string_view term;
  };
  std::vector<Row> rows_;
  std::string_view header_term_ = "\n";
  std::uint64_t rows_done_ = 0;
  double eval_s_ = 0;
};

bool Job::setup(std::string_view header_line) {
  for (const csv::Field& f : scan_.fields()) {
    std::string_view raw = header_line.substr(f.begin, f.end - f.begin);
    if (header_.empty() && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);  // UTF-8 BOM, before quotes
    header_.push_back(std::string(csv::trim(csv::unquote(raw))));
  }
  var_of_col_.assign(header_.size(), -1);
  auto columns_note = [&] {
    std::string cols;
    for (const std::string& h : header_) cols += (cols.empty() ? "" : ", ") + printable(h, 80);
    return "note: the columns of " + printable(name_) + " are: " + cols + "\n";
  };
  std::vector<std::string> as = o_.csv_as;
  if (as.empty()) {
    if (o_.exprs.size() == 1) as.push_back("result");
    for (std::size_t k = 0; o_.exprs.size() > 1 && k < o_.exprs.size(); ++k) as.push_back("result" + std::to_string(k + 1));
  }
  for (std::size_t k = 0; k < as.size(); ++k) {
    if (std::find(header_.begin(), header_.end(), as[k]) != header_.end() ||
        std::find(as.begin(), as.begin() + static_cast<std::ptrdiff_t>(k), as[k]) != as.begin() + static_cast<std::ptrdiff_t>(k))
      throw Malformed{1, "the result column '" + printable(as[k]) + "' would repeat a column name; choose another with --as"};
  }

  // The functions first (--define: their bodies read no variable), then the variables:
  // every name the expressions read, a column or a --var, in first-use order.
  Symbols syms;
  try {
    for (const std::string& d : o_.defines) syms.define(d);
  } catch (const ParseError& e) {
    std::fputs(format_error(e, "--define").c_str(), stderr);
    return false;
  }
  std::vector<std::string> vars;
  std::vector<int> col_of_var;
  std::vector<double> var_value;
  for (const std::string& text : o_.exprs) {
    std::vector<std::string> names;
    try {
      names = variables_of(text, syms);
    } catch (const ParseError& e) {
      std::fputs((format_error(e) + columns_note()).c_str(), stderr);
      return false;
    }
    for (const std::string& h : header_)
      for (const std::string& c : builtin_constants())
        if (h == c && mentions(text, c, co_))
          throw Malformed{1, "the column '" + h + "' has the name of the constant " + h +
                                 ", which an expression reads; rename the column"};
    for (const std::string& n : names) {
      if (std::find(vars.begin(), vars.end(), n) != vars.end()) continue;
      int col = -1;
      for (std::size_t c = 0; c < header_.size(); ++c)
        if (header_[c] == n) {
          if (col >= 0) throw Malformed{1, "the column '" + printable(n) + "' appears twice in the header"};
          col = static_cast<int>(c);
        }
      const std::pair<std::string, double>* var = nullptr;
      for (const auto& v : o_.vars)
        if (v.first == n) var = &v;
      if (col >= 0 && var) throw Malformed{1, "'" + n + "' is both a column and a --var"};
      if (col < 0 && !var) continue;  // the compiler reports it, with its position
      if (col >= 0) var_of_col_[static_cast<std::size_t>(col)] = static_cast<int>(vars.size());
      vars.push_back(n);
      col_of_var.push_back(col);
      var_value.push_back(var ? var->second : 0.0);
      syms.declare(n);
    }
  }
  try {
    std::vector<std::string> texts(o_.exprs.begin(), o_.exprs.end());
    exprs_ = compile_many(texts, syms, co_);
  } catch (const ParseError& e) {
    std::fputs((format_error(e) + columns_note()).c_str(), stderr);
    return false;
  }
  cols_.assign(vars.size(), std::vector<double>(kBlockRows));
  for (std::size_t v = 0; v < vars.size(); ++v)
    if (col_of_var[v] < 0) std::fill(cols_[v].begin(), cols_[v].end(), var_value[v]);  // a --var: constant
  for (const auto& c : cols_) col_spans_.emplace_back(c);
  results_.assign(exprs_.size(), std::vector<double>(kBlockRows));
  rows_.reserve(kBlockRows);
  std::string head(header_line);
  for (const std::string& a : as) head += "," + csv::quote(a);
  out_.write(head + std::string(header_term_));
  return true;
}

void Job::add_row() {
  const std::vector<csv::Field>& fields = scan_.fields();
  const std::string_view rec = scan_.record();
  if (fields.size() != header_.size())
    throw Malformed{scan_.record_line(), "expected " + std::to_string(header_.size()) + " fields (as the header), found " +
                                             std::to_string(fields.size())};
  const std::size_t r = rows_.size();
  for (std::size_t c = 0; c < header_.size(); ++c) {
    const int v = var_of_col_[c];
    if (v < 0) continue;
    std::string_view raw = rec.substr(fields[c].begin, fields[c].end - fields[c].begin);
    std::optional<double> x = raw.empty() || raw[0] != '"' ? csv::parse_number(raw) : csv::parse_number(csv::unquote(raw));
    if (!x) {
      if (csv::trim(raw).empty()) throw Malformed{scan_.record_line(), "column '" + printable(header_[c]) + "': empty value"};
      throw Malformed{scan_.record_line(),
                      "column '" + printable(header_[c]) + "': '" + printable(raw, 40) + "' is not a number"};
    }
    cols_[static_cast<std::size_t>(v)][r] = *x;
  }
  rows_.push_back({scan_.record_offset(), rec.size(), scan_.terminator().empty() ? header_term_ : scan_.terminator()});
  if (rows_.size() == kBlockRows) flush_block();
}

void Job::flush_block() {
  if (rows_.empty()) return;
  auto t0 = Clock::now();
  const std::size_t n = rows_.size();
  std::vector<std::span<const double>> spans;
  for (const auto& c : cols_) spans.emplace_back(c.data(), n);
  for (std::size_t k = 0; k < exprs_.size(); ++k) exprs_[k].eval_batch(spans, std::span(results_[k].data(), n));
  eval_s_ += std::chrono::duration<double>(Clock::now() - t0).count();
  std::string text;
  const std::string_view buf = scan_.buffer();
  for (std::size_t r = 0; r < n; ++r) {
    text += buf.substr(rows_[r].at, rows_[r].len);
    for (const auto& res : results_) text += ',', text += format_number(res[r]);
    text += rows_[r].term;
  }
  out_.write(text);
  rows_done_ += n;
  rows_.clear();
  progress_.update(scan_.bytes_consumed(), rows_done_);
}

int Job::run() {
  int status = 0;
  try {
    // The header: the first non-blank record.
    bool have_header = false;
    auto none = [] {};
    auto write_block = [this] { flush_block(); };  // the block's rows point into the buffer
    while (!have_header && scan_.next(none)) have_header = !csv::trim(scan_.record()).empty();
    if (!have_header) throw Malformed{scan_.line() > 1 ? scan_.line() - 1 : 1, "no header row (the input is empty)"};
    if (!scan_.terminator().empty()) header_term_ = scan_.terminator() == "\r\n" ? "\r\n" : "\n";
    if (!setup(std::string(scan_.record()))) return 1;
    while (!out_.failed() && scan_.next(write_block)) {
      if (csv::trim(scan_.record()).empty()) continue;  // a blank line (or blanks only)
      add_row();
    }
    flush_block();
  } catch (const Malformed& m) {
    flush_block();  // the rows before the bad one
    out_.flush();
    progress_.clear();
    std::fprintf(stderr, "%s:%llu: error: %s\n", printable(name_).c_str(), static_cast<unsigned long long>(m.line),
                 m.message.c_str());
    status = 1;
  }
  out_.flush();
  progress_.clear();
  if (o_.time)
    std::fprintf(stderr, "%s\n",
                 rep_.summary(exprs_.empty() ? o_.compile.backend : exprs_.front().backend(), eval_s_).c_str());
  return status;
}

}  // namespace

int run_csv(const Options& o, const CompileOptions& co, Reporter& rep, Output& out) {
  int fd = STDIN_FILENO;
  std::string name = "<stdin>";
  if (*o.csv != "-") {
    std::string why;
    fd = open_input(*o.csv, &why);
    if (fd < 0) {
      std::fprintf(stderr, "error: cannot read '%s': %s\n", printable(*o.csv).c_str(), why.c_str());
      return 1;
    }
    name = *o.csv;
  }
  std::uint64_t size = 0;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<std::uint64_t>(st.st_size);
  const int status = Job(o, co, rep, out, fd, name, size).run();
  if (fd != STDIN_FILENO) ::close(fd);
  return status;
}

}  // namespace exprjit::cli
