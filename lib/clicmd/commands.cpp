// The command table: the one list of what cpshare can do. It drives parsing and
// dispatch (runner.cpp), --help, "did you mean", the man page and the shell
// completions (docgen.cpp). Each cmd_<area>.cpp holds its own rows next to
// their handlers; this joins them.
#include <iterator>

#include "clicmd/context.hpp"

namespace cpshare::clicmd {

const std::vector<Command>& commands() {
  // The areas in the order of --help, the man page and the completions.
  static const std::vector<Command> table = [] {
    std::vector<Command> all;
    for (auto area :
         {cmd::account_commands, cmd::session_commands, cmd::profile_commands, cmd::admin_commands,
          cmd::catalog_commands, cmd::lease_commands, cmd::monitor_commands, cmd::agent_commands, cmd::meta_commands}) {
      std::vector<Command> rows = area();
      all.insert(all.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
    }
    return all;
  }();
  return table;
}

}  // namespace cpshare::clicmd
