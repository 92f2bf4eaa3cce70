// io.cpp — see io.hpp.
#include "cli/io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

namespace exprjit::cli {

namespace {
constexpr std::size_t kFlushBytes = 1 << 16;
constexpr std::size_t kReadBytes = 1 << 16;
}  // namespace

void Output::write(std::string_view s) {
  if (s.size() >= kFlushBytes) {  // a large piece (a --csv block) goes out as it is
    flush();
    write_all(s);
    return;
  }
  buf_.append(s);
  if (buf_.size() >= kFlushBytes) flush();
}

void Output::flush() {
  write_all(buf_);
  buf_.clear();
}

void Output::write_all(std::string_view rest) {
  while (!failed_ && !rest.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed_ = true;
      errno_ = n < 0 ? errno : EIO;
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

int Output::finish(int status) {
  flush();
  // A reader that went away (EPIPE, with SIGPIPE ignored) ends the output as SIGPIPE would.
  if (!failed_ || errno_ == EPIPE) return status;
  std::fprintf(stderr, "error: cannot write the output: %s\n", std::strerror(errno_));
  return 1;
}

bool LineReader::fill() {
  if (pos_ > 0) buf_.erase(0, pos_), pos_ = 0;
  const std::size_t at = buf_.size();
  try {
    buf_.resize(at + kReadBytes);
  } catch (const std::bad_alloc&) {
    error_ = name_ + ":" + std::to_string(line_ + 1) + ": error: a line too long to hold in memory (" +
             std::to_string(at) + " bytes read of it)";
    buf_.clear();
    return false;
  }
  for (;;) {
    const ssize_t n = ::read(fd_, buf_.data() + at, kReadBytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = name_ + ":" + std::to_string(line_ + 1) + ": error: read error: " + std::strerror(errno);
      buf_.resize(at);
      return false;
    }
    buf_.resize(at + static_cast<std::size_t>(n));
    if (n == 0) eof_ = true;
    return true;
  }
}

std::optional<std::string> LineReader::next() {
  if (!error_.empty()) return std::nullopt;
  for (;;) {
    if (!started_ && (buf_.size() - pos_ >= 3 || eof_)) {  // a byte order mark starts the file
      started_ = true;
      if (buf_.compare(pos_, 3, "\xEF\xBB\xBF") == 0) pos_ += 3;
    }
    const std::size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos || (eof_ && pos_ < buf_.size())) {
      const std::size_t end = nl == std::string::npos ? buf_.size() : nl;
      std::string line = buf_.substr(pos_, end - pos_);
      pos_ = nl == std::string::npos ? buf_.size() : nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      ++line_;
      return line;
    }
    if (eof_) return std::nullopt;
    if (!fill()) return std::nullopt;
  }
}

int open_input(const std::string& path, std::string* why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    *why = std::strerror(errno);
    return -1;
  }
  struct stat st{};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    *why = std::strerror(EISDIR);
    return -1;
  }
  // Opened without blocking (a FIFO with no writer would hang open); reads may block.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

}  // namespace exprjit::cli
