// The front door's pure rules (issue 9, R-SEC-1/R-SEC-2): how much one client
// address may hold, which request framings the daemon reads, and a strict
// decoder for chunked bodies. No sockets here; server/connection.hpp applies
// them to live connections, and tests/unit/test_front_door.cpp checks them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/client_address.hpp"

#include "util/error.hpp"

namespace cpshare::front_door {

// Deadlines and sizes of one connection. A request must arrive whole in time:
// the request line and headers within `header_timeout` of its first byte
// (absolute, not per read), the body within `body_floor` plus its size at
// `min_rate`; an answer must leave at the same pace. A keep-alive connection
// that sends nothing for `idle_timeout` is closed.
struct Limits {
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_floor{10000};
  std::uint64_t min_rate = 32 * 1024;          // bytes per second, bodies and answers
  std::uint64_t max_header_bytes = 64 * 1024;  // request line + headers
  std::uint64_t max_body = 8 * 1024 * 1024;    // a body's bytes, however framed
  // Chunk-size lines, extensions and trailers a chunked body may add to
  // max_body on the wire.
  std::uint64_t max_chunk_framing = 1024 * 1024;
  // After refusing a body, read (and drop) at most this much for at most
  // `linger` so the client sees the answer rather than a reset.
  std::uint64_t linger_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds linger{2000};
};

// Connections held per client address (ServerOptions::max_connections_per_address).
// `cap` 0: no cap. Addresses in `exempt` (the --trusted-proxy values, single
// addresses or CIDR networks, which carry many clients) are never capped; a
// value that is not an address or network exempts nothing. Thread-safe.
class AddressSlots {
 public:
  AddressSlots(int cap, std::vector<std::string> exempt);
  // Takes a slot for `address`; false when it already holds `cap`.
  bool acquire(const std::string& address);
  // Gives back a slot that acquire() granted.
  void release(const std::string& address);
  // Slots `address` holds now.
  int held(const std::string& address) const;

 private:
  int cap_;
  TrustedProxies exempt_;
  mutable std::mutex mu_;
  std::map<std::string, int> held_;
};

// How a request's body is framed (RFC 9112 §6).
struct Framing {
  enum class Kind { None, Length, Chunked } kind = Kind::None;
  std::uint64_t length = 0;  // Kind::Length: the declared Content-Length
};

// The framing headers of one request, every value as sent (a header sent twice
// has two entries).
struct FramingHeaders {
  std::vector<std::string> content_length;
  std::vector<std::string> transfer_encoding;
  std::vector<std::string> content_encoding;
};

// The framing of a request whose headers are `h`, before any body byte is
// read. Refused at once:
//  - Content-Length not plain decimal digits, or two different values:
//    MALFORMED_REQUEST (400);
//  - Content-Length over `max_body`: PAYLOAD_TOO_LARGE (413);
//  - both Content-Length and Transfer-Encoding: MALFORMED_REQUEST (400, RFC 9112 §6.1);
//  - a Transfer-Encoding other than `chunked`: NOT_IMPLEMENTED (501);
//  - a Content-Encoding other than `identity` (the daemon does not inflate
//    bodies: a small gzip body could become gigabytes): UNSUPPORTED_MEDIA_TYPE (415).
Result<Framing> check_framing(const FramingHeaders& h, std::uint64_t max_body);

// A strict, incremental decoder of a chunked body (RFC 9112 §7.1): chunk-size
// is 1 to 16 hex digits, then optional extensions, then CRLF; each chunk's data
// ends with CRLF; trailer fields are read and dropped. feed() consumes bytes
// from the front of `in`, appends the body to `body`, and returns how many it
// consumed; it stops at the end of the body (done()), leaving what follows
// (a pipelined request) unconsumed. Errors (once, then every call returns it):
//  - a chunk-size that is not hexadecimal (a minus sign, garbage), too long, a
//    line without CRLF, data not followed by CRLF: MALFORMED_REQUEST (400);
//  - the body past `max_body`, or the framing past `max_framing` extra bytes:
//    PAYLOAD_TOO_LARGE (413), as soon as the cap is passed.
class ChunkedDecoder {
 public:
  ChunkedDecoder(std::uint64_t max_body, std::uint64_t max_framing);
  Result<std::size_t> feed(std::string_view in, std::string& body);
  bool done() const { return state_ == State::Done; }

 private:
  enum class State { Size, Data, DataEnd, Trailer, Done, Failed };
  Result<std::size_t> fail_with(Error e);
  Result<> end_of_line(std::string_view line);

  std::uint64_t max_body_;
  std::uint64_t max_framing_;
  State state_ = State::Size;
  std::string line_;             // the line being read (size or trailer)
  std::uint64_t remaining_ = 0;  // of the current chunk's data
  std::uint64_t framing_ = 0;    // wire bytes that are not body
  std::uint64_t decoded_ = 0;
  Error error_;
};

}  // namespace cpshare::front_door
