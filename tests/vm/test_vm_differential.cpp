// test_vm_differential.cpp — the VM against the tree backend (the reference) on thousands
// of seeded random expressions and awkward variable values, bit for bit (NaN equals NaN),
// in every VM configuration, single and batch.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <sstream>

#include "backends/tree/tree.hpp"
#include "backends/vm/isa/disasm.hpp"
#include "frontend/base/format.hpp"
#include "tests/common/common.hpp"
#include "tests/vm/vm_configs.hpp"

using namespace exprjit;

namespace {

const std::vector<std::string> kVars = {"a", "b", "c", "x", "y"};

std::string describe(const std::string& text, const std::vector<double>& row) {
  std::ostringstream s;
  s << text << "   with";
  for (std::size_t i = 0; i < row.size(); ++i) s << " " << kVars[i] << "=" << format_hex(row[i]);
  return s.str();
}

}  // namespace

TEST_CASE("tree vs vm: 3000 seeded random expressions x 16 rows, every configuration") {
  constexpr int kExprs = 3000;
  constexpr std::size_t kRows = 16;
  std::mt19937_64 rng(0x5eed'0003);
  auto tree = make_tree_backend({});
  const auto configs = test::vm_configs();
  std::set<vm::Op> seen;
  long evaluations = 0, mismatches = 0;
  for (int e = 0; e < kExprs; ++e) {
    const std::string text = test::random_expression(rng, kVars, 6);
    CAPTURE(text);
    test::Checked ch = test::front(text, kVars);
    auto reference = test::compile_one(*tree, ch);
    std::vector<std::vector<double>> cols(kVars.size(), std::vector<double>(kRows));
    for (std::size_t r = 0; r < kRows; ++r)
      for (auto& col : cols) col[r] = test::random_value(rng);
    std::vector<const double*> ptrs;
    for (auto& col : cols) ptrs.push_back(col.data());
    std::vector<double> want(kRows);
    for (std::size_t r = 0; r < kRows; ++r) {
      std::vector<double> row;
      for (auto& col : cols) row.push_back(col[r]);
      want[r] = reference->eval(row.data());
    }
    for (const test::VmConfig& cfg : configs) {
      vm::Options bo = cfg.options;
      bo.batch = true;
      const test::VmProgram single_vp = test::vm_program(ch, cfg.options);
  const vm::Program& single = single_vp.program;
      const test::VmProgram batch_vp = test::vm_program(ch, bo);
  const vm::Program& batch = batch_vp.program;
      for (const vm::Program* p : {&single, &batch})
        for (const vm::Ins& ins : p->code) seen.insert(ins.op);
      std::vector<double> out(kRows);
      vm::run_batch(batch, ptrs.data(), kRows, out.data());
      for (std::size_t r = 0; r < kRows; ++r) {
        std::vector<double> row;
        for (auto& col : cols) row.push_back(col[r]);
        const double got = vm::run(single, row.data(), cfg.dispatch);
        evaluations += 2;
        if (!test::same_bits(got, want[r]) || !test::same_bits(out[r], want[r])) {
          ++mismatches;
          FAIL_CHECK(cfg.name << ": " << describe(text, row) << "\n  tree " << format_hex(want[r]) << "  vm "
                              << format_hex(got) << "  vm batch " << format_hex(out[r]) << "\n"
                              << vm::disassemble(single, kVars));
        }
      }
    }
  }
  CHECK(mismatches == 0);
  MESSAGE("tree vs vm: " << kExprs << " expressions, " << evaluations << " vm evaluations, " << seen.size() << " of "
                         << vm::kNumOps << " opcodes used");
}

TEST_CASE("batch equals single: block boundaries, block sizes, output offsets") {
  // n = 0, 1, one block -1/0/+1, 1000 rows; the default block size and odd ones; the
  // output at two offsets, guarded on both sides.
  const std::size_t blocks[] = {vm::kBlockRows, 1, 7, 256};
  std::mt19937_64 rng(0x5eed'b47c);
  for (int e = 0; e < 200; ++e) {
    const std::string text = test::random_expression(rng, kVars, 5);
    CAPTURE(text);
    test::Checked ch = test::front(text, kVars);
    auto compiled = test::compile_one(*make_vm_backend({}), ch);
    vm::Options bo;
    bo.batch = true;
    const test::VmProgram batch_vp = test::vm_program(ch, bo);
  const vm::Program& batch = batch_vp.program;
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, vm::kBlockRows - 1, vm::kBlockRows, vm::kBlockRows + 1,
                          std::size_t{1000}}) {
      std::vector<std::vector<double>> cols(kVars.size(), std::vector<double>(n));
      for (auto& col : cols)
        for (double& v : col) v = test::random_value(rng);
      std::vector<const double*> ptrs;
      for (auto& col : cols) ptrs.push_back(col.data());
      std::vector<double> want(n);
      for (std::size_t r = 0; r < n; ++r) {
        std::vector<double> row;
        for (auto& col : cols) row.push_back(col[r]);
        want[r] = compiled->eval(row.data());
      }
      // Through the Compiled interface, then run_batch with each block size at offsets 1 and 2.
      for (int variant = -1; variant < 2 * static_cast<int>(std::size(blocks)); ++variant) {
        std::vector<double> buf(n + 3, 42.0);  // guard elements on both sides
        const std::size_t off = variant < 0 ? 1 : 1 + static_cast<std::size_t>(variant % 2);
        if (variant < 0) compiled->eval_batch(ptrs.data(), n, buf.data() + off);
        else vm::run_batch(batch, ptrs.data(), n, buf.data() + off, blocks[variant / 2]);
        CHECK(buf[off - 1] == 42.0);
        CHECK(buf[off + n] == 42.0);
        for (std::size_t r = 0; r < n; ++r) {
          if (!test::same_bits(buf[off + r], want[r])) {
            std::vector<double> row;
            for (auto& col : cols) row.push_back(col[r]);
            FAIL_CHECK("variant " << variant << " row " << r << " of " << n << ": " << describe(text, row));
          }
        }
      }
    }
  }
}
