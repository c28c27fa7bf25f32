// cpshare: the command-line client. Everything lives in lib/clicmd (runner.cpp).
#include <exception>
#include <iostream>

#include "clicmd/runner.hpp"

int main(int argc, char** argv) {
  try {
    return cpshare::clicmd::main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "cpshare: internal error: " << e.what() << "\n";
    return 1;
  }
}
