// cpshared's whole program as a library function: parse flags, lock and open
// the data directory, serve until SIGTERM/SIGINT. Exit codes: 0 clean stop, 1
// runtime failure (among them: the listen address is in use, or another
// cpshared holds the data directory, DATA_DIR/cpshared.lock), 2 usage error.
#pragma once

namespace cpshare {
int daemon_main(int argc, char** argv);
}
