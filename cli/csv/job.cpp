// job.cpp — `exprjit --csv FILE EXPR...`: stream a CSV file through compiled expressions.
//
// This thread reads: records are scanned in place (scan.hpp) and copied into blocks of up
// to kBlockRows records (block.hpp).  Each block is parsed, evaluated (every expression in
// one pass) and formatted on a worker thread, and the blocks are written here in input
// order (pipeline.hpp).  The memory held is the scanner's buffer, a fixed ring of blocks and
// the output buffer, whatever the size of the file.  One thread (--threads=1) runs the same
// steps without workers.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "cli/csv/block.hpp"
#include "cli/csv/csv.hpp"
#include "cli/csv/pipeline.hpp"
#include "cli/csv/scan.hpp"

namespace exprjit::cli {

namespace {

using Clock = std::chrono::steady_clock;
using csv::Malformed;

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
  void add_row(csv::Pipeline& pipe);
  void write(csv::Block& b);  // a finished block, in input order
  // Threads beside this one that process blocks: the batch thread count (--threads), at
  // most one per core (more would only hold more blocks in memory), or none for one thread.
  unsigned workers() const {
    const unsigned t = std::min(layout_.exprs.empty() ? 1 : layout_.exprs.front().threads(),
                                std::max(1u, std::thread::hardware_concurrency()));
    return t <= 1 ? 0 : t;
  }

  const Options& o_;
  const CompileOptions& co_;
  Reporter& rep_;
  Output& out_;
  csv::Scanner scan_;
  std::string name_;
  Progress progress_;

  csv::Layout layout_;
  std::string_view header_term_ = "\n";
  csv::Pipeline::Sink sink_ = [this](csv::Block& b) { write(b); };
  csv::Block* block_ = nullptr;  // the block being filled
  std::optional<Malformed> failed_;  // the first bad row a block found: nothing after it is written
  std::uint64_t rows_done_ = 0;
  double eval_s_ = 0;  // summed over the blocks, whichever thread ran them
};

bool Job::setup(std::string_view header_line) {
  for (const csv::Field& f : scan_.fields()) {
    std::string_view raw = header_line.substr(f.begin, f.end - f.begin);
    if (layout_.header.empty() && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);  // UTF-8 BOM, before quotes
    layout_.header.push_back(std::string(csv::trim(csv::unquote(raw))));
  }
  layout_.var_of_col.assign(layout_.header.size(), -1);
  auto columns_note = [&] {
    std::string cols;
    for (const std::string& h : layout_.header) cols += (cols.empty() ? "" : ", ") + printable(h, 80);
    return "note: the columns of " + printable(name_) + " are: " + cols + "\n";
  };
  std::vector<std::string> as = o_.csv_as;
  if (as.empty()) {
    if (o_.exprs.size() == 1) as.push_back("result");
    for (std::size_t k = 0; o_.exprs.size() > 1 && k < o_.exprs.size(); ++k) as.push_back("result" + std::to_string(k + 1));
  }
  for (std::size_t k = 0; k < as.size(); ++k) {
    if (std::find(layout_.header.begin(), layout_.header.end(), as[k]) != layout_.header.end() ||
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
    for (const std::string& h : layout_.header)
      for (const std::string& c : builtin_constants())
        if (h == c && mentions(text, c, co_))
          throw Malformed{1, "the column '" + h + "' has the name of the constant " + h +
                                 ", which an expression reads; rename the column"};
    for (const std::string& n : names) {
      if (std::find(vars.begin(), vars.end(), n) != vars.end()) continue;
      int col = -1;
      for (std::size_t c = 0; c < layout_.header.size(); ++c)
        if (layout_.header[c] == n) {
          if (col >= 0) throw Malformed{1, "the column '" + printable(n) + "' appears twice in the header"};
          col = static_cast<int>(c);
        }
      const std::pair<std::string, double>* var = nullptr;
      for (const auto& v : o_.vars)
        if (v.first == n) var = &v;
      if (col >= 0 && var) throw Malformed{1, "'" + n + "' is both a column and a --var"};
      if (col < 0 && !var) continue;  // the compiler reports it, with its position
      if (col >= 0) layout_.var_of_col[static_cast<std::size_t>(col)] = static_cast<int>(vars.size());
      vars.push_back(n);
      col_of_var.push_back(col);
      var_value.push_back(var ? var->second : 0.0);
      syms.declare(n);
    }
  }
  try {
    std::vector<std::string> texts(o_.exprs.begin(), o_.exprs.end());
    layout_.exprs = compile_many(texts, syms, co_);
  } catch (const ParseError& e) {
    std::fputs((format_error(e) + columns_note()).c_str(), stderr);
    return false;
  }
  layout_.col_of_var = std::move(col_of_var);
  layout_.var_value = std::move(var_value);
  std::string head(header_line);
  for (const std::string& a : as) head += "," + csv::quote(a);
  out_.write(head + std::string(header_term_));
  return true;
}

void Job::add_row(csv::Pipeline& pipe) {
  if (scan_.fields().size() != layout_.header.size())
    throw Malformed{scan_.record_line(), "expected " + std::to_string(layout_.header.size()) +
                                             " fields (as the header), found " + std::to_string(scan_.fields().size())};
  if (!block_) block_ = &pipe.fresh(sink_);
  block_->add(scan_, layout_, header_term_);
  if (block_->full()) pipe.submit(sink_), block_ = nullptr;
}

void Job::write(csv::Block& b) {
  if (failed_) return;  // after the first bad row
  b.rethrow();
  out_.write(b.text());  // with an error: the rows before it
  eval_s_ += b.eval_seconds();
  if (b.error()) {
    failed_ = b.error();
    return;
  }
  rows_done_ += b.rows();
  progress_.update(b.bytes_in(), rows_done_);
}

int Job::run() {
  int status = 0;
  std::optional<Malformed> bad;
  try {
    // The header: the first non-blank record.
    bool have_header = false;
    auto none = [] {};
    while (!have_header && scan_.next(none)) have_header = !csv::trim(scan_.record()).empty();
    if (!have_header) throw Malformed{scan_.line() > 1 ? scan_.line() - 1 : 1, "no header row (the input is empty)"};
    if (!scan_.terminator().empty()) header_term_ = scan_.terminator() == "\r\n" ? "\r\n" : "\n";
    if (!setup(std::string(scan_.record()))) return 1;
    // Blocks own copies of their records, so a refill of the scanner's buffer moves nothing
    // they point at.
    csv::Pipeline pipe(layout_, workers());
    try {
      while (!out_.failed() && !failed_ && scan_.next(none)) {
        if (csv::trim(scan_.record()).empty()) continue;  // a blank line (or blanks only)
        add_row(pipe);
      }
    } catch (const Malformed& m) {
      bad = m;  // after the rows before it, which are in blocks still in flight
    }
    if (block_) pipe.submit(sink_), block_ = nullptr;
    pipe.drain(sink_);
    if (failed_) bad = failed_;  // a bad value comes before whatever stopped the reading
  } catch (const Malformed& m) {
    bad = m;
  }
  out_.flush();
  progress_.clear();
  if (bad) {
    std::fprintf(stderr, "%s:%llu: error: %s\n", printable(name_).c_str(), static_cast<unsigned long long>(bad->line),
                 bad->message.c_str());
    status = 1;
  }
  if (o_.time)
    std::fprintf(stderr, "%s\n",
                 rep_.summary(layout_.exprs.empty() ? o_.compile.backend : layout_.exprs.front().backend(), eval_s_).c_str());
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
