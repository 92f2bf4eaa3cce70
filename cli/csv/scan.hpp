// scan.hpp — RFC 4180 records out of a stream: the input is read in pieces into one buffer
// and records are scanned in place (fields as byte ranges), so a record's bytes can be
// written back unchanged.  Quoted fields may hold commas, doubled quotes and line breaks.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exprjit::cli::csv {

// A field of a record: [begin, end) relative to the record's first byte.
struct Field {
  std::size_t begin, end;
};

// A malformed input: where, and what.
struct Malformed {
  std::uint64_t line;
  std::string message;
};

class Scanner {
 public:
  static constexpr std::size_t kReadBytes = 1 << 20;        // bytes per read
  static constexpr std::size_t kMaxRecordBytes = 64 << 20;  // longer: an unterminated quote, surely

  explicit Scanner(int fd) : fd_(fd) {}

  // The next record (throws Malformed for an unterminated quote, a record too long, or a
  // read error); false at the end of the input.  Before it refills its buffer (which moves
  // the bytes of earlier records) it calls before_refill(): write out what points into it.
  template <class F>
  bool next(F&& before_refill) {
    for (;;) {
      if (pos_ < end_ || eof_) {
        if (pos_ == end_) return false;  // eof and nothing left
        if (std::optional<std::size_t> n = scan(eof_)) {
          pos_ += *n;
          return true;
        }
      }
      if (end_ - pos_ > kMaxRecordBytes)
        throw Malformed{line_, "a record longer than 64 MiB (an unterminated quoted field?)"};
      before_refill();
      fill();
    }
  }

  // The current record: its bytes (without the line end), the line end ("\n", "\r\n", or
  // "" for a last line without one), its fields, and the line it starts on.
  std::string_view record() const { return {buf_.data() + rec_, rec_len_}; }
  // Where the record sits in the buffer (valid until before_refill runs).
  std::size_t record_offset() const { return rec_; }
  std::string_view buffer() const { return buf_; }
  std::string_view terminator() const { return term_; }
  const std::vector<Field>& fields() const { return fields_; }
  std::uint64_t record_line() const { return rec_line_; }
  std::uint64_t line() const { return line_; }           // of the next record
  std::uint64_t bytes_consumed() const { return read_ - (end_ - pos_); }

 private:
  std::optional<std::size_t> scan(bool eof);  // length of the record at pos_, terminator included
  void fill();

  int fd_;
  std::string buf_ = std::string(kReadBytes, '\0');
  std::size_t pos_ = 0, end_ = 0;  // buf_[pos_, end_) not yet scanned
  bool eof_ = false;
  std::uint64_t read_ = 0;
  std::uint64_t line_ = 1;
  std::vector<Field> fields_;
  std::size_t rec_ = 0, rec_len_ = 0;
  std::string_view term_;
  std::uint64_t rec_line_ = 0;
};

// A field's text: quotes removed and doubled quotes undone for a quoted field (lenient, as
// Python's csv module: text after the closing quote is kept).
std::string unquote(std::string_view raw);
std::string_view trim(std::string_view s);
// A number as --var takes it: decimal (or inf, nan), optional sign, surrounding blanks.
std::optional<double> parse_number(std::string_view s);
// A name for the header, quoted when it needs to be.
std::string quote(std::string_view s);

}  // namespace exprjit::cli::csv
