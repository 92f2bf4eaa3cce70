// codegen.cpp — the Go code generator.
//
// Each function body is a list of statements in which every operand is an atom (a temporary,
// a constant, an input), so Go's precedence never matters, and every arithmetic result is
// converted with float64(...), which the Go spec says rounds and so forbids fusing a multiply
// and an add.  A conditional assigns a temporary in an if/else, so only the chosen arm runs.
// Literals are locals initialised from their bits, never untyped constants (Go would fold
// those exactly, and 1/0 would not compile).  A C function is called as ejCall<n>(fp, offset,
// args...) on its slot of the callee table.
//
// Size: a part of an expression heavier than kOutline nodes becomes a function of its own
// (S<j>), and a long chain is cut into groups of at most that weight, each a function taking
// the accumulated value; so no generated function grows with the expression, and the Go
// compiler's time grows linearly with its size.
#include "backends/gojit/emit/codegen.hpp"

#include <bit>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <memory>
#include <unordered_map>

#include "frontend/base/format.hpp"

namespace exprjit::gojit {

namespace {

constexpr std::size_t kOutline = 1500;  // nodes per generated function, about

#define CODEGEN_NOINLINE [[gnu::noinline]]

std::string hex(std::uint64_t b) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, b);
  return buf;
}
std::string num(std::size_t n) { return std::to_string(n); }

// A Go function name taken from builtins.def; checked so that a mistake in the table can
// produce nothing but an identifier or a qualified identifier.
std::string_view go_name(std::string_view name) {
  bool ok = !name.empty();
  for (char c : name)
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_');
  if (!ok) throw std::logic_error("builtins.def has an invalid Go name");
  return name;
}

// How a function's body reads its inputs.
struct Access {
  enum Kind { values, pointers, locals, row, params } kind;
  std::size_t n = 0;                 // the array's length (values, pointers: slots; row: used; params)
  const std::vector<int>* compact = nullptr;  // locals, row: slot -> index among the used slots
  std::string env_arg;               // what an outlined function is passed ("v", "p", "&in", "a")

  std::string read(std::uint32_t i) const {
    switch (kind) {
      case values: return "v[" + num(i) + "]";
      case pointers: return "*p[" + num(i) + "]";
      case locals: return "x" + num(i);
      case row: return "in[" + num(static_cast<std::size_t>((*compact)[i])) + "]";
      case params: return "a[" + num(i) + "]";
    }
    return "";
  }
  bool outlinable() const { return kind != locals; }
  // The parameter an outlined function takes for it.
  std::string env_param() const {
    switch (kind) {
      case values: return "v *[" + num(n) + "]float64";
      case pointers: return "p *[" + num(n) + "]*float64";
      case row: return "in *[" + num(n) + "]float64";
      case params: return "a *[" + num(n) + "]float64";
      case locals: break;
    }
    return "";
  }
  Access inside() const {  // the same access from within an outlined function
    Access a = *this;
    a.env_arg = kind == values ? "v" : kind == pointers ? "p" : kind == row ? "in" : "a";
    return a;
  }
};

// What one Go file accumulates: the functions written so far and the callee table.
struct File {
  const ir::Unit& unit;
  std::string functions;
  std::vector<CalleeSlot> callees;
  std::map<std::tuple<int, std::uint32_t, std::uint32_t>, std::size_t> slot_of;  // (kind, fn/host, nargs)
  std::size_t outlined = 0;
  std::unordered_map<const ir::Expr*, std::size_t> weights;

  std::size_t slot(CalleeSlot s) {
    auto key = std::make_tuple(static_cast<int>(s.kind), s.kind == CalleeSlot::Kind::builtin ? static_cast<std::uint32_t>(s.fn) : s.host, s.nargs);
    auto [it, added] = slot_of.emplace(key, callees.size());
    if (added) callees.push_back(s);
    return it->second;
  }
  std::size_t weight(const ir::Expr& e) {
    if (auto it = weights.find(&e); it != weights.end()) return it->second;
    std::size_t w = 1;
    ir::for_each_child(e, [&](const ir::Expr& c) { w += weight(c); });
    weights.emplace(&e, w);
    return w;
  }
};

// Writes the statements of one Go function.
class Body {
 public:
  Body(File& file, Access access, const ir::Expr* root, int depth)
      : file_(file), access_(std::move(access)), root_(root), depth_(depth) {}

  // Emits the statements computing e; returns the atom holding its value.  The recursion
  // runs through value() and the node functions below only, each kept out of line with
  // few locals; composing the text of a statement happens in helpers that return before
  // the next level is entered, so kMaxDepth levels fit in the stack (also under
  // AddressSanitizer, where an inlined frame holding every kind's strings was 11 KiB).
  std::string value(const ir::Expr& e) {
    if (&e != root_ && access_.outlinable() && file_.weight(e) > kOutline) return outline(e);
    return std::visit([&](const auto& n) { return node(e, n); }, e.node);
  }

  // Runs of the accumulated value through links [from, to) of a chain, in place.
  void links(const std::string& acc, const std::vector<ir::Link>& ls, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      const std::string y = value(*ls[i].rhs);
      assign(acc, operation(ls[i].op, acc, y));
    }
  }

  // The function's text: declarations of the constants it uses, then the statements.
  std::string constants(int depth) const {
    std::string s;
    for (const auto& [index, bits] : consts_order_)
      s.append(static_cast<std::size_t>(depth), '\t')
          .append("k" + num(index) + " := math.Float64frombits(" + hex(bits) + ") // " +
                  format_value(std::bit_cast<double>(bits)) + "\n");
    return s;
  }
  const std::string& statements() const { return out_; }
  bool uses_env() const { return env_used_; }

 private:
  File& file_;
  Access access_;
  const ir::Expr* root_;
  int depth_;
  std::string out_;
  std::size_t temps_ = 0;
  std::unordered_map<std::uint64_t, std::size_t> consts_;
  std::vector<std::pair<std::size_t, std::uint64_t>> consts_order_;
  bool env_used_ = false;

  void line(const std::string& s) { out_.append(static_cast<std::size_t>(depth_), '\t').append(s).append("\n"); }
  std::string temp() { return "t" + num(temps_++); }
  std::string let(const std::string& rhs) {
    std::string t = temp();
    line(t + " := " + rhs);
    return t;
  }
  std::string konst(double v) {
    const auto bits = std::bit_cast<std::uint64_t>(v);
    auto [it, added] = consts_.emplace(bits, consts_.size());
    if (added) consts_order_.emplace_back(it->second, bits);
    return "k" + num(it->second);
  }
  std::string input(std::uint32_t i) {
    env_used_ = true;
    return access_.read(i);
  }
  std::string env() {
    env_used_ = true;
    return access_.env_arg;
  }

  // A C function through its slot: ejCall<n>(fp, 8*slot, args...).
  std::string c_call(CalleeSlot s, const std::vector<std::string>& args) {
    if (args.size() > kMaxCallArgs)
      throw Unsupported("a call with " + num(args.size()) + " arguments (the jit's C calls take at most " +
                        num(kMaxCallArgs) + ")");
    s.nargs = static_cast<std::uint32_t>(args.size());
    std::string text = "ejCall" + num(args.size()) + "(fp, " + num(8 * file_.slot(s));
    for (const std::string& a : args) text += ", " + a;
    return text + ")";
  }

  std::string operation(BinOp op, const std::string& x, const std::string& y) {
    switch (op) {
      case BinOp::Add: return "float64(" + x + " + " + y + ")";
      case BinOp::Sub: return "float64(" + x + " - " + y + ")";
      case BinOp::Mul: return "float64(" + x + " * " + y + ")";
      case BinOp::Div: return "float64(" + x + " / " + y + ")";
      case BinOp::Mod: return c_call({CalleeSlot::Kind::builtin, Fn::FMOD, 0, 2}, {x, y});  // spec: C fmod
      case BinOp::Lt: return "ejB(" + x + " < " + y + ")";
      case BinOp::Le: return "ejB(" + x + " <= " + y + ")";
      case BinOp::Gt: return "ejB(" + x + " > " + y + ")";
      case BinOp::Ge: return "ejB(" + x + " >= " + y + ")";
      case BinOp::Eq: return "ejB(" + x + " == " + y + ")";
      case BinOp::Ne: return "ejB(" + x + " != " + y + ")";
      case BinOp::And: return "ejB(ejTruth(" + x + ") && ejTruth(" + y + "))";
      case BinOp::Or: return "ejB(ejTruth(" + x + ") || ejTruth(" + y + "))";
    }
    return "";
  }

  CODEGEN_NOINLINE std::string node(const ir::Expr&, const ir::Number& n) { return konst(n.value); }
  CODEGEN_NOINLINE std::string node(const ir::Expr&, const ir::Variable& v) { return input(v.slot); }
  CODEGEN_NOINLINE std::string node(const ir::Expr&, const ir::Param& p) { return input(p.index); }
  CODEGEN_NOINLINE std::string node(const ir::Expr&, const ir::Unary& u) {
    const std::string x = value(*u.operand);
    return unary_of(u.op, x);
  }
  CODEGEN_NOINLINE std::string node(const ir::Expr& e, const ir::Chain& c) {
    // The accumulator: the first operand's temporary when it has one (a temporary is used
    // once, by the operation it was made for), else a new one.
    std::string acc = value(*c.first);
    if (acc[0] != 't') acc = let(acc);
    if (!access_.outlinable() || file_.weight(e) <= kOutline) links(acc, c.rest, 0, c.rest.size());
    else chain_groups(acc, c);
    return acc;
  }
  CODEGEN_NOINLINE std::string node(const ir::Expr&, const ir::PowInt& p) {
    if (p.n == 0) return konst(1.0);  // x^0 = 1 for every x: the base is not computed (nothing would use it)
    const std::string b = value(*p.base);
    return pow_chain(b, p.n);
  }
  CODEGEN_NOINLINE std::string node(const ir::Expr&, const ir::Conditional& c) {
    const std::string cond = value(*c.cond);
    const std::string t = open_if(cond);
    ++depth_;
    const std::string a = value(*c.then_expr);
    assign(t, a);
    --depth_;
    raw_line("} else {");
    ++depth_;
    const std::string b = value(*c.else_expr);
    assign(t, b);
    --depth_;
    raw_line("}");
    return t;
  }
  CODEGEN_NOINLINE std::string node(const ir::Expr& e, const ir::Call& c) {
    if (const Builtin* b = go_fold(c)) {
      // A left fold (min, max): each argument is folded in as soon as it is computed, so one
      // value is live, not one per argument; a heavy one is cut into groups of arguments,
      // each a function of the accumulated value, like a long chain.
      std::string acc = value(*c.args[0]);
      if (acc[0] != 't') acc = let(acc);
      if (!access_.outlinable() || file_.weight(e) <= kOutline) fold_args(*b, acc, c, 1, c.args.size());
      else fold_groups(*b, acc, c);
      return acc;
    }
    std::vector<std::string> args;
    args.reserve(c.args.size());
    for (const ir::ExprPtr& a : c.args) args.push_back(value(*a));  // left to right
    return finish_call(c, args);
  }

  // ---- helpers: each builds the text of a statement and returns before any recursion ----
  CODEGEN_NOINLINE void raw_line(const char* s) { line(s); }
  CODEGEN_NOINLINE void assign(const std::string& to, const std::string& rhs) { line(to + " = " + rhs); }
  CODEGEN_NOINLINE std::string unary_of(UnOp op, const std::string& x) {
    return let(op == UnOp::Not ? "ejNot(" + x + ")" : "-" + x);
  }
  CODEGEN_NOINLINE std::string open_if(const std::string& cond) {
    const std::string t = temp();
    line("var " + t + " float64");
    line("if " + cond + " != 0 {");
    return t;
  }

  // A long chain: groups of links of about kOutline nodes, each a function of the
  // accumulated value.
  CODEGEN_NOINLINE void chain_groups(const std::string& acc, const ir::Chain& c) {
    for (std::size_t from = 0; from < c.rest.size();) {
      std::size_t to = from, w = 0;
      while (to < c.rest.size() && (to == from || w + file_.weight(*c.rest[to].rhs) + 1 <= kOutline))
        w += file_.weight(*c.rest[to++].rhs) + 1;
      const std::string name = "S" + num(file_.outlined++);
      auto inner = std::make_unique<Body>(file_, access_.inside(), nullptr, 1);
      inner->links("acc", c.rest, from, to);
      file_.functions += "\nfunc " + name + "(" + access_.env_param() + ", fp unsafe.Pointer, acc float64) float64 {\n" +
                         inner->constants(1) + inner->statements() + "\treturn acc\n}\n";
      line(acc + " = " + name + "(" + env() + ", fp, " + acc + ")");
      from = to;
    }
  }

  // The variadic built-in with a Go implementation that c calls (a left fold), or nullptr.
  static const Builtin* go_fold(const ir::Call& c) {
    const auto* bp = std::get_if<const Builtin*>(&c.callee);
    return bp && !(*bp)->go.empty() && (*bp)->variadic() && c.args.size() > 1 ? *bp : nullptr;
  }
  CODEGEN_NOINLINE void fold_args(const Builtin& b, const std::string& acc, const ir::Call& c, std::size_t from,
                                  std::size_t to) {
    const std::string fn(go_name(b.go));
    for (std::size_t i = from; i < to; ++i) {
      const std::string x = value(*c.args[i]);  // left to right, as the spec evaluates them
      assign(acc, fn + "(" + acc + ", " + x + ")");
    }
  }
  CODEGEN_NOINLINE void fold_groups(const Builtin& b, const std::string& acc, const ir::Call& c) {
    for (std::size_t from = 1; from < c.args.size();) {
      std::size_t to = from, w = 0;
      while (to < c.args.size() && (to == from || w + file_.weight(*c.args[to]) + 1 <= kOutline))
        w += file_.weight(*c.args[to++]) + 1;
      const std::string name = "S" + num(file_.outlined++);
      auto inner = std::make_unique<Body>(file_, access_.inside(), nullptr, 1);
      inner->fold_args(b, "acc", c, from, to);
      file_.functions += "\nfunc " + name + "(" + access_.env_param() + ", fp unsafe.Pointer, acc float64) float64 {\n" +
                         inner->constants(1) + inner->statements() + "\treturn acc\n}\n";
      line(acc + " = " + name + "(" + env() + ", fp, " + acc + ")");
      from = to;
    }
  }

  // An expression of its own: S<j>(env, fp) returns its value.  The inner function's
  // writer lives on the heap: outlined parts nest as deep as the expression.
  CODEGEN_NOINLINE std::string outline(const ir::Expr& e) {
    auto inner = std::make_unique<Body>(file_, access_.inside(), &e, 1);
    const std::string v = inner->value(e);
    return finish_outline(*inner, v);
  }
  CODEGEN_NOINLINE std::string finish_outline(const Body& inner, const std::string& v) {
    const std::string name = "S" + num(file_.outlined++);
    file_.functions += "\nfunc " + name + "(" + access_.env_param() + ", fp unsafe.Pointer) float64 {\n" +
                       inner.constants(1) + inner.statements() + "\treturn " + v + "\n}\n";
    return let(name + "(" + env() + ", fp)");
  }

  // The spec's multiplication chain (rt::pow_int) of the base b, with r = 1 left out (1 * y is y).
  CODEGEN_NOINLINE std::string pow_chain(std::string b, int n) {
    unsigned m = static_cast<unsigned>(n < 0 ? -n : n);
    std::string r;
    while (m > 0) {
      if (m & 1) r = r.empty() ? b : let("float64(" + r + " * " + b + ")");
      m >>= 1;
      if (m > 0) b = let("float64(" + b + " * " + b + ")");
    }
    if (n < 0) r = let("float64(" + konst(1.0) + " / " + r + ")");
    return r;
  }

  CODEGEN_NOINLINE std::string finish_call(const ir::Call& c, const std::vector<std::string>& args) {
    if (const auto* bp = std::get_if<const Builtin*>(&c.callee)) {
      const Builtin& b = **bp;
      if (b.go.empty()) return let(c_call({CalleeSlot::Kind::builtin, b.id, 0, 0}, args));
      const std::string fn(go_name(b.go));
      if (b.variadic()) {  // left fold: f(f(a, b), c)
        std::string acc = args[0];
        for (std::size_t i = 1; i < args.size(); ++i) acc = let(fn + "(" + acc + ", " + args[i] + ")");
        return acc;
      }
      std::string text = fn + "(";
      for (std::size_t i = 0; i < args.size(); ++i) text += (i ? ", " : "") + args[i];
      return let(text + ")");
    }
    if (const auto* h = std::get_if<ir::HostRef>(&c.callee))
      return let(c_call({CalleeSlot::Kind::host, Fn::SIN, static_cast<std::uint32_t>(file_.unit.host_index(h->get())), 0},
                        args));
    const ir::Function& f = *std::get<ir::FunctionRef>(c.callee);
    const std::string fn = "F" + num(file_.unit.function_index(&f));
    if (args.empty()) return let(fn + "(nil, fp)");
    const std::string r = "r" + num(temps_++);
    line("var " + r + " [" + num(args.size()) + "]float64");
    for (std::size_t i = 0; i < args.size(); ++i) line(r + "[" + num(i) + "] = " + args[i]);
    return let(fn + "(&" + r + ", fp)");
  }
};

// The slots an expression reads, in increasing order (not through calls: those pass values).
void slots_read(const ir::Expr& e, std::vector<bool>& used) {
  if (const auto* v = std::get_if<ir::Variable>(&e.node)) used[v->slot] = true;
  if (const auto* p = std::get_if<ir::PowInt>(&e.node); p && p->n == 0) return;  // its base is not computed
  ir::for_each_child(e, [&](const ir::Expr& c) { slots_read(c, used); });
}

void row_function(File& file, const ir::Expr& e, std::size_t k, EntryKind kind) {
  const std::size_t n = file.unit.nslots;
  const bool values = kind == EntryKind::values;
  Access a{values ? Access::values : Access::pointers, n, nullptr, values ? "v" : "p"};
  Body body(file, a, &e, 1);
  const std::string v = body.value(e);
  std::string& out = file.functions;
  out += "\n// " + entry_name(kind, k) + " evaluates expression " + num(k) + " for one row: " + (values ? "vp" : "pp") +
         " points at its " + num(n) + (values ? " values" : " pointers") + ", fp at the callee table.\n";
  out += "func " + entry_name(kind, k) + "(_, _, _ uintptr, " + (values ? "vp" : "pp") + " unsafe.Pointer, fp unsafe.Pointer) float64 {\n";
  if (body.uses_env())
    out += values ? "\tv := (*[" + num(n) + "]float64)(vp)\n" : "\tp := (*[" + num(n) + "]*float64)(pp)\n";
  out += body.constants(1) + body.statements() + "\treturn " + v + "\n}\n";
}

void batch_function(File& file, const ir::Expr& e, std::size_t k) {
  std::vector<bool> used(file.unit.nslots, false);
  slots_read(e, used);
  std::vector<int> compact(file.unit.nslots, -1);
  std::vector<std::uint32_t> slots;
  for (std::uint32_t s = 0; s < used.size(); ++s)
    if (used[s]) compact[s] = static_cast<int>(slots.size()), slots.push_back(s);
  // Small expressions keep each row's inputs in locals; one that is cut into functions needs
  // them in an array it can pass on.
  const bool big = file.weight(e) > kOutline;
  Access a{big ? Access::row : Access::locals, slots.size(), &compact, "&in"};
  Body body(file, a, &e, 2);
  const std::string v = body.value(e);
  std::string& out = file.functions;
  out += "\n// " + entry_name(EntryKind::batch, k) + " evaluates expression " + num(k) +
         " for n rows: cols points at one column pointer per slot.\n";
  out += "func " + entry_name(EntryKind::batch, k) + "(cols, out unsafe.Pointer, n int, fp unsafe.Pointer) {\n";
  for (std::uint32_t s : slots) out += "\tc" + num(s) + " := *(*unsafe.Pointer)(unsafe.Add(cols, " + num(8 * s) + "))\n";
  out += body.constants(1);
  if (big) out += "\tvar in [" + num(slots.size()) + "]float64\n";
  out += "\tfor i := uintptr(0); i < uintptr(n)*8; i += 8 {\n";
  for (std::uint32_t s : slots)
    out += (big ? "\t\tin[" + num(static_cast<std::size_t>(compact[s])) + "] = " : "\t\tx" + num(s) + " := ") +
           "*(*float64)(unsafe.Add(c" + num(s) + ", i))\n";
  out += body.statements() + "\t\t*(*float64)(unsafe.Add(out, i)) = " + v + "\n\t}\n}\n";
}

void language_function(File& file, const ir::Function& f, std::size_t j) {
  Access a{Access::params, f.params.size(), nullptr, "a"};
  Body body(file, a, f.body.get(), 1);
  const std::string v = body.value(*f.body);
  file.functions += "\n// F" + num(j) + " is the language function " + num(j) + " of the unit (" + num(f.params.size()) +
                    " parameters, a[i]).\n";
  file.functions += "func F" + num(j) + "(a *[" + num(f.params.size()) + "]float64, fp unsafe.Pointer) float64 {\n" +
                    body.constants(1) + body.statements() + "\treturn " + v + "\n}\n";
}

}  // namespace

std::string entry_name(EntryKind kind, std::size_t expr) {
  return (kind == EntryKind::values ? "E" : kind == EntryKind::pointers ? "P" : "B") + std::to_string(expr);
}

std::string CalleeSlot::text() const {
  if (kind == Kind::builtin) return "c:" + std::string(builtin(fn).name);
  return "h" + std::to_string(host) + "/" + std::to_string(nargs);
}

std::string plugin_manifest(std::size_t nexprs, std::size_t nslots, const std::vector<CalleeSlot>& callees) {
  std::string s = "exprjit-gojit abi=" + std::to_string(kAbiVersion) + " exprs=" + std::to_string(nexprs) +
                  " slots=" + std::to_string(nslots) + " callees=";
  for (std::size_t i = 0; i < callees.size(); ++i) s += (i ? "," : "") + callees[i].text();
  return s;
}

GoSource generate_go(const ir::Unit& unit) {
  File file{unit, {}, {}, {}, 0, {}};
  for (std::size_t j = 0; j < unit.functions.size(); ++j) language_function(file, *unit.functions[j], j);
  for (std::size_t k = 0; k < unit.exprs.size(); ++k) {
    const ir::Expr& e = *unit.exprs[k];
    if (const auto* v = std::get_if<ir::Variable>(&e.node); v && v->slot >= unit.nslots)
      throw std::invalid_argument("generate_go: variable slot out of range");
    row_function(file, e, k, EntryKind::values);
    row_function(file, e, k, EntryKind::pointers);
    batch_function(file, e, k);
  }
  GoSource src;
  src.callees = file.callees;
  src.manifest = plugin_manifest(unit.exprs.size(), unit.nslots, file.callees);
  src.text =
      "// Code generated by exprjit's Go JIT backend; DO NOT EDIT.\n"
      "// Every name here comes from exprjit: inputs are slots, literals are re-printed from their\n"
      "// IEEE-754 bits, functions come from builtins.def or are numbered, C functions are called\n"
      "// through the callee table fp.  float64(...) around each operation forbids fused\n"
      "// multiply-adds.  Built with helpers.go.\n"
      "\n"
      "package main\n"
      "\n"
      "import (\n"
      "\t\"math\"\n"
      "\t\"unsafe\"\n"
      ")\n"
      "\n"
      "// EjManifest is checked by the loader before it looks up any function.\n"
      "var EjManifest = \"" +
      src.manifest +
      "\"\n"
      "\n"
      "var _ = math.Float64frombits // the imports stay used whatever the file needs\n"
      "var _ unsafe.Pointer\n" +
      file.functions;
  return src;
}

}  // namespace exprjit::gojit
