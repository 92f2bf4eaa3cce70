// scan.cpp — see scan.hpp.
#include "cli/csv/scan.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace exprjit::cli::csv {

std::optional<std::size_t> Scanner::scan(bool eof) {
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
    term_ = i < end ? "\n" : "";
    if (i < end && rec_len_ > 0 && p[rec_len_ - 1] == '\r') {
      --rec_len_;
      term_ = "\r\n";
      fields_.back().end = std::min(fields_.back().end, rec_len_);
    }
    rec_line_ = line_;
    line_ += newlines + (i < end ? 1 : 0);
    return static_cast<std::size_t>(i - p) + (i < end ? 1 : 0);
  }
}

void Scanner::fill() {
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ + kReadBytes > buf_.size()) buf_.resize(end_ + kReadBytes);  // a record longer than a read
  for (;;) {
    const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Malformed{line_, std::string("read error: ") + std::strerror(errno)};
    if (n == 0) eof_ = true;
    end_ += static_cast<std::size_t>(n);
    read_ += static_cast<std::uint64_t>(n);
    return;
  }
}

std::string unquote(std::string_view raw) {
  if (raw.empty() || raw[0] != '"') return std::string(raw);
  std::string s;
  bool in = true;
  for (std::size_t i = 1; i < raw.size(); ++i) {
    const char c = raw[i];
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

std::string quote(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace exprjit::cli::csv
