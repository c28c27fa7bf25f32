// zstd with a dictionary for the metrics store's JSON (store/json_codec.hpp).
#include "store/json_codec.hpp"

#include <zstd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <memory>

#include <fmt/format.h>

namespace cpshare::json_codec {

namespace {

// Codec 1's dictionary: the minute rollup and the host sample of an 8-GPU
// server as the daemon writes them (keys sorted, compact), so that the keys,
// reading names and number shapes of real samples are found in it. FROZEN:
// rows packed with codec 1 are read with exactly these bytes.
constexpr std::string_view kDictionaryV1 =
    R"D({"cpu.idle":{"max":0.4433,"mean":0.4433,"min":0.4433,"n":6},"cpu.iowait":{"max":0.0081,"mean":0.0081,"min":0.0)D"
    R"D(081,"n":6},"cpu.irq":{"max":0.0,"mean":0.0,"min":0.0,"n":6},"cpu.load1":{"max":30.52,"mean":30.52,"min":30.52,)D"
    R"D("n":6},"cpu.load15":{"max":27.86,"mean":27.86,"min":27.86,"n":6},"cpu.load5":{"max":29.1,"mean":29.1,"min":29.)D"
    R"D(1,"n":6},"cpu.nice":{"max":0.0,"mean":0.0,"min":0.0,"n":6},"cpu.softirq":{"max":0.0053,"mean":0.0053,"min":0.0)D"
    R"D(053,"n":6},"cpu.system":{"max":0.0612,"mean":0.0612,"min":0.0612,"n":6},"cpu.user":{"max":0.4821,"mean":0.4821)D"
    R"D(,"min":0.4821,"n":6},"gpus.GPU-5a0c3e10-1d2e-4a3b-9c8d-3f2e1d0c0b0a.memory_total_bytes":{"max":85899345920.0,")D"
    R"D(mean":85899345920.0,"min":85899345920.0,"n":6},"gpus.GPU-5a0c3e10-1d2e-4a3b-9c8d-3f2e1d0c0b0a.memory_used_byte)D"
    R"D(s":{"max":73400320000.0,"mean":73400320000.0,"min":73400320000.0,"n":6},"gpus.GPU-5a0c3e10-1d2e-4a3b-9c8d-3f2e)D"
    R"D(1d0c0b0a.memory_utilization_ratio":{"max":0.41,"mean":0.41,"min":0.41,"n":6},"gpus.GPU-5a0c3e10-1d2e-4a3b-9c8d)D"
    R"D(-3f2e1d0c0b0a.power_limit_watts":{"max":400.0,"mean":400.0,"min":400.0,"n":6},"gpus.GPU-5a0c3e10-1d2e-4a3b-9c8)D"
    R"D(d-3f2e1d0c0b0a.power_watts":{"max":312.54,"mean":312.54,"min":312.54,"n":6},"gpus.GPU-5a0c3e10-1d2e-4a3b-9c8d-)D"
    R"D(3f2e1d0c0b0a.temperature_celsius":{"max":63.0,"mean":63.0,"min":63.0,"n":6},"gpus.GPU-5a0c3e10-1d2e-4a3b-9c8d-)D"
    R"D(3f2e1d0c0b0a.utilization_ratio":{"max":0.97,"mean":0.97,"min":0.97,"n":6},"gpus.GPU-5a0c4f21-1d2f-4a3b-9c8d-3f)D"
    R"D(2e1d0c0b0b.memory_total_bytes":{"max":85899345920.0,"mean":85899345920.0,"min":85899345920.0,"n":6},"gpus.GPU-)D"
    R"D(5a0c4f21-1d2f-4a3b-9c8d-3f2e1d0c0b0b.memory_used_bytes":{"max":0.0,"mean":0.0,"min":0.0,"n":6},"gpus.GPU-5a0c4)D"
    R"D(f21-1d2f-4a3b-9c8d-3f2e1d0c0b0b.memory_utilization_ratio":{"max":0.0,"mean":0.0,"min":0.0,"n":6},"gpus.GPU-5a0)D"
    R"D(c4f21-1d2f-4a3b-9c8d-3f2e1d0c0b0b.power_limit_watts":{"max":400.0,"mean":400.0,"min":400.0,"n":6},"gpus.GPU-5a)D"
    R"D(0c4f21-1d2f-4a3b-9c8d-3f2e1d0c0b0b.power_watts":{"max":61.2,"mean":61.2,"min":61.2,"n":6},"gpus.GPU-5a0c4f21-1)D"
    R"D(d2f-4a3b-9c8d-3f2e1d0c0b0b.temperature_celsius":{"max":34.0,"mean":34.0,"min":34.0,"n":6},"gpus.GPU-5a0c4f21-1)D"
    R"D(d2f-4a3b-9c8d-3f2e1d0c0b0b.utilization_ratio":{"max":0.0,"mean":0.0,"min":0.0,"n":6},"gpus.GPU-5a0c6032-1d30-4)D"
    R"D(a3b-9c8d-3f2e1d0c0b0c.memory_total_bytes":{"max":85899345920.0,"mean":85899345920.0,"min":85899345920.0,"n":6})D"
    R"D(,"gpus.GPU-5a0c6032-1d30-4a3b-9c8d-3f2e1d0c0b0c.memory_used_bytes":{"max":40265318400.0,"mean":40265318400.0,")D"
    R"D(min":40265318400.0,"n":6},"gpus.GPU-5a0c6032-1d30-4a3b-9c8d-3f2e1d0c0b0c.memory_utilization_ratio":{"max":0.2,)D"
    R"D("mean":0.2,"min":0.2,"n":6},"gpus.GPU-5a0c6032-1d30-4a3b-9c8d-3f2e1d0c0b0c.power_limit_watts":{"max":400.0,"me)D"
    R"D(an":400.0,"min":400.0,"n":6},"gpus.GPU-5a0c6032-1d30-4a3b-9c8d-3f2e1d0c0b0c.power_watts":{"max":201.8,"mean":2)D"
    R"D(01.8,"min":201.8,"n":6},"gpus.GPU-5a0c6032-1d30-4a3b-9c8d-3f2e1d0c0b0c.temperature_celsius":{"max":55.0,"mean")D"
    R"D(:55.0,"min":55.0,"n":6},"gpus.GPU-5a0c6032-1d30-4a3b-9c8d-3f2e1d0c0b0c.utilization_ratio":{"max":0.45,"mean":0)D"
    R"D(.45,"min":0.45,"n":6},"gpus.GPU-5a0c7143-1d31-4a3b-9c8d-3f2e1d0c0b0d.memory_total_bytes":{"max":85899345920.0,)D"
    R"D("mean":85899345920.0,"min":85899345920.0,"n":6},"gpus.GPU-5a0c7143-1d31-4a3b-9c8d-3f2e1d0c0b0d.memory_used_byt)D"
    R"D(es":{"max":85195948032.0,"mean":85195948032.0,"min":85195948032.0,"n":6},"gpus.GPU-5a0c7143-1d31-4a3b-9c8d-3f2)D"
    R"D(e1d0c0b0d.memory_utilization_ratio":{"max":0.99,"mean":0.99,"min":0.99,"n":6},"gpus.GPU-5a0c7143-1d31-4a3b-9c8)D"
    R"D(d-3f2e1d0c0b0d.power_limit_watts":{"max":400.0,"mean":400.0,"min":400.0,"n":6},"gpus.GPU-5a0c7143-1d31-4a3b-9c)D"
    R"D(8d-3f2e1d0c0b0d.power_watts":{"max":398.07,"mean":398.07,"min":398.07,"n":6},"gpus.GPU-5a0c7143-1d31-4a3b-9c8d)D"
    R"D(-3f2e1d0c0b0d.temperature_celsius":{"max":71.0,"mean":71.0,"min":71.0,"n":6},"gpus.GPU-5a0c7143-1d31-4a3b-9c8d)D"
    R"D(-3f2e1d0c0b0d.utilization_ratio":{"max":1.0,"mean":1.0,"min":1.0,"n":6},"gpus.GPU-5a0c8254-1d32-4a3b-9c8d-3f2e)D"
    R"D(1d0c0b0e.memory_total_bytes":{"max":85899345920.0,"mean":85899345920.0,"min":85899345920.0,"n":6},"gpus.GPU-5a)D"
    R"D(0c8254-1d32-4a3b-9c8d-3f2e1d0c0b0e.memory_used_bytes":{"max":4194304000.0,"mean":4194304000.0,"min":4194304000)D"
    R"D(.0,"n":6},"gpus.GPU-5a0c8254-1d32-4a3b-9c8d-3f2e1d0c0b0e.memory_utilization_ratio":{"max":0.05,"mean":0.05,"mi)D"
    R"D(n":0.05,"n":6},"gpus.GPU-5a0c8254-1d32-4a3b-9c8d-3f2e1d0c0b0e.power_limit_watts":{"max":400.0,"mean":400.0,"mi)D"
    R"D(n":400.0,"n":6},"gpus.GPU-5a0c8254-1d32-4a3b-9c8d-3f2e1d0c0b0e.power_watts":{"max":88.9,"mean":88.9,"min":88.9)D"
    R"D(,"n":6},"gpus.GPU-5a0c8254-1d32-4a3b-9c8d-3f2e1d0c0b0e.temperature_celsius":{"max":41.0,"mean":41.0,"min":41.0)D"
    R"D(,"n":6},"gpus.GPU-5a0c8254-1d32-4a3b-9c8d-3f2e1d0c0b0e.utilization_ratio":{"max":0.12,"mean":0.12,"min":0.12,")D"
    R"D(n":6},"gpus.GPU-5a0c9365-1d33-4a3b-9c8d-3f2e1d0c0b0f.memory_total_bytes":{"max":85899345920.0,"mean":858993459)D"
    R"D(20.0,"min":85899345920.0,"n":6},"gpus.GPU-5a0c9365-1d33-4a3b-9c8d-3f2e1d0c0b0f.memory_used_bytes":{"max":52428)D"
    R"D(800000.0,"mean":52428800000.0,"min":52428800000.0,"n":6},"gpus.GPU-5a0c9365-1d33-4a3b-9c8d-3f2e1d0c0b0f.memory)D"
    R"D(_utilization_ratio":{"max":0.6,"mean":0.6,"min":0.6,"n":6},"gpus.GPU-5a0c9365-1d33-4a3b-9c8d-3f2e1d0c0b0f.powe)D"
    R"D(r_limit_watts":{"max":400.0,"mean":400.0,"min":400.0,"n":6},"gpus.GPU-5a0c9365-1d33-4a3b-9c8d-3f2e1d0c0b0f.pow)D"
    R"D(er_watts":{"max":350.11,"mean":350.11,"min":350.11,"n":6},"gpus.GPU-5a0c9365-1d33-4a3b-9c8d-3f2e1d0c0b0f.tempe)D"
    R"D(rature_celsius":{"max":66.0,"mean":66.0,"min":66.0,"n":6},"gpus.GPU-5a0c9365-1d33-4a3b-9c8d-3f2e1d0c0b0f.utili)D"
    R"D(zation_ratio":{"max":0.88,"mean":0.88,"min":0.88,"n":6},"gpus.GPU-5a0ca476-1d34-4a3b-9c8d-3f2e1d0c0b10.memory_)D"
    R"D(total_bytes":{"max":85899345920.0,"mean":85899345920.0,"min":85899345920.0,"n":6},"gpus.GPU-5a0ca476-1d34-4a3b)D"
    R"D(-9c8d-3f2e1d0c0b10.memory_used_bytes":{"max":28521267200.0,"mean":28521267200.0,"min":28521267200.0,"n":6},"gp)D"
    R"D(us.GPU-5a0ca476-1d34-4a3b-9c8d-3f2e1d0c0b10.memory_utilization_ratio":{"max":0.33,"mean":0.33,"min":0.33,"n":6)D"
    R"D(},"gpus.GPU-5a0ca476-1d34-4a3b-9c8d-3f2e1d0c0b10.power_limit_watts":{"max":400.0,"mean":400.0,"min":400.0,"n":)D"
    R"D(6},"gpus.GPU-5a0ca476-1d34-4a3b-9c8d-3f2e1d0c0b10.power_watts":{"max":240.6,"mean":240.6,"min":240.6,"n":6},"g)D"
    R"D(pus.GPU-5a0ca476-1d34-4a3b-9c8d-3f2e1d0c0b10.temperature_celsius":{"max":58.0,"mean":58.0,"min":58.0,"n":6},"g)D"
    R"D(pus.GPU-5a0ca476-1d34-4a3b-9c8d-3f2e1d0c0b10.utilization_ratio":{"max":0.5,"mean":0.5,"min":0.5,"n":6},"gpus.G)D"
    R"D(PU-5a0cb587-1d35-4a3b-9c8d-3f2e1d0c0b11.memory_total_bytes":{"max":85899345920.0,"mean":85899345920.0,"min":85)D"
    R"D(899345920.0,"n":6},"gpus.GPU-5a0cb587-1d35-4a3b-9c8d-3f2e1d0c0b11.memory_used_bytes":{"max":61203283968.0,"mea)D"
    R"D(n":61203283968.0,"min":61203283968.0,"n":6},"gpus.GPU-5a0cb587-1d35-4a3b-9c8d-3f2e1d0c0b11.memory_utilization_)D"
    R"D(ratio":{"max":0.7,"mean":0.7,"min":0.7,"n":6},"gpus.GPU-5a0cb587-1d35-4a3b-9c8d-3f2e1d0c0b11.power_limit_watts)D"
    R"D(":{"max":400.0,"mean":400.0,"min":400.0,"n":6},"gpus.GPU-5a0cb587-1d35-4a3b-9c8d-3f2e1d0c0b11.power_watts":{"m)D"
    R"D(ax":330.0,"mean":330.0,"min":330.0,"n":6},"gpus.GPU-5a0cb587-1d35-4a3b-9c8d-3f2e1d0c0b11.temperature_celsius":)D"
    R"D({"max":69.0,"mean":69.0,"min":69.0,"n":6},"gpus.GPU-5a0cb587-1d35-4a3b-9c8d-3f2e1d0c0b11.utilization_ratio":{")D"
    R"D(max":0.73,"mean":0.73,"min":0.73,"n":6},"interfaces.eth0.receive_bytes_per_second":{"max":1250000.5,"mean":125)D"
    R"D(0000.5,"min":1250000.5,"n":6},"interfaces.eth0.transmit_bytes_per_second":{"max":312500.25,"mean":312500.25,"m)D"
    R"D(in":312500.25,"n":6},"interfaces.ib0.receive_bytes_per_second":{"max":12500000000.0,"mean":12500000000.0,"min")D"
    R"D(:12500000000.0,"n":6},"interfaces.ib0.transmit_bytes_per_second":{"max":6250000000.0,"mean":6250000000.0,"min")D"
    R"D(:6250000000.0,"n":6},"memory.available_bytes":{"max":547391131648.0,"mean":547391131648.0,"min":547391131648.0)D"
    R"D(,"n":6},"memory.total_bytes":{"max":1081172000768.0,"mean":1081172000768.0,"min":1081172000768.0,"n":6},"mount)D"
    R"D(s./.total_bytes":{"max":214748364800.0,"mean":214748364800.0,"min":214748364800.0,"n":6},"mounts./.used_bytes")D"
    R"D(:{"max":41943040000.0,"mean":41943040000.0,"min":41943040000.0,"n":6},"mounts./data.total_bytes":{"max":384075)D"
    R"D(5982336.0,"mean":3840755982336.0,"min":3840755982336.0,"n":6},"mounts./data.used_bytes":{"max":1099511627776.0)D"
    R"D(,"mean":1099511627776.0,"min":1099511627776.0,"n":6},"network.latency_seconds":{"max":0.0021,"mean":0.0021,"mi)D"
    R"D(n":0.0021,"n":6},"network.loss_ratio":{"max":0.0,"mean":0.0,"min":0.0,"n":6},"sensors.coretemp.Package id 0":{)D"
    R"D("max":55.0,"mean":55.0,"min":55.0,"n":6},"sensors.coretemp.Package id 1":{"max":57.0,"mean":57.0,"min":57.0,"n)D"
    R"D(":6},"sensors.nct6798.+12V":{"max":12.096,"mean":12.096,"min":12.096,"n":6},"sensors.nct6798.Vcore":{"max":1.1)D"
    R"D(04,"mean":1.104,"min":1.104,"n":6},"sensors.nvme.Composite":{"max":38.85,"mean":38.85,"min":38.85,"n":6}}{"at")D"
    R"D(:"2026-12-05T09:12:40Z","cpu":{"cpus":128,"idle":0.4433,"iowait":0.0081,"irq":0.0,"load1":30.52,"load15":27.86)D"
    R"D(,"load5":29.1,"nice":0.0,"softirq":0.0053,"steal":null,"system":0.0612,"user":0.4821},"gpu_error":null,"gpu_so)D"
    R"D(urce":"nvml","gpus":[{"index":0,"lost":false,"memory_total_bytes":85899345920,"memory_used_bytes":73400320000,)D"
    R"D("memory_utilization_ratio":0.41,"name":"NVIDIA A100-SXM4-80GB","power_limit_watts":400.0,"power_watts":312.54,)D"
    R"D("temperature_celsius":63.0,"utilization_ratio":0.97,"uuid":"GPU-5a0c3e10-1d2e-4a3b-9c8d-3f2e1d0c0b0a","voltage)D"
    R"D(_volts":null},{"index":1,"lost":false,"memory_total_bytes":85899345920,"memory_used_bytes":0,"memory_utilizati)D"
    R"D(on_ratio":0.0,"name":"NVIDIA A100-SXM4-80GB","power_limit_watts":400.0,"power_watts":61.2,"temperature_celsius)D"
    R"D(":34.0,"utilization_ratio":0.0,"uuid":"GPU-5a0c4f21-1d2f-4a3b-9c8d-3f2e1d0c0b0b","voltage_volts":null},{"index)D"
    R"D(":2,"lost":false,"memory_total_bytes":85899345920,"memory_used_bytes":40265318400,"memory_utilization_ratio":0)D"
    R"D(.2,"name":"NVIDIA A100-SXM4-80GB","power_limit_watts":400.0,"power_watts":201.8,"temperature_celsius":55.0,"ut)D"
    R"D(ilization_ratio":0.45,"uuid":"GPU-5a0c6032-1d30-4a3b-9c8d-3f2e1d0c0b0c","voltage_volts":null},{"index":3,"lost)D"
    R"D(":false,"memory_total_bytes":85899345920,"memory_used_bytes":85195948032,"memory_utilization_ratio":0.99,"name)D"
    R"D(":"NVIDIA A100-SXM4-80GB","power_limit_watts":400.0,"power_watts":398.07,"temperature_celsius":71.0,"utilizati)D"
    R"D(on_ratio":1.0,"uuid":"GPU-5a0c7143-1d31-4a3b-9c8d-3f2e1d0c0b0d","voltage_volts":null},{"index":4,"lost":false,)D"
    R"D("memory_total_bytes":85899345920,"memory_used_bytes":4194304000,"memory_utilization_ratio":0.05,"name":"NVIDIA)D"
    R"D( A100-SXM4-80GB","power_limit_watts":400.0,"power_watts":88.9,"temperature_celsius":41.0,"utilization_ratio":0)D"
    R"D(.12,"uuid":"GPU-5a0c8254-1d32-4a3b-9c8d-3f2e1d0c0b0e","voltage_volts":null},{"index":5,"lost":false,"memory_to)D"
    R"D(tal_bytes":85899345920,"memory_used_bytes":52428800000,"memory_utilization_ratio":0.6,"name":"NVIDIA A100-SXM4)D"
    R"D(-80GB","power_limit_watts":400.0,"power_watts":350.11,"temperature_celsius":66.0,"utilization_ratio":0.88,"uui)D"
    R"D(d":"GPU-5a0c9365-1d33-4a3b-9c8d-3f2e1d0c0b0f","voltage_volts":null},{"index":6,"lost":false,"memory_total_byte)D"
    R"D(s":85899345920,"memory_used_bytes":28521267200,"memory_utilization_ratio":0.33,"name":"NVIDIA A100-SXM4-80GB",)D"
    R"D("power_limit_watts":400.0,"power_watts":240.6,"temperature_celsius":58.0,"utilization_ratio":0.5,"uuid":"GPU-5)D"
    R"D(a0ca476-1d34-4a3b-9c8d-3f2e1d0c0b10","voltage_volts":null},{"index":7,"lost":false,"memory_total_bytes":858993)D"
    R"D(45920,"memory_used_bytes":61203283968,"memory_utilization_ratio":0.7,"name":"NVIDIA A100-SXM4-80GB","power_lim)D"
    R"D(it_watts":400.0,"power_watts":330.0,"temperature_celsius":69.0,"utilization_ratio":0.73,"uuid":"GPU-5a0cb587-1)D"
    R"D(d35-4a3b-9c8d-3f2e1d0c0b11","voltage_volts":null}],"interfaces":[{"name":"eth0","receive_bytes_per_second":125)D"
    R"D(0000.5,"receive_bytes_total":184467440737,"transmit_bytes_per_second":312500.25,"transmit_bytes_total":9223372)D"
    R"D(0368},{"name":"ib0","receive_bytes_per_second":12500000000.0,"receive_bytes_total":9223372036854,"transmit_byt)D"
    R"D(es_per_second":6250000000.0,"transmit_bytes_total":4611686018427}],"memory":{"available_bytes":547391131648,"t)D"
    R"D(otal_bytes":1081172000768},"mounts":[{"path":"/","total_bytes":214748364800,"used_bytes":41943040000},{"path":)D"
    R"D("/data","total_bytes":3840755982336,"used_bytes":1099511627776}],"network":{"latency_seconds":0.0021,"loss_rat)D"
    R"D(io":0.0,"probes":3},"sensors":[{"chip":"coretemp","kind":"temperature","label":"Package id 0","value":55.0},{")D"
    R"D(chip":"coretemp","kind":"temperature","label":"Package id 1","value":57.0},{"chip":"nvme","kind":"temperature")D"
    R"D(,"label":"Composite","value":38.85},{"chip":"nct6798","kind":"voltage","label":"Vcore","value":1.104},{"chip":)D"
    R"D("nct6798","kind":"voltage","label":"+12V","value":12.096}]})D";

constexpr int kLevel = 1;  // the fastest level: ingest runs it once per sample and per minute rewritten
constexpr unsigned long long kMaxText = 64ULL << 20;

struct Dictionaries {
  ZSTD_CDict* c = ZSTD_createCDict(kDictionaryV1.data(), kDictionaryV1.size(), kLevel);
  ZSTD_DDict* d = ZSTD_createDDict(kDictionaryV1.data(), kDictionaryV1.size());
  ~Dictionaries() {
    ZSTD_freeCDict(c);
    ZSTD_freeDDict(d);
  }
};

// Shared by every thread (zstd's dictionaries are read-only once made);
// contexts are per thread.
const Dictionaries& dictionaries() {
  static const Dictionaries dicts;
  return dicts;
}

struct Contexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~Contexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};

Contexts& contexts() {
  thread_local Contexts ctx;
  return ctx;
}

}  // namespace

Result<std::string> pack(std::string_view json) {
  std::string out(1 + ZSTD_compressBound(json.size()), '\0');
  out[0] = static_cast<char>(kZstdDictionaryV1);
  const std::size_t n = ZSTD_compress_usingCDict(contexts().c, out.data() + 1, out.size() - 1, json.data(), json.size(),
                                                 dictionaries().c);
  // compressBound is the bound: only a context zstd could not allocate fails.
  if (ZSTD_isError(n)) return fail(ErrorCode::Internal, fmt::format("zstd: {}", ZSTD_getErrorName(n)));
  out.resize(1 + n);
  return out;
}

Result<std::string> unpack(std::string_view packed, std::string_view what) {
  if (packed.empty() || static_cast<std::uint8_t>(packed[0]) != kZstdDictionaryV1)
    return fail(ErrorCode::Internal,
                fmt::format("{}: unknown codec {}", what,
                            packed.empty() ? -1 : static_cast<int>(static_cast<std::uint8_t>(packed[0]))));
  packed.remove_prefix(1);
  const unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxText)
    return fail(ErrorCode::Internal, fmt::format("{}: not a whole zstd frame", what));
  std::string out(size, '\0');
  const std::size_t n =
      ZSTD_decompress_usingDDict(contexts().d, out.data(), out.size(), packed.data(), packed.size(), dictionaries().d);
  if (ZSTD_isError(n) || n != size)
    return fail(ErrorCode::Internal,
                fmt::format("{}: damaged zstd frame ({})", what, ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  return out;
}

Result<std::string> column_json(const SQLite::Column& c, std::string_view what) {
  if (c.isBlob()) return unpack({static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes())}, what);
  return c.getString();
}

}  // namespace cpshare::json_codec
