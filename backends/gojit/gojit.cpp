// gojit.cpp — the jit backend: codegen -> toolchain -> loader -> cached plugin -> symbols.
#include "backends/gojit/gojit.hpp"

#include <chrono>
#include <cstdio>
#include <future>
#include <optional>
#include <stdexcept>
#include <vector>

#include "backends/gojit/build.hpp"
#include "backends/gojit/codegen.hpp"
#include "backends/gojit/goloader.hpp"
#include "backends/gojit/sha256.hpp"

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

class GoCompiled final : public Compiled {
 public:
  GoCompiled(std::size_t nslots, const LoaderApi& api, int row, int batch)
      : Compiled(nslots), call_(api.call), batch_(api.batch), row_fn_(row), batch_fn_(batch) {}

  double eval(const double* vars) const override {
    double out = 0;
    if (call_(row_fn_, const_cast<double*>(vars), nslots(), &out) != 0)
      throw std::runtime_error("the jit's Go code panicked (a bug in exprjit)");
    return out;
  }

  void eval_batch(const double* const* cols, std::size_t n, double* out) const override {
    if (n == 0) return;
    if (batch_(batch_fn_, const_cast<double**>(cols), nslots(), n, out) != 0)
      throw std::runtime_error("the jit's Go code panicked (a bug in exprjit)");
  }

 private:
  decltype(LoaderApi::call) call_;
  decltype(LoaderApi::batch) batch_;
  int row_fn_, batch_fn_;
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

  BackendOptions opts_;
  std::unique_ptr<Context> ctx_;
};

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
  std::optional<int> plugin = host.find_plugin(key);

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
      job.module = "exprjit/p" + key.substr(0, 32);  // Go's plugin path: unique per cache key
      job.source = source;
      job.buildmode = "plugin";
      job.what = exprs.size() == 1 ? "the expression's plugin"
                                   : "the plugin of " + std::to_string(exprs.size()) + " expressions";
      so = build_into_cache(settings, job).so_path;
    }
    auto t1 = Clock::now();
    plugin = host.open_plugin(key, *so, manifest);
    if (vb) *vb << "jit: load " << ms(since(t1)) << " (Go runtime start when first, plugin.Open, manifest check)\n";
  }

  auto t2 = Clock::now();
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    const std::string n = std::to_string(k);
    int row = host.lookup(*plugin, std::string("E").append(n), FnKind::row);
    int batch = host.lookup(*plugin, std::string("B").append(n), FnKind::batch);
    out.push_back(std::make_unique<GoCompiled>(nslots, host.api(), row, batch));
  }
  if (vb) *vb << "jit: symbols " << ms(since(t2)) << " (" << 2 * exprs.size() << " lookups, types checked)\n";

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
