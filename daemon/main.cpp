// cpshared: see lib/server/daemon.cpp.
#include <cstdio>
#include <exception>

#include "server/daemon.hpp"

int main(int argc, char** argv) {
  try {
    return cpshare::daemon_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cpshared: internal error: %s\n", e.what());
    return 1;
  }
}
