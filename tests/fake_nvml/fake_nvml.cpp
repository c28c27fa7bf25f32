// A stand-in for NVIDIA's libnvidia-ml.so.1 in tests (the real one needs the
// driver and a GPU): the NVML functions the agent calls (lib/agent/gpu.cpp),
// answering from a script whose path is in FAKE_NVML_SCRIPT, read again at
// every nvmlInit_v2. Lines:
//   init CODE                       nvmlInit_v2's return code (default 0)
//   count N | count_error CODE      nvmlDeviceGetCount_v2
//   gpu I uuid=U name=N util=P memutil=P used=B total=B temp=C power=mW limit=mW
//                                   one device; a value NS answers NOT_SUPPORTED (3)
//   gpu I lost                      every call on the device answers GPU_IS_LOST (15)
// Names have no spaces in the script ("NVIDIA_H200" stands for "NVIDIA H200").
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {
struct Gpu {
  bool lost = false;
  std::map<std::string, std::string> v;
};
int init_code = 0, count_code = 0;
unsigned int gpu_count = 0;
std::map<unsigned int, Gpu> gpus;

void load() {
  init_code = 0;
  count_code = 0;
  gpu_count = 0;
  gpus.clear();
  const char* path = std::getenv("FAKE_NVML_SCRIPT");
  if (path == nullptr) return;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "init") words >> init_code;
    if (kind == "count") words >> gpu_count;
    if (kind == "count_error") words >> count_code;
    if (kind == "gpu") {
      unsigned int i = 0;
      words >> i;
      std::string kv;
      while (words >> kv) {
        if (kv == "lost") gpus[i].lost = true;
        const auto eq = kv.find('=');
        if (eq != std::string::npos) gpus[i].v[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    }
  }
}

Gpu* device(void* handle) { return static_cast<Gpu*>(handle); }

// 0 with *out set, 3 NOT_SUPPORTED, 15 GPU_IS_LOST; unknown keys are NOT_SUPPORTED.
int value(void* handle, const char* key, unsigned long long* out) {
  Gpu* g = device(handle);
  if (g->lost) return 15;
  auto it = g->v.find(key);
  if (it == g->v.end() || it->second == "NS") return 3;
  *out = std::strtoull(it->second.c_str(), nullptr, 10);
  return 0;
}

int text(void* handle, const char* key, char* buf, unsigned int len) {
  Gpu* g = device(handle);
  if (g->lost) return 15;
  auto it = g->v.find(key);
  if (it == g->v.end() || it->second == "NS") return 3;
  std::string s = it->second;
  for (auto& c : s)
    if (c == '_') c = ' ';
  std::snprintf(buf, len, "%s", s.c_str());
  return 0;
}
}  // namespace

extern "C" {
int nvmlInit_v2() {
  load();
  return init_code;
}
int nvmlShutdown() { return 0; }
int nvmlDeviceGetCount_v2(unsigned int* n) {
  if (count_code != 0) return count_code;
  *n = gpu_count;
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void** handle) {
  auto it = gpus.find(i);
  if (it == gpus.end()) return 2;  // INVALID_ARGUMENT
  *handle = &it->second;
  return it->second.lost ? 15 : 0;
}
int nvmlDeviceGetUUID(void* h, char* buf, unsigned int len) { return text(h, "uuid", buf, len); }
int nvmlDeviceGetName(void* h, char* buf, unsigned int len) { return text(h, "name", buf, len); }
int nvmlDeviceGetUtilizationRates(void* h, unsigned int* rates) {
  unsigned long long gpu = 0, mem = 0;
  if (int r = value(h, "util", &gpu); r != 0) return r;
  if (int r = value(h, "memutil", &mem); r != 0) return r;
  rates[0] = static_cast<unsigned int>(gpu);
  rates[1] = static_cast<unsigned int>(mem);
  return 0;
}
int nvmlDeviceGetMemoryInfo(void* h, unsigned long long* m) {  // {total, free, used}
  unsigned long long used = 0, total = 0;
  if (int r = value(h, "used", &used); r != 0) return r;
  if (int r = value(h, "total", &total); r != 0) return r;
  m[0] = total;
  m[1] = total - used;
  m[2] = used;
  return 0;
}
int nvmlDeviceGetTemperature(void* h, int, unsigned int* c) {
  unsigned long long v = 0;
  int r = value(h, "temp", &v);
  *c = static_cast<unsigned int>(v);
  return r;
}
int nvmlDeviceGetPowerUsage(void* h, unsigned int* mw) {
  unsigned long long v = 0;
  int r = value(h, "power", &v);
  *mw = static_cast<unsigned int>(v);
  return r;
}
int nvmlDeviceGetEnforcedPowerLimit(void* h, unsigned int* mw) {
  unsigned long long v = 0;
  int r = value(h, "limit", &v);
  *mw = static_cast<unsigned int>(v);
  return r;
}
const char* nvmlErrorString(int r) {
  switch (r) {
    case 9: return "Driver Not Loaded";
    case 15: return "GPU is lost";
    case 18: return "Driver/library version mismatch";
    default: return "Unknown Error";
  }
}
}
