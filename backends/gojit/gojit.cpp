// gojit.cpp — the jit backend: codegen -> toolchain -> loader -> cached plugin -> symbols.
#include "backends/gojit/gojit.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <optional>
#include <stdexcept>
#include <vector>

#include "backends/gojit/build.hpp"
#include "backends/gojit/codegen.hpp"
#include "backends/gojit/direct.hpp"
#include "backends/gojit/goloader.hpp"
#include "backends/gojit/sha256.hpp"
#include "backends/gojit/vet.hpp"

namespace exprjit {
namespace {

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

// How one expression's functions are called: directly (entry != 0) or through cgo.
struct Calls {
  GoFunction row, batch;
  bool row_direct = false, batch_direct = false;
  Trampoline row_trampoline = Trampoline::full;  // how a direct row call is entered
};

class GoCompiled final : public Compiled {
 public:
  // A bare direct row function is the object's plain function: eval() calls it with no
  // virtual call in between (backend.hpp).
  GoCompiled(std::size_t nslots, const LoaderApi& api, const Calls& c)
      : Compiled(nslots, c.row_direct && c.row_trampoline == Trampoline::bare
                             ? reinterpret_cast<PlainFunction>(c.row.entry)
                             : nullptr),
        call_(api.call),
        batch_(api.batch),
        row_fn_(c.row.id),
        batch_fn_(c.batch.id),
        row_entry_(c.row_direct ? c.row.entry : 0),
        batch_entry_(c.batch_direct ? c.batch.entry : 0) {}

  void eval_batch(const double* const* cols, std::size_t n, double* out) const override {
    if (n == 0) return;
    if (batch_entry_) return exprjit_gojit_call_batch(batch_entry_, cols, out, n);
    if (batch_(batch_fn_, const_cast<double**>(cols), n, out) != 0)
      throw std::runtime_error("the jit's Go code panicked (a bug in exprjit)");
  }

 private:
  double eval_one(const double* vars) const override {
    // A bare function never gets here (it is the plain function): direct means the trampoline.
    if (row_entry_) return exprjit_gojit_call_row(row_entry_, vars);
    double out = 0;
    if (call_(row_fn_, const_cast<double*>(vars), &out) != 0)
      throw std::runtime_error("the jit's Go code panicked (a bug in exprjit)");
    return out;
  }

  decltype(LoaderApi::call) call_;
  decltype(LoaderApi::batch) batch_;
  int row_fn_, batch_fn_;
  std::uintptr_t row_entry_, batch_entry_;  // 0: through cgo
};

class GoJitBackend final : public Backend {
 public:
  explicit GoJitBackend(BackendOptions o) : opts_(std::move(o)) {}

  std::string_view name() const override { return "jit"; }

  std::unique_ptr<Compiled> compile(const Expr& checked, std::size_t nslots) override {
    const Expr* one = &checked;
    return std::move(compile_many({&one, 1}, nslots).front());
  }

  std::vector<std::unique_ptr<Compiled>> compile_many(std::span<const Expr* const> exprs,
                                                      std::size_t nslots) override;

  std::string emit(const Expr& checked, std::size_t nslots) override {
    const Expr* one = &checked;
    return generate_go({&one, 1}, nslots);
  }

 private:
  struct Context {
    Cache cache;
    Toolchain toolchain;
  };

  // The cache and the toolchain, found on first use (never for tree/vm runs).
  Context& context() {
    if (!ctx_) {
      Cache cache(cache_root(Environment::current()));
      Toolchain tc = probe_toolchain(opts_.go, cache, opts_.build_timeout_s, opts_.verbose);
      ctx_ = std::make_unique<Context>(Context{std::move(cache), std::move(tc)});
      if (opts_.verbose)
        *opts_.verbose << "jit: toolchain " << ctx_->toolchain.go << " (" << ctx_->toolchain.version
                       << (ctx_->toolchain.identity_cached ? ", identity cached" : "") << "), cache "
                       << ctx_->cache.root() << "\n";
    }
    return *ctx_;
  }

  CallMode mode() const {
    std::optional<CallMode> m = parse_call_mode(opts_.jit_call);
    if (!m) throw std::invalid_argument("--jit-call must be auto, direct or cgo, not '" + opts_.jit_call + "'");
    return *m;
  }
  void select_direct(std::vector<Calls>& calls, const std::string& key, const std::string& so, std::size_t nslots);

  BackendOptions opts_;
  std::unique_ptr<Context> ctx_;
};

// Decides, function by function, whether calls go directly into the plugin (direct.hpp):
// the toolchain and build must support it, the machine code must pass vet.hpp's rules
// (verdicts are stored beside the cached plugin), and direct and cgo calls must agree on
// the probe rows.  --jit-call=direct turns the first refusal into an error.
void GoJitBackend::select_direct(std::vector<Calls>& calls, const std::string& key, const std::string& so,
                                 std::size_t nslots) {
  std::ostream* vb = opts_.verbose;
  const bool required = mode() == CallMode::direct;
  auto refuse = [&](const std::string& why) {
    if (required) throw std::runtime_error("--jit-call=direct: the jit cannot call this code directly: " + why);
    if (vb) *vb << "jit: calls go through cgo: " << why << "\n";
  };
  Context& ctx = context();
  if (std::optional<std::string> why = direct_unsupported(ctx.toolchain)) return refuse(*why);

  auto t0 = Clock::now();
  const std::string record = ctx.cache.subdir("plugins") + "/" + key + ".vet";
  const std::string head = "so " + so.substr(so.rfind('/') + 1) + "\n";
  std::optional<PluginVet> vet;
  if (std::optional<std::string> text = read_record(record); text && text->rfind(head, 0) == 0)
    vet = vet_from_text(std::string_view(*text).substr(head.size()), calls.size());
  const bool stored = vet.has_value();
  if (!vet) {
    vet = vet_plugin(so, *module_path_for("plugins", key), calls.size(), objdump_path(), opts_.build_timeout_s);
    // Storing the verdicts only saves the next process the vetting: a full or read-only
    // cache must not fail a plugin that is there.
    if (vet->error.empty()) {
      try {
        write_record(record, head + vet_to_text(*vet));
      } catch (const std::exception& e) {
        if (opts_.verbose) *opts_.verbose << "jit: verdicts not stored (" << e.what() << ")\n";
      }
    }
  }
  if (!vet->error.empty()) return refuse("cannot vet the machine code: " + vet->error);
  if (vb)
    *vb << "jit: machine code " << (stored ? "verdicts from the cache" : "vetted with objdump") << " ("
        << vet->functions << " functions) in " << ms(since(t0)) << "\n";

  auto t1 = Clock::now();
  const LoaderApi& api = GoHost::instance().api();
  std::vector<std::string> refused;
  std::size_t rows = 0, batches = 0, bare = 0;
  std::uint64_t stack = 0;
  for (std::size_t k = 0; k < calls.size(); ++k) {
    const std::string name = std::to_string(k);
    const Verdict& row = vet->rows[k];
    const Trampoline t = row.bare ? Trampoline::bare : Trampoline::full;
    if (!row.ok) {
      refused.push_back(row.why);
    } else if (std::string d = probe_disagreement_row(api, calls[k].row, nslots, t); !d.empty()) {
      refused.push_back("E" + name + ": " + d);
    } else {
      calls[k].row_direct = true, calls[k].row_trampoline = t, ++rows, stack = std::max(stack, row.stack);
      bare += t == Trampoline::bare;
    }
    if (!vet->batches[k].ok) refused.push_back(vet->batches[k].why);
    else if (std::string d = probe_disagreement_batch(api, calls[k].batch, nslots); !d.empty()) refused.push_back("B" + name + ": " + d);
    else calls[k].batch_direct = true, ++batches, stack = std::max(stack, vet->batches[k].stack);
  }
  if (required && !refused.empty())
    throw std::runtime_error("--jit-call=direct: the jit cannot call this code directly: " + refused.front() +
                             (refused.size() > 1 ? " (and " + std::to_string(refused.size() - 1) + " more)" : ""));
  if (vb) {
    *vb << "jit: direct calls for " << rows << " of " << calls.size() << " one-row and " << batches << " of "
        << calls.size() << " batch functions (" << bare << " one-row without a trampoline; at most " << stack
        << " bytes of stack; agree with cgo on the probes, " << ms(since(t1)) << ")\n";
    for (std::size_t i = 0; i < refused.size() && i < 4; ++i) *vb << "jit: through cgo: " << refused[i] << "\n";
    if (refused.size() > 4) *vb << "jit: through cgo: " << refused.size() - 4 << " more\n";
  }
}

std::vector<std::unique_ptr<Compiled>> GoJitBackend::compile_many(std::span<const Expr* const> exprs,
                                                                  std::size_t nslots) {
  std::vector<std::unique_ptr<Compiled>> out;
  if (exprs.empty()) return out;
  std::ostream* vb = opts_.verbose;

  auto t0 = Clock::now();
  const std::string source = generate_go(exprs, nslots);
  if (vb)
    *vb << "jit: codegen " << ms(since(t0)) << ": " << exprs.size() << " expression(s), " << source.size()
        << " bytes of Go\n";

  auto tc0 = Clock::now();
  Context& ctx = context();
  if (vb) *vb << "jit: toolchain and cache checks " << ms(since(tc0)) << "\n";
  BuildSettings settings;
  settings.toolchain = &ctx.toolchain;
  settings.cache = &ctx.cache;
  settings.go_flags = opts_.go_flags;
  settings.timeout_s = opts_.build_timeout_s;
  settings.keep_temps = opts_.keep_temps;
  settings.verbose = vb;
  settings.status = opts_.status;

  GoHost& host = GoHost::instance();
  const std::string key =
      sha256_hex("exprjit-gojit-plugin\n" + toolchain_key_part(ctx.toolchain, opts_.go_flags) + "\n" + source);
  const std::string manifest = plugin_manifest(exprs.size(), nslots);
  const CallMode call_mode = mode();
  std::optional<int> plugin = host.find_plugin(key);
  std::string so_path = plugin ? host.plugin_path(key) : std::string();

  // A cache hit verifies two files of megabytes: the plugin's hash is checked on another
  // core while this thread verifies and dlopens the loader (whose Go runtime then starts
  // on a thread of its own).
  std::string damage;
  auto tl0 = Clock::now();
  std::future<std::optional<std::string>> cached;
  if (!plugin)
    cached = std::async(std::launch::async, [&] { return ctx.cache.lookup("plugins", key, &damage); });
  GoHost::LoaderReport lr = host.ensure_loader(settings);
  if (vb && lr.loaded_now)
    *vb << "jit: loader " << (lr.cache_hit ? "from cache (verified)" : "built in " + ms(lr.build_s)) << ", dlopen "
        << ms(lr.load_s) << " (" << lr.path << ")\n";

  if (plugin) {
    if (vb) *vb << "jit: plugin " << key.substr(0, 16) << " already loaded in this process\n";
  } else {
    std::optional<std::string> so = cached.get();
    if (vb) {
      *vb << "jit: loader ready and plugin cache checked (SHA-256 of each .so) after " << ms(since(tl0)) << "\n";
      if (so) *vb << "jit: cache hit " << *so << "\n";
      if (!damage.empty()) *vb << "jit: " << damage << "\n";
    }
    if (!so) {
      BuildJob job;
      job.kind = "plugins";
      job.key = key;
      job.module = *module_path_for("plugins", key);  // Go's plugin path: unique per cache key
      job.source = source;
      job.buildmode = "plugin";
      job.what = exprs.size() == 1 ? "the expression's plugin"
                                   : "the plugin of " + std::to_string(exprs.size()) + " expressions";
      so = build_into_cache(settings, job).so_path;
    }
    so_path = *so;
    auto t1 = Clock::now();
    plugin = host.open_plugin(key, *so, manifest);
    if (vb) *vb << "jit: load " << ms(since(t1)) << " (Go runtime start when first, plugin.Open, manifest check)\n";
  }

  auto t2 = Clock::now();
  std::vector<Calls> calls(exprs.size());
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    const std::string n = std::to_string(k);
    calls[k].row = host.lookup(*plugin, std::string("E").append(n), FnKind::row);
    calls[k].batch = host.lookup(*plugin, std::string("B").append(n), FnKind::batch);
  }
  if (vb) *vb << "jit: symbols " << ms(since(t2)) << " (" << 2 * exprs.size() << " lookups, types checked)\n";
  if (call_mode == CallMode::cgo) {
    if (vb) *vb << "jit: calls go through cgo (--jit-call=cgo)\n";
  } else {
    select_direct(calls, key, so_path, nslots);
  }
  for (const Calls& c : calls) out.push_back(std::make_unique<GoCompiled>(nslots, host.api(), c));

  // The first call crosses into Go once more than the others (binding this thread to the
  // Go runtime); do it here, on zeros, and report its time.
  std::vector<double> zeros(nslots, 0.0);
  auto t3 = Clock::now();
  (void)out.front()->eval(zeros.data());
  if (vb) {
    *vb << "jit: first call " << ms(since(t3)) << "\n";
    GoHost::Stats st = host.stats();
    *vb << "jit: this process has loaded " << st.plugins << " plugin(s), " << mib(st.plugin_bytes)
        << " mapped (plus the loader, " << mib(st.loader_bytes) << "); Go cannot unload them\n";
  }
  return out;
}

}  // namespace

std::unique_ptr<Backend> make_gojit_backend(const BackendOptions& options) {
  return std::make_unique<GoJitBackend>(options);
}


}  // namespace exprjit
