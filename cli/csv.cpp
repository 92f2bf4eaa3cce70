// csv.cpp — `exprjit --csv FILE EXPR`: stream a CSV file through a compiled expression.
//
// The input is read in chunks into one buffer; records are scanned out of it in place and
// gathered into blocks of up to kBlockRows rows (the used columns parsed into per-slot
// column arrays, the raw bytes of each record left where they are).  A block is evaluated
// with one Compiled::eval_batch call and written out before the buffer is refilled, so the
// memory held is the buffer, one block of columns and the output buffer, whatever the size
// of the file.
#include "cli/csv.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

#include "frontend/builtins.hpp"
#include "frontend/check.hpp"
#include "frontend/diagnostic.hpp"
#include "frontend/format.hpp"

namespace exprjit::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kBlockRows = 4096;              // rows per eval_batch call
constexpr std::size_t kReadBytes = 1 << 20;           // bytes per read
constexpr std::size_t kFlushBytes = 1 << 20;          // output written in pieces of this size
constexpr std::size_t kMaxRecordBytes = 64 << 20;     // longer: an unterminated quote, surely
constexpr std::uint64_t kProgressMinBytes = 16 << 20; // smaller files get no progress bar

// A field of a record: [begin, end) relative to the record's first byte.
struct Field {
  std::size_t begin, end;
};

// A malformed input: where, and what.
struct Malformed {
  std::uint64_t line;
  std::string message;
};

// A field's text: quotes removed and doubled quotes undone for a quoted field (lenient, as
// Python's csv module: text after the closing quote is kept).
std::string unquote(std::string_view raw) {
  if (raw.empty() || raw[0] != '"') return std::string(raw);
  std::string s;
  bool in = true;
  for (std::size_t i = 1; i < raw.size(); ++i) {
    char c = raw[i];
    if (in && c == '"') {
      if (i + 1 < raw.size() && raw[i + 1] == '"') s += '"', ++i;
      else in = false;
    } else {
      s += c;
    }
  }
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A number as --var takes it: decimal (or inf, nan), optional sign, surrounding blanks.
std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (end != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return std::strtod(std::string(s).c_str(), nullptr);  // inf, subnormal
  if (ec != std::errc()) return std::nullopt;
  return v;
}

// At most 40 bytes of a field for an error message, control bytes as \xNN.
std::string shown(std::string_view raw) {
  std::string s;
  for (char c : raw.substr(0, 40)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      s += buf;
    } else {
      s += c;
    }
  }
  return raw.size() > 40 ? s + "..." : s;
}

std::string csv_quote(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Whether e mentions name as a plain name (before checking).
bool mentions(const Expr& e, std::string_view name) {
  if (auto* n = std::get_if<Name>(&e.node)) return n->name == name;
  if (auto* u = std::get_if<Unary>(&e.node)) return mentions(*u->operand, name);
  if (auto* b = std::get_if<Binary>(&e.node)) return mentions(*b->lhs, name) || mentions(*b->rhs, name);
  if (auto* c = std::get_if<Conditional>(&e.node))
    return mentions(*c->cond, name) || mentions(*c->then_expr, name) || mentions(*c->else_expr, name);
  if (auto* call = std::get_if<Call>(&e.node))
    for (const ExprPtr& a : call->args)
      if (mentions(*a, name)) return true;
  return false;
}

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
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

class CsvJob {
 public:
  CsvJob(const Options& o, Engine& engine, std::FILE* in, std::string name, std::uint64_t size)
      : o_(o), engine_(engine), in_(in), name_(std::move(name)),
        progress_(size >= kProgressMinBytes && isatty(STDERR_FILENO), size) {}

  int run();

 private:
  bool next_record();                      // scans fields_/rec_*; false at the end of input
  std::optional<std::size_t> scan(bool eof);  // length of the record at pos_, terminator included
  bool fill();                             // flushes the block, compacts, reads; false at EOF
  bool compile(std::string_view header_line);
  void add_row();
  void flush_block();
  void write(std::string_view s);
  void write_out();

  const Options& o_;
  Engine& engine_;
  std::FILE* in_;
  std::string name_;
  Progress progress_;

  // Input: buf_[pos_, end_) not yet scanned.
  std::string buf_ = std::string(kReadBytes, '\0');
  std::size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t line_ = 1;  // line of the next record's first byte

  // The current record.
  std::vector<Field> fields_;
  std::size_t rec_ = 0, rec_len_ = 0;  // its bytes: buf_[rec_, rec_ + rec_len_), no terminator
  std::string_view rec_term_;          // "\n", "\r\n", or "" (last line without one)
  std::uint64_t rec_line_ = 0;

  // The expression and its slots: slot s reads column col_of_slot_[s], or a --var value.
  std::size_t nfields_ = 0;
  std::vector<int> slot_of_col_;  // -1: passes through
  std::vector<std::string> header_;
  std::unique_ptr<Compiled> code_;
  std::string_view header_term_ = "\n";

  // The block: columns, and where each row's bytes are.
  std::vector<std::vector<double>> cols_;
  std::vector<const double*> col_ptrs_;
  double no_column_ = 0;
  struct Row {
    std::size_t at, len;
    std::string_view term;
  };
  std::vector<Row> rows_;
  std::vector<double> results_;
  std::uint64_t rows_done_ = 0;
  Clock::duration t_eval_{};

  std::string out_;
  bool write_failed_ = false;
};

std::optional<std::size_t> CsvJob::scan(bool eof) {
  fields_.clear();
  const char* const p = buf_.data() + pos_;
  const char* const end = buf_.data() + end_;
  const char* i = p;
  std::uint64_t newlines = 0;
  for (;;) {
    const char* field = i;
    if (i < end && *i == '"') {  // quoted: up to the closing quote; "" is a quote
      for (++i;; ++i) {
        const char* q = static_cast<const char*>(std::memchr(i, '"', static_cast<std::size_t>(end - i)));
        for (const char* c = i; c < (q ? q : end); ++c) newlines += *c == '\n';
        if (!q) {
          if (eof) throw Malformed{line_, "unterminated quoted field (a '\"' opens it and none closes it)"};
          return std::nullopt;
        }
        if (q + 1 == end && !eof) return std::nullopt;  // "" split across reads?
        i = q;
        if (q + 1 < end && q[1] == '"') {
          ++i;
          continue;
        }
        ++i;
        break;
      }
    }
    while (i < end && *i != ',' && *i != '\n') ++i;
    if (i == end && !eof) return std::nullopt;
    fields_.push_back({static_cast<std::size_t>(field - p), static_cast<std::size_t>(i - p)});
    if (i < end && *i == ',') {
      ++i;
      continue;
    }
    // The record ends here: at a newline, or at the end of the input.
    rec_ = pos_;
    rec_len_ = static_cast<std::size_t>(i - p);
    rec_term_ = i < end ? "\n" : "";
    if (i < end && rec_len_ > 0 && p[rec_len_ - 1] == '\r') {
      --rec_len_;
      rec_term_ = "\r\n";
      fields_.back().end = std::min(fields_.back().end, rec_len_);
    }
    rec_line_ = line_;
    line_ += newlines + (i < end ? 1 : 0);
    return static_cast<std::size_t>(i - p) + (i < end ? 1 : 0);
  }
}

bool CsvJob::next_record() {
  for (;;) {
    if (pos_ < end_ || eof_) {
      if (pos_ == end_) return false;  // eof and nothing left
      if (std::optional<std::size_t> n = scan(eof_)) {
        pos_ += *n;
        return true;
      }
    }
    if (end_ - pos_ > kMaxRecordBytes)
      throw Malformed{line_, "a record longer than " + mib(kMaxRecordBytes) + " (an unterminated quoted field?)"};
    fill();
  }
}

bool CsvJob::fill() {
  // The rows of the block point into buf_: write them before moving its bytes.
  flush_block();
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ + kReadBytes > buf_.size()) buf_.resize(end_ + kReadBytes);  // a record longer than a read
  std::size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, in_);
  if (n == 0) {
    if (std::ferror(in_)) throw Malformed{line_, std::string("read error: ") + std::strerror(errno)};
    eof_ = true;
    return false;
  }
  end_ += n;
  bytes_read_ += n;
  return true;
}

// Parses and checks the expression against the header's names and the --var values.
bool CsvJob::compile(std::string_view header_line) {
  for (const Field& f : fields_) header_.push_back(std::string(trim(unquote(header_line.substr(f.begin, f.end - f.begin)))));
  if (!header_.empty() && header_[0].rfind("\xEF\xBB\xBF", 0) == 0) header_[0].erase(0, 3);  // UTF-8 BOM
  nfields_ = header_.size();
  slot_of_col_.assign(nfields_, -1);

  const std::string& text = o_.exprs.front();
  Source src{"<expr>", text, 1};
  try {
    ExprPtr e = parse_expression(text, o_.parser);
    for (const NamedConstant& c : constants())
      for (const std::string& h : header_)
        if (h == c.name && mentions(*e, c.name))
          throw Malformed{1, "the column '" + h + "' has the name of the constant " + h +
                                 ", which the expression reads; rename the column"};
    Scope scope;
    std::vector<double> var_values;  // by slot; NaN-free marker not needed: col_of_slot decides
    std::vector<int> col_of_slot;
    for (const std::string& name : free_variables(*e)) {
      int col = -1;
      for (std::size_t c = 0; c < nfields_; ++c)
        if (header_[c] == name) {
          if (col >= 0) throw Malformed{1, "the column '" + name + "' appears twice in the header"};
          col = static_cast<int>(c);
        }
      const std::pair<std::string, double>* var = nullptr;
      for (const auto& v : o_.vars)
        if (v.first == name) var = &v;
      if (col >= 0 && var) throw Malformed{1, "'" + name + "' is both a column and a --var"};
      if (col < 0 && !var) continue;  // the checker reports it, with its position
      std::uint32_t slot = scope.define(name);
      col_of_slot.push_back(col);
      var_values.push_back(var ? var->second : 0.0);
      if (col >= 0) slot_of_col_[static_cast<std::size_t>(col)] = static_cast<int>(slot);
    }
    try {
      check(*e, scope);
    } catch (const CompileError& err) {
      std::string cols;
      for (const std::string& h : header_) cols += (cols.empty() ? "" : ", ") + h;
      std::fputs((format_error(src, err) + "note: the columns of " + name_ + " are: " + cols + "\n").c_str(), stderr);
      return false;
    }
    auto t0 = Clock::now();
    const Expr* one = e.get();
    code_ = std::move(engine_.compile_many(std::span(&one, 1), scope.size()).front());
    if (o_.time) std::fprintf(stderr, "time: compile %.1f ms\n", std::chrono::duration<double, std::milli>(Clock::now() - t0).count());

    cols_.assign(scope.size(), std::vector<double>(kBlockRows));
    for (std::size_t s = 0; s < scope.size(); ++s) {
      if (col_of_slot[s] < 0) std::fill(cols_[s].begin(), cols_[s].end(), var_values[s]);  // a --var: constant
      col_ptrs_.push_back(cols_[s].data());
    }
    if (col_ptrs_.empty()) col_ptrs_.push_back(&no_column_);  // no variables: never read
    results_.resize(kBlockRows);
    rows_.reserve(kBlockRows);
  } catch (const CompileError& err) {
    std::fputs(format_error(src, err).c_str(), stderr);
    return false;
  }
  return true;
}

void CsvJob::add_row() {
  if (fields_.size() != nfields_)
    throw Malformed{rec_line_, "expected " + std::to_string(nfields_) + " fields (as the header), found " +
                                   std::to_string(fields_.size())};
  const std::size_t r = rows_.size();
  const std::string_view rec(buf_.data() + rec_, rec_len_);
  for (std::size_t c = 0; c < nfields_; ++c) {
    int slot = slot_of_col_[c];
    if (slot < 0) continue;
    std::string_view raw = rec.substr(fields_[c].begin, fields_[c].end - fields_[c].begin);
    std::optional<double> v = raw.empty() || raw[0] != '"' ? parse_number(raw) : parse_number(unquote(raw));
    if (!v) {
      if (trim(raw).empty()) throw Malformed{rec_line_, "column '" + header_[c] + "': empty value"};
      throw Malformed{rec_line_, "column '" + header_[c] + "': '" + shown(raw) + "' is not a number"};
    }
    cols_[static_cast<std::size_t>(slot)][r] = *v;
  }
  rows_.push_back({rec_, rec_len_, rec_term_.empty() ? header_term_ : rec_term_});
  if (rows_.size() == kBlockRows) flush_block();
}

void CsvJob::flush_block() {
  if (rows_.empty()) return;
  auto t0 = Clock::now();
  code_->eval_batch(col_ptrs_.data(), rows_.size(), results_.data());
  t_eval_ += Clock::now() - t0;
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    out_.append(buf_, rows_[r].at, rows_[r].len);
    out_ += ',';
    out_ += format_value(results_[r]);
    out_ += rows_[r].term;
  }
  rows_done_ += rows_.size();
  rows_.clear();
  if (out_.size() >= kFlushBytes) write_out();
  progress_.update(bytes_read_ - (end_ - pos_), rows_done_);
}

void CsvJob::write(std::string_view s) {
  out_ += s;
  if (out_.size() >= kFlushBytes) write_out();
}

void CsvJob::write_out() {
  if (!out_.empty() && !write_failed_ && std::fwrite(out_.data(), 1, out_.size(), stdout) != out_.size())
    write_failed_ = true;
  out_.clear();
}

int CsvJob::run() {
  auto t0 = Clock::now();
  int status = 0;
  try {
    // The header: the first non-blank record.
    bool have_header = false;
    while (!have_header && next_record()) have_header = rec_len_ > 0;
    if (!have_header) throw Malformed{line_ > 1 ? line_ - 1 : 1, "no header row (the input is empty)"};
    std::string header_line(buf_.data() + rec_, rec_len_);
    if (!rec_term_.empty()) header_term_ = rec_term_ == "\r\n" ? "\r\n" : "\n";
    if (!compile(header_line)) return 1;
    write(header_line + "," + csv_quote(o_.csv_as) + std::string(header_term_));
    while (!write_failed_ && next_record()) {
      if (rec_len_ == 0) continue;  // a blank line
      add_row();
    }
    flush_block();
  } catch (const Malformed& m) {
    flush_block();  // the rows before the bad one
    write_out();
    std::fflush(stdout);
    progress_.clear();
    std::fprintf(stderr, "%s:%llu: error: %s\n", name_.c_str(), static_cast<unsigned long long>(m.line),
                 m.message.c_str());
    status = 1;
  }
  write_out();
  if (std::fflush(stdout) != 0) write_failed_ = true;
  progress_.clear();
  if (write_failed_) {
    std::fprintf(stderr, "error: cannot write the output: %s\n", std::strerror(errno));
    return 1;
  }
  if (o_.time)
    std::fprintf(stderr, "time: %llu rows, eval %.1f ms, total %.1f ms (%s backend)\n",
                 static_cast<unsigned long long>(rows_done_), std::chrono::duration<double, std::milli>(t_eval_).count(),
                 std::chrono::duration<double, std::milli>(Clock::now() - t0).count(),
                 std::string(engine_.backend_name()).c_str());
  return status;
}

}  // namespace

int run_csv(const Options& o, Engine& engine) {
  std::FILE* in = stdin;
  std::string name = "<stdin>";
  std::uint64_t size = 0;
  if (*o.csv != "-") {
    in = std::fopen(o.csv->c_str(), "rb");
    if (!in) {
      std::fprintf(stderr, "error: cannot read '%s': %s\n", o.csv->c_str(), std::strerror(errno));
      return 1;
    }
    name = *o.csv;
  }
  struct stat st {};
  if (::fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<std::uint64_t>(st.st_size);
  int status = CsvJob(o, engine, in, name, size).run();
  if (in != stdin) std::fclose(in);
  return status;
}

}  // namespace exprjit::cli
