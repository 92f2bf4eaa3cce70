// json.hpp — a small JSON value for run.json (what the benchmark records besides Google
// Benchmark's own JSON: corpus, engines, gate results, jit compile latency).  Objects keep
// insertion order; non-finite numbers are written as null.
#pragma once
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace exprjit::bench {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;
  Json(bool b) : v_(b) {}                                  // NOLINT: implicit on purpose
  Json(double d) : v_(d) {}                                // NOLINT
  Json(int i) : v_(static_cast<double>(i)) {}              // NOLINT
  Json(std::size_t i) : v_(static_cast<double>(i)) {}      // NOLINT
  Json(std::string s) : v_(std::move(s)) {}                // NOLINT
  Json(const char* s) : v_(std::string(s)) {}              // NOLINT
  static Json array() { Json j; j.v_ = Array{}; return j; }
  static Json object() { Json j; j.v_ = Object{}; return j; }

  // Object member (added when missing).
  Json& operator[](const std::string& key) {
    if (!std::holds_alternative<Object>(v_)) v_ = Object{};
    auto& o = std::get<Object>(v_);
    for (auto& [k, v] : o)
      if (k == key) return v;
    o.emplace_back(key, Json());
    return o.back().second;
  }
  void push(Json v) {
    if (!std::holds_alternative<Array>(v_)) v_ = Array{};
    std::get<Array>(v_).push_back(std::move(v));
  }

  std::string dump(int indent = 0) const {
    std::string out;
    write(out, indent, 0);
    return out;
  }

 private:
  static void quote(std::string& out, const std::string& s) {
    out += '"';
    for (unsigned char c : s) {
      if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
      else if (c == '\n') out += "\\n";
      else if (c == '\t') out += "\\t";
      else if (c < 0x20) {  // other control bytes; UTF-8 passes through
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    out += '"';
  }
  void write(std::string& out, int indent, int depth) const {
    const std::string nl = indent ? "\n" + std::string(static_cast<std::size_t>(indent * (depth + 1)), ' ') : "";
    const std::string end = indent ? "\n" + std::string(static_cast<std::size_t>(indent * depth), ' ') : "";
    if (std::holds_alternative<std::monostate>(v_)) out += "null";
    else if (auto* b = std::get_if<bool>(&v_)) out += *b ? "true" : "false";
    else if (auto* d = std::get_if<double>(&v_)) {
      if (!std::isfinite(*d)) {
        out += "null";
      } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", *d);
        out += buf;
      }
    } else if (auto* s = std::get_if<std::string>(&v_)) quote(out, *s);
    else if (auto* a = std::get_if<Array>(&v_)) {
      out += '[';
      for (std::size_t i = 0; i < a->size(); ++i) {
        out += i ? "," + nl : nl;
        (*a)[i].write(out, indent, depth + 1);
      }
      out += a->empty() ? "]" : end + "]";
    } else if (auto* o = std::get_if<Object>(&v_)) {
      out += '{';
      for (std::size_t i = 0; i < o->size(); ++i) {
        out += i ? "," + nl : nl;
        quote(out, (*o)[i].first);
        out += indent ? ": " : ":";
        (*o)[i].second.write(out, indent, depth + 1);
      }
      out += o->empty() ? "}" : end + "}";
    }
  }

  std::variant<std::monostate, bool, double, std::string, Array, Object> v_;
};

}  // namespace exprjit::bench
