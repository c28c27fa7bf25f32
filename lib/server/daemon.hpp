// cpshared's whole program as a library function: parse flags, open the data
// directory, serve until SIGTERM/SIGINT. Exit codes: 0 clean stop, 1 runtime
// failure, 2 usage error.
#pragma once

namespace cpshare {
int daemon_main(int argc, char** argv);
}
