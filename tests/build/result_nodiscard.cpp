// Compiled by result_nodiscard.sh, not part of any target: a Result dropped on
// the floor must not compile under -Werror (issue 10, point 8), while one that
// is used, passed up by TRY or explicitly cast to void does.
#include "util/error.hpp"

namespace {

cpshare::Result<> may_fail() { return cpshare::fail(cpshare::ErrorCode::Internal, "x"); }
cpshare::Result<int> answer() { return 42; }

cpshare::Result<> caller() {
  TRY(may_fail());
  TRY_ASSIGN(int n, answer());
  if (n != 42) return cpshare::fail(cpshare::ErrorCode::Internal, "n");
#ifdef DISCARD_VOID
  may_fail();
#endif
#ifdef DISCARD_VALUE
  answer();
#endif
  return {};
}

}  // namespace

int main() { return caller() ? 0 : 1; }
