// csv.hpp — column evaluation: `exprjit --csv FILE EXPR` evaluates EXPR for every row of a
// CSV file and writes the rows back with the result appended as one more column.
//
// The header row names the columns; the columns the expression uses are its variables
// (parsed as numbers), the others pass through byte for byte, quoted fields (RFC 4180)
// included.  Rows are read, evaluated through the backend's batch entry point and written
// in blocks, so memory stays bounded whatever the file's size.  A malformed row stops the
// run with "FILE:LINE: error: ..." after every row before it has been written.
#pragma once
#include "cli/options.hpp"
#include "cli/session.hpp"

namespace exprjit::cli {

// Runs o.csv with o.exprs[0]; returns the exit status (0, or 1 for a compile error, a
// malformed row or an I/O error).
int run_csv(const Options& o, Engine& engine);

}  // namespace exprjit::cli
