// Running the CLI: argv → the command table's entry → its handler → exit status.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "clicmd/context.hpp"
#include "clicmd/io.hpp"
#include "util/error.hpp"

namespace cpshare::clicmd {

// Exit statuses (docs/design/accounts.md, "CLI").
enum ExitStatus : int {
  kExitOk = 0,
  kExitOther = 1,
  kExitUsage = 2,
  kExitAuth = 3,
  kExitForbidden = 4,
  kExitNotFound = 5,
  kExitUnreachable = 6,
  kExitRateLimited = 7,
};
int exit_code(const Error& error, bool unreachable);

// With --json: {"error":{…}} on stdout. Otherwise "cpshare: error: …" on stderr,
// then each field's error (a one-field error whose message only repeats it is
// one line), and for RATE_LIMITED how long to wait.
void report_error(Io& io, bool json, const Error& error);

// What `cpshare WORDS... --help` prints (`cpshare help WORDS...`); a word that is
// no command at its level is a usage error (VALIDATION_FAILED, exit 2) naming it
// and the closest command there, as for any command line.
Result<std::string> help_text(const std::vector<std::string>& words, const std::vector<Command>& table = commands());

// Runs cpshare with `args` (argv without the program name); returns the exit status.
int run(const std::vector<std::string>& args, Io& io, const std::vector<Command>& table = commands());

// The process: the real terminal, standard streams and environment.
int main(int argc, char** argv);

}  // namespace cpshare::clicmd
