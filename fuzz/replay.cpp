// Without libFuzzer (GCC builds, and so CI): runs a fuzz target over its seed
// corpus and over a fixed number of deterministic mutations of it (byte flips
// and deletions, dictionary tokens inserted, seeds spliced), so the target and
// its checks run under ASan+UBSan on every CI build. Not a substitute for
// coverage-guided fuzzing with Clang (fuzz/README.md), but it keeps the
// harness compiling and catches regressions the seeds reach.
//
// Usage: fuzz_filter_replay DICT CORPUS_DIR [MUTATIONS]
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

// libFuzzer dictionary lines: "token" (with \" and \\ escapes); # comments.
std::vector<std::string> read_dict(const std::filesystem::path& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    auto open = line.find('"');
    auto close = line.rfind('"');
    if (line.starts_with("#") || open == std::string::npos || close <= open) continue;
    std::string token;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (line[i] == '\\' && i + 1 < close) ++i;
      token += line[i];
    }
    out.push_back(token);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DICT CORPUS_DIR [MUTATIONS]\n", argv[0]);
    return 2;
  }
  const auto dict = read_dict(argv[1]);
  std::vector<std::string> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(argv[2])) {
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (seeds.empty() || dict.empty()) {
    std::fprintf(stderr, "no seeds in %s or no tokens in %s\n", argv[2], argv[1]);
    return 2;
  }
  for (const auto& s : seeds) run(s);

  const long mutations = argc > 3 ? std::stol(argv[3]) : 20000;
  std::mt19937_64 rng(20261127);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  for (long i = 0; i < mutations; ++i) {
    std::string s = seeds[pick(seeds.size())];
    const int edits = 1 + static_cast<int>(pick(4));
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = s.empty() ? 0 : pick(s.size() + 1);
      switch (pick(5)) {
        case 0:
          if (at < s.size()) s[at] = static_cast<char>(s[at] ^ (1 << pick(8)));
          break;
        case 1:
          if (at < s.size()) s.erase(at, 1 + pick(8));
          break;
        case 2: s.insert(at, dict[pick(dict.size())]); break;
        case 3: s.insert(at, 1, static_cast<char>(pick(256))); break;
        default: {
          const std::string& other = seeds[pick(seeds.size())];
          s = s.substr(0, at) + other.substr(other.empty() ? 0 : pick(other.size()));
        }
      }
    }
    run(s);
  }
  std::printf("%zu seeds and %ld mutations passed the target's checks\n", seeds.size(), mutations);
  return 0;
}
