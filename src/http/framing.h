// The bytes of a stream's messages on the wire, one home for each framing: an HTTP/1.1 chunk, a
// Server-Sent Event, a Connect envelope. Used by the request threads' writers (http_server.cc) and
// by the writer thread that sends board updates to many connections (board_fanout.h).
#ifndef SALESTRACK_HTTP_FRAMING_H_
#define SALESTRACK_HTTP_FRAMING_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace salestrack::http {

enum class Framing { kSse, kConnect };

// One chunk of a chunked body: the size line, the data, CRLF. REQUIRES: !data.empty() (an empty
// chunk ends the body).
std::string Chunk(absl::string_view data);

// An event with `seq` as its id and `json` (one line) as its data.
std::string SseEvent(uint64_t seq, absl::string_view json);
inline constexpr absl::string_view kSseHeartbeat = ": heartbeat\n\n";

// A Connect envelope: the flags byte, the length as 4 bytes big-endian, the JSON.
std::string ConnectEnvelope(uint8_t flags, absl::string_view json);

// A message as `framing` writes it in a chunked body.
std::string MessageChunk(Framing framing, uint64_t seq, absl::string_view json);

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_FRAMING_H_
