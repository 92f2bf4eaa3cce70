// io.hpp — the program's input and output, with every error reported: nothing is lost
// silently.  Output goes to stdout through one buffer; a failed write (a full disk,
// /dev/full) is remembered and turns the exit status into 1 with "error: cannot write the
// output: ...".  Input is read in lines from a file descriptor with read(2); a read error (a
// directory as stdin, EIO, a closed stdin) ends the input with "NAME: error: read error: ..."
// and exit status 1, never as if the input had ended.  A UTF-8 byte order mark at the start
// of a file is dropped.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace exprjit::cli {

class Output {
 public:
  Output() = default;
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() { flush(); }

  void write(std::string_view s);
  void line(std::string_view s) {  // s and a newline
    write(s);
    write("\n");
  }
  // Writes what is buffered (interactive output: before reading the next key).
  void flush();
  bool failed() const { return failed_; }
  // The exit status after all output: status, or 1 with a message if a write failed.
  int finish(int status);

 private:
  void write_all(std::string_view s);  // to stdout, unless a write has failed

  std::string buf_;
  bool failed_ = false;
  int errno_ = 0;
};

class LineReader {
 public:
  // fd is not closed.  name is for messages ("<stdin>", a file name).
  LineReader(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

  // The next line without its terminator (LF or CRLF), or nullopt at the end of the input
  // or on an error (then error() says what, "NAME:LINE: error: ...").  Lines may hold NUL
  // and any other byte.
  std::optional<std::string> next();
  const std::string& error() const { return error_; }
  std::uint32_t line_number() const { return line_; }  // of the line next() returned last
  const std::string& name() const { return name_; }

 private:
  bool fill();

  int fd_;
  std::string name_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool eof_ = false, started_ = false;
  std::uint32_t line_ = 0;
  std::string error_;
};

// Opens a file for reading as -f and --csv do: a directory or another non-regular file that
// cannot be read as a stream is refused.  Returns the fd or -1 with *why.
int open_input(const std::string& path, std::string* why);

}  // namespace exprjit::cli
