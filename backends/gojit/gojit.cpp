// gojit.cpp — the jit backend: codegen -> toolchain -> cache or go build -> loader -> vet ->
// callee table -> entry points called directly, or the fallback's code where they cannot be.
#include "backends/gojit/gojit.hpp"

#include <chrono>
#include <cstdio>
#include <future>
#include <optional>
#include <stdexcept>
#include <vector>

#include "backends/cancel.hpp"
#include "backends/gojit/build/build.hpp"
#include "backends/gojit/emit/codegen.hpp"
#include "backends/gojit/inspect/vet.hpp"
#include "backends/gojit/runtime/ctable.hpp"
#include "backends/gojit/runtime/direct.hpp"
#include "backends/gojit/runtime/goloader.hpp"

namespace exprjit {
namespace {

// Whether e calls a host function not declared pure, directly or through a language function.
bool calls_impure_host(const ir::Expr& e) {
  if (const auto* call = std::get_if<ir::Call>(&e.node)) {
    if (const auto* h = std::get_if<ir::HostRef>(&call->callee); h && !(*h)->pure) return true;
    if (const auto* f = std::get_if<ir::FunctionRef>(&call->callee); f && calls_impure_host(*(*f)->body)) return true;
  }
  bool found = false;
  ir::for_each_child(e, [&](const ir::Expr& c) { found = found || calls_impure_host(c); });
  return found;
}

using namespace gojit;
using Clock = std::chrono::steady_clock;

std::string ms(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, seconds < 0.01 ? "%.3f ms" : "%.1f ms", seconds * 1e3);
  return buf;
}
std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// What the code of one unit shares: the callee table, and the fallback's code for every
// expression (where an entry point cannot be called directly, and for threads without the
// stack room a direct call needs).
struct UnitCode {
  UnitCode(const std::vector<CalleeSlot>& slots, const std::vector<ir::HostRef>& hosts) : table(slots, hosts) {}
  CalleeTable table;
  std::vector<std::unique_ptr<Compiled>> fallback;
};

// A trampolined entry point: the Go entry with the table, the stack it needs, the fallback.
template <class Entry>
struct Guarded {
  GoEntry go;
  std::size_t need;
  Entry fallback;
};

template <bool kThrows>
double row_guarded(const double* vars, const void* ctx) {
  const auto* g = static_cast<const Guarded<RowEntry>*>(ctx);
  if (stack_room() < g->need) return g->fallback.fn(vars, g->fallback.ctx);
  const double r = exprjit_gojit_enter_row(vars, &g->go);
  if constexpr (kThrows) rethrow_pending();
  return r;
}
template <bool kThrows>
double ptrs_guarded(const double* const* ptrs, const void* ctx) {
  const auto* g = static_cast<const Guarded<PtrEntry>*>(ctx);
  if (stack_room() < g->need) return g->fallback.fn(ptrs, g->fallback.ctx);
  const double r = exprjit_gojit_enter_row(ptrs, &g->go);
  if constexpr (kThrows) rethrow_pending();
  return r;
}
template <bool kThrows>
void batch_guarded(const double* const* cols, std::size_t n, double* out, const void* ctx) {
  const auto* g = static_cast<const Guarded<BatchEntry>*>(ctx);
  if (n == 0) return;
  if (stack_room() < g->need) return g->fallback.fn(cols, n, out, g->fallback.ctx);
  exprjit_gojit_enter_batch(cols, n, out, &g->go);
  if constexpr (kThrows) rethrow_pending();
}

// The verdict on one entry point and where it goes.
struct Choice {
  bool direct = false;
  bool bare = false;
  std::size_t need = 0;  // stack, with the C allowance when it calls C
  std::uintptr_t entry = 0;
  std::string why;       // when not direct
};

class GoCompiled final : public Compiled {
 public:
  GoCompiled(std::shared_ptr<const UnitCode> unit, std::size_t k, std::size_t nslots, const Choice& v, const Choice& p,
             const Choice& b)
      : Compiled(nslots), unit_(std::move(unit)) {
    const Compiled& fb = *unit_->fallback[k];
    const void* table = unit_->table.data();
    const bool throws = unit_->table.may_throw();
    values_ = {{v.entry, table}, v.need, fb.row_entry()};
    pointers_ = {{p.entry, table}, p.need, fb.ptr_entry()};
    batch_ = {{b.entry, table}, b.need, fb.batch_entry()};
    RowEntry row = fb.row_entry();
    PtrEntry ptr = fb.ptr_entry();
    BatchEntry bat = fb.batch_entry();
    // A bare leaf calls nothing, so it cannot throw: it is called as the C function it is.
    if (v.direct) row = v.bare ? RowEntry{reinterpret_cast<RowFn>(v.entry), table}
                               : RowEntry{throws ? &row_guarded<true> : &row_guarded<false>, &values_};
    if (p.direct) ptr = p.bare ? PtrEntry{reinterpret_cast<PtrFn>(p.entry), table}
                               : PtrEntry{throws ? &ptrs_guarded<true> : &ptrs_guarded<false>, &pointers_};
    if (b.direct) bat = BatchEntry{throws ? &batch_guarded<true> : &batch_guarded<false>, &batch_};
    set_entries(row, ptr, bat);
    auto how = [](const Choice& c) { return c.direct ? (c.bare ? "direct, no trampoline" : "direct") : "fallback: " + c.why; };
    set_how("jit: one row " + how(v) + "; by pointer " + how(p) + "; batch " + how(b));
  }

 private:
  std::shared_ptr<const UnitCode> unit_;
  Guarded<RowEntry> values_;
  Guarded<PtrEntry> pointers_;
  Guarded<BatchEntry> batch_;
};

class GoJitBackend final : public Backend {
 public:
  explicit GoJitBackend(BackendOptions o) : opts_(std::move(o)), log_(opts_.log ? *opts_.log : null_log_) {
    if (!opts_.fallback) throw std::logic_error("the jit backend needs a fallback backend (BackendOptions::fallback)");
  }

  std::string_view name() const override { return "jit"; }
  std::vector<std::unique_ptr<Compiled>> compile(const ir::Unit& unit) override { return *compile(unit, true); }
  std::optional<std::vector<std::unique_ptr<Compiled>>> compile_if_cached(const ir::Unit& unit) override {
    return compile(unit, false);
  }
  std::string listing(const ir::Unit& unit) override { return generate_go(unit).text; }

 private:
  struct Context {
    Cache cache;
    Toolchain toolchain;
  };

  // The cache and the toolchain, found on first use (never for tree/vm runs).
  Context& context() {
    if (!ctx_) {
      Cache cache(cache_root(Environment::current()));
      Toolchain tc = probe_toolchain(opts_.go, cache, opts_.build_timeout_s, log_);
      ctx_ = std::make_unique<Context>(Context{std::move(cache), std::move(tc)});
      if (log_.wants_detail())
        log_.detail("jit: toolchain " + ctx_->toolchain.go + " (" + ctx_->toolchain.version() +
                    (ctx_->toolchain.identity_cached ? ", identity cached" : "") + "), cache " + ctx_->cache.root());
    }
    return *ctx_;
  }

  // Everything on the fallback, for reason why (an error when direct calls are required).
  std::vector<std::unique_ptr<Compiled>> all_fallback(const ir::Unit& unit, const std::string& why) {
    if (opts_.jit_call == JitCall::direct) throw std::runtime_error("--jit-call=direct: " + why);
    if (log_.wants_detail()) log_.detail("jit: the " + std::string(opts_.fallback->name()) + " backend runs it: " + why);
    return opts_.fallback->compile(unit);
  }

  std::optional<PluginVet> vet(const CacheKey& key, const CacheFile& so, std::size_t nexprs);
  // may_build false: nullopt where a go build would be needed.
  std::optional<std::vector<std::unique_ptr<Compiled>>> compile(const ir::Unit& unit, bool may_build);

  BackendOptions opts_;
  Log null_log_;
  Log& log_;
  std::unique_ptr<Context> ctx_;
};

// The vetter's verdicts, stored beside the cached plugin (tied to its file name and to the
// rules), or computed with objdump and stored.
std::optional<PluginVet> GoJitBackend::vet(const CacheKey& key, const CacheFile& so, std::size_t nexprs) {
  Context& ctx = context();
  const std::string record = key.hex() + ".vet";
  const std::string head = "so " + so.path.substr(so.path.rfind('/') + 1) + "\n";
  auto t0 = Clock::now();
  std::optional<PluginVet> v;
  if (std::optional<std::string> text = ctx.cache.read_record(CacheKind::plugin, record); text && text->rfind(head, 0) == 0)
    v = vet_from_text(std::string_view(*text).substr(head.size()), nexprs);
  const bool stored = v.has_value();
  if (!v) {
    v = vet_plugin(so.fd.get(), so.path, key.module_path(CacheKind::plugin), nexprs, objdump_path(), opts_.build_timeout_s);
    // Storing the verdicts only saves the next process the vetting: a full or read-only
    // cache must not fail a plugin that is there.
    if (v->error.empty()) {
      try {
        ctx.cache.write_record(CacheKind::plugin, record, head + vet_to_text(*v));
      } catch (const std::exception& e) {
        log_.detail(std::string("jit: verdicts not stored (") + e.what() + ")");
      }
    }
  }
  if (log_.wants_detail())
    log_.detail(std::string("jit: machine code ") + (stored ? "verdicts from the cache" : "vetted with objdump") + " (" +
                std::to_string(v->functions) + " functions) in " + ms(since(t0)));
  log_.phase("vet", since(t0));
  return v;
}

std::optional<std::vector<std::unique_ptr<Compiled>>> GoJitBackend::compile(const ir::Unit& unit, bool may_build) {
  if (unit.exprs.empty()) return std::vector<std::unique_ptr<Compiled>>{};
  if (opts_.jit_call == JitCall::fallback) return all_fallback(unit, "--jit-call=fallback");

  auto t0 = Clock::now();
  GoSource src;
  try {
    src = generate_go(unit);
  } catch (const Unsupported& e) {
    return all_fallback(unit, std::string("the jit cannot compile ") + e.what());
  }
  if (log_.wants_detail())
    log_.detail("jit: codegen " + ms(since(t0)) + ": " + std::to_string(unit.exprs.size()) + " expression(s), " +
                std::to_string(src.text.size()) + " bytes of Go, " + std::to_string(src.callees.size()) + " C callee(s)");
  log_.phase("codegen", since(t0));

  auto tc0 = Clock::now();
  Context& ctx = context();
  log_.phase("toolchain", since(tc0));
  if (std::optional<std::string> why = direct_unsupported(ctx.toolchain)) return all_fallback(unit, *why);

  BuildSettings settings;
  settings.toolchain = &ctx.toolchain;
  settings.cache = &ctx.cache;
  settings.go_flags = opts_.go_flags;
  settings.timeout_s = opts_.build_timeout_s;
  settings.keep_temps = opts_.keep_temps;
  settings.log = &log_;
  settings.cancel_fds = {(opts_.cancel ? opts_.cancel : &process_interrupt())->fd()};

  GoHost& host = GoHost::instance();
  const CacheKey key = CacheKey::of("exprjit-gojit-plugin", toolchain_key_part(ctx.toolchain, opts_.go_flags) + "\n" +
                                                                std::string(kHelpersGo) + "\n" + src.text);
  std::optional<int> plugin = host.find_plugin(key);

  // A cache hit verifies two files of megabytes: the plugin's hash is checked on another
  // core while this thread verifies and dlopens the loader.
  std::string damage;
  auto tl0 = Clock::now();
  std::future<std::optional<CacheFile>> cached;
  if (!plugin)
    cached = std::async(std::launch::async, [&] { return ctx.cache.lookup(CacheKind::plugin, key, &damage); });
  GoHost::LoaderReport lr = host.ensure_loader(settings);
  if (log_.wants_detail() && lr.loaded_now)
    log_.detail("jit: loader " + (lr.cache_hit ? std::string("from cache (verified)") : "built in " + ms(lr.build_s)) +
                ", dlopen " + ms(lr.load_s) + " (" + lr.path + ")");

  std::optional<CacheFile> so;
  if (plugin) {
    if (log_.wants_detail()) log_.detail("jit: plugin " + key.hex().substr(0, 16) + " already loaded in this process");
  } else {
    so = cached.get();
    if (log_.wants_detail()) {
      log_.detail("jit: loader ready and plugin cache checked (SHA-256 of each .so) after " + ms(since(tl0)));
      if (so) log_.detail("jit: cache hit " + so->path);
      if (!damage.empty()) log_.detail("jit: " + damage);
    }
    BuildJob job;
    job.kind = CacheKind::plugin;
    job.key = key;
    job.module = key.module_path(CacheKind::plugin);  // Go's plugin path: unique per cache key
    job.files = {{"exprjit.go", src.text}, {"helpers.go", kHelpersGo}};
    job.buildmode = "plugin";
    job.what = unit.exprs.size() == 1 ? "the expression's plugin"
                                      : "the plugin of " + std::to_string(unit.exprs.size()) + " expressions";
    bool built = !so;
    if (built && !may_build) return std::nullopt;
    if (built) so = build_into_cache(settings, job).so;
    auto t1 = Clock::now();
    try {
      plugin = host.open_plugin(key, *so, src.manifest);
    } catch (const ForeignPlugin& e) {
      if (built)  // built just now, and still foreign: the toolchain does not build what its identity says
        throw std::runtime_error(std::string(e.what()) + "; it was built just now by " + ctx.toolchain.go +
                                 ", which builds plugins unlike its loader (a wrapper adding build flags?)");
      // A cached file of another Go runtime under this key (planted, or written by a
      // toolchain that changed behind its identity): removed and rebuilt, once.
      if (log_.wants_detail()) log_.detail(std::string("jit: ") + e.what() + "; removing the cache entry and rebuilding it");
      ctx.cache.remove(CacheKind::plugin, key);
      so = build_into_cache(settings, job).so;
      plugin = host.open_plugin(key, *so, src.manifest);
    }
    if (log_.wants_detail()) log_.detail("jit: load " + ms(since(t1)) + " (plugin.Open, manifest check)");
    log_.phase("load", since(t1));
  }

  std::optional<PluginVet> verdicts;
  if (so) verdicts = vet(key, *so, unit.exprs.size());
  else {  // opened by an earlier compile of this process: vet through the cached file again
    std::string d;
    std::optional<CacheFile> f = ctx.cache.lookup(CacheKind::plugin, key, &d);
    if (f) verdicts = vet(key, *f, unit.exprs.size());
  }

  auto t2 = Clock::now();
  auto code = std::make_shared<UnitCode>(src.callees, unit.hosts);
  code->fallback = opts_.fallback->compile(unit);
  std::vector<std::unique_ptr<Compiled>> out;
  std::vector<std::string> refused;
  std::size_t direct = 0, bare = 0;
  std::uint64_t stack = 0;
  for (std::size_t k = 0; k < unit.exprs.size(); ++k) {
    Choice c[3];
    for (EntryKind kind : {EntryKind::values, EntryKind::pointers, EntryKind::batch}) {
      Choice& ch = c[static_cast<int>(kind)];
      ch.entry = host.lookup(*plugin, kind, k);
      const Verdict* v = nullptr;
      if (!verdicts) ch.why = "its plugin cannot be vetted (the cache entry is gone)";
      else if (!verdicts->error.empty()) ch.why = "cannot vet the machine code: " + verdicts->error;
      else v = &(kind == EntryKind::values ? verdicts->values : kind == EntryKind::pointers ? verdicts->pointers
                                                                                           : verdicts->batches)[k];
      if (v && !v->ok) ch.why = v->why;
      if (v && v->ok) {
        ch.direct = true;
        ch.bare = v->bare && kind != EntryKind::batch;
        ch.need = static_cast<std::size_t>(v->stack) + (v->calls_c ? kCStackAllowance : 0) + 4096;
        stack = std::max<std::uint64_t>(stack, v->stack);
      }
    }
    auto compiled = std::make_unique<GoCompiled>(code, k, unit.nslots, c[0], c[1], c[2]);
    // Probing calls the expression's host functions with probe values: only pure ones may
    // be called at compile time (the API's contract), so an expression reaching another
    // is not probed; its code is still vetted like any other.
    if ((c[0].direct || c[1].direct || c[2].direct) && !calls_impure_host(*unit.exprs[k])) {
      if (std::string d = probe_disagreement(*compiled, *code->fallback[k], unit.nslots); !d.empty()) {
        // Calling-convention or code-generation trouble: never give a different answer.
        for (Choice& ch : c) ch.direct = false, ch.why = "it disagrees with the " + std::string(opts_.fallback->name()) + ": " + d;
        compiled = std::make_unique<GoCompiled>(code, k, unit.nslots, c[0], c[1], c[2]);
      }
    }
    for (const Choice& ch : c) {
      if (ch.direct) ++direct, bare += ch.bare;
      else refused.push_back(entry_name(static_cast<EntryKind>(&ch - c), k) + ": " + ch.why);
    }
    out.push_back(std::move(compiled));
  }
  if (opts_.jit_call == JitCall::direct && !refused.empty())
    throw std::runtime_error("--jit-call=direct: the jit cannot call this code directly: " + refused.front() +
                             (refused.size() > 1 ? " (and " + std::to_string(refused.size() - 1) + " more)" : ""));
  if (log_.wants_detail()) {
    log_.detail("jit: direct calls for " + std::to_string(direct) + " of " + std::to_string(3 * unit.exprs.size()) +
                " entry points (" + std::to_string(bare) + " without a trampoline; at most " + std::to_string(stack) +
                " bytes of Go stack; agree with the " + std::string(opts_.fallback->name()) + " on the probes, " +
                ms(since(t2)) + ")");
    for (std::size_t i = 0; i < refused.size() && i < 4; ++i)
      log_.detail("jit: " + std::string(opts_.fallback->name()) + " instead: " + refused[i]);
    if (refused.size() > 4) log_.detail("jit: " + std::to_string(refused.size() - 4) + " more on the fallback");
    GoHost::Stats st = host.stats();
    log_.detail("jit: this process has loaded " + std::to_string(st.plugins) + " plugin(s), " + mib(st.plugin_bytes) +
                " mapped (plus the loader, " + mib(st.loader_bytes) + "); Go cannot unload them");
  }
  return out;
}

}  // namespace

std::unique_ptr<Backend> make_gojit_backend(const BackendOptions& options) {
  return std::make_unique<GoJitBackend>(options);
}

}  // namespace exprjit
