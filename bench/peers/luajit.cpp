// luajit.cpp — LuaJIT (Debian's libluajit-5.1-dev) as a benchmark engine.
//
// Each expression becomes a Lua function of the variables, f(v0, ..., v6) (translate.hpp's
// to_lua), in a lua_State of its own (so traces of one expression never evict another's).
// Single: the evaluation loop is written in Lua — it calls f, adds the result, swaps a<->b
// and x<->y, like the C++ loop of every other engine — so LuaJIT traces loop and function
// together (f is inlined into the trace); one lua_pcall runs a whole block of evaluations.
// Batch: a Lua loop over the columns as FFI double arrays, out[i] = f(c0[i], ..., c6[i]).
#include "bench/peers/peers.hpp"

#if EXPRJIT_BENCH_HAVE_LUAJIT
#include <lua.hpp>

#include "bench/translate/translate.hpp"
#endif

namespace exprjit::bench {

#if EXPRJIT_BENCH_HAVE_LUAJIT
namespace {

std::string params(std::size_t n, const char* prefix, const char* suffix = "") {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += (i ? ", " : "") + std::string(prefix) + std::to_string(i) + suffix;
  return s;
}

// The chunk for one expression; called with the batch columns (const double* const*) as
// its argument, it returns the single-evaluation loop and the batch loop.
std::string chunk(const std::string& expr, std::size_t nvars) {
  const std::string v = params(nvars, "v"), cols = params(nvars, "c", "[i]");
  std::string s = lua_prelude();
  s += "local cols = ffi.cast(\"const double* const*\", ...)\n";
  for (std::size_t i = 0; i < nvars; ++i) s += "local c" + std::to_string(i) + " = cols[" + std::to_string(i) + "]\n";
  s += "local function f(" + v + ")\n  return " + expr + "\nend\n";
  // The swap is corpus.hpp's next_binding: a<->b (slots 0, 1) and x<->y (slots 3, 4).
  s += "local function single(n, " + v + ")\n  local s = -0.0\n  for i = 1, n do\n    s = s + f(" + v +
       ")\n    v0, v1 = v1, v0\n    v3, v4 = v4, v3\n  end\n  return s\nend\n";
  s += "local function batch(out, n)\n  local o = ffi.cast(\"double*\", out)\n  for i = 0, n - 1 do\n    o[i] = f(" +
       cols + ")\n  end\nend\nreturn single, batch\n";
  return s;
}

class LuaEvaluator final : public Evaluator {
 public:
  LuaEvaluator(const std::string& expr, const Job& job) : nvars_(job.corpus.names.size()), L_(luaL_newstate()) {
    if (!L_) throw std::runtime_error("luajit: cannot create a state");
    if (nvars_ < 5) throw std::runtime_error("luajit: the swap needs the corpus's variables a b c x y");
    luaL_openlibs(L_);
    const std::string src = chunk(expr, nvars_);
    if (luaL_loadbuffer(L_, src.data(), src.size(), "expr") != 0) fail("load");
    lua_pushlightuserdata(L_, const_cast<double**>(job.cols));
    if (lua_pcall(L_, 1, 2, 0) != 0) fail("run");
    batch_ = luaL_ref(L_, LUA_REGISTRYINDEX);   // pops the top: batch
    single_ = luaL_ref(L_, LUA_REGISTRYINDEX);  // then single
  }
  ~LuaEvaluator() override { lua_close(L_); }

  double run(double* v, std::size_t count) override {
    lua_rawgeti(L_, LUA_REGISTRYINDEX, single_);
    lua_pushnumber(L_, static_cast<lua_Number>(count));
    for (std::size_t s = 0; s < nvars_; ++s) lua_pushnumber(L_, v[s]);
    if (lua_pcall(L_, static_cast<int>(nvars_) + 1, 1, 0) != 0) fail("single");
    const double r = lua_tonumber(L_, -1);
    lua_pop(L_, 1);
    if (count & 1) next_binding(v);  // the swap is an involution: leave v as the C++ loops do
    return r;
  }

  void run_batch(std::size_t n, double* out) override {
    lua_rawgeti(L_, LUA_REGISTRYINDEX, batch_);
    lua_pushlightuserdata(L_, out);
    lua_pushnumber(L_, static_cast<lua_Number>(n));
    if (lua_pcall(L_, 2, 0, 0) != 0) fail("batch");
  }

 private:
  [[noreturn]] void fail(const char* what) {
    std::string msg = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "?";
    lua_pop(L_, 1);
    throw std::runtime_error(std::string("luajit (") + what + "): " + msg);
  }

  std::size_t nvars_;
  lua_State* L_;
  int single_ = LUA_NOREF, batch_ = LUA_NOREF;
};

}  // namespace

Engine luajit_engine() {
  Engine e{"luajit", luajit_version() + ": a Lua function per expression; loop in Lua (traced); batch over FFI arrays",
           Engine::peer, true, true, "", nullptr};
  e.prepare = [](const Job& job) -> Prepared {
    return {std::make_unique<LuaEvaluator>(to_lua(*check_text(job.text, job.corpus.names)), job), ""};
  };
  return e;
}

std::string luajit_version() {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  std::string s = LUAJIT_VERSION;
  if (luaL_dostring(L, "local j = require('jit'); return (j.status() and 'JIT on' or 'JIT off') .. ', ' .. j.arch") == 0)
    s += std::string(" (") + lua_tostring(L, -1) + ")";
  lua_close(L);
  return s;
}

#else

Engine luajit_engine() {
  return {"luajit", "LuaJIT", Engine::peer, true, true,
          "libluajit-5.1-dev was not found when the benchmark was built (scripts/bootstrap installs it)", nullptr};
}
std::string luajit_version() { return ""; }

#endif

}  // namespace exprjit::bench
