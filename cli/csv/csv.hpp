// csv.hpp — column evaluation: `exprjit --csv FILE EXPR...` evaluates each EXPR for every
// row of a CSV file and writes the rows back with one result column appended per EXPR.
//
// The header row names the columns; the columns an expression uses are its variables
// (parsed as numbers), the others pass through byte for byte, quoted fields (RFC 4180)
// included.  Rows are read, evaluated through the library's batch entry point (every
// expression over each block of rows: one pass over the data) and written in blocks, so
// memory stays bounded whatever the file's size.  A malformed row stops the run with
// "FILE:LINE: error: ..." after every row before it has been written.
#pragma once
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "cli/report.hpp"

namespace exprjit::cli {

// Runs o.csv with o.exprs; returns the exit status (0, or 1 for a compile error, a
// malformed row or an I/O error).
int run_csv(const Options& o, const CompileOptions& co, Reporter& rep, Output& out);

}  // namespace exprjit::cli
