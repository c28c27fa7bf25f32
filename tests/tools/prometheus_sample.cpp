// Prints test_prometheus.cpp's exposition, for `promtool check metrics`.
#include <iostream>

#include "../unit/prometheus_sample.hpp"

int main() {
  std::cout << cpshare::testing::prometheus_sample_text();
  return 0;
}
