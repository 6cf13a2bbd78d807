#include "http/framing.h"

#include "absl/strings/str_cat.h"

namespace salestrack::http {

std::string Chunk(absl::string_view data) {
  return absl::StrCat(absl::Hex(data.size()), "\r\n", data, "\r\n");
}

std::string SseEvent(uint64_t seq, absl::string_view json) {
  return absl::StrCat("id: ", seq, "\ndata: ", json, "\n\n");
}

std::string ConnectEnvelope(uint8_t flags, absl::string_view json) {
  const uint32_t n = static_cast<uint32_t>(json.size());
  std::string out;
  out.reserve(5 + json.size());
  out.push_back(static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
  out.append(json.data(), json.size());
  return out;
}

std::string MessageChunk(Framing framing, uint64_t seq, absl::string_view json) {
  return Chunk(framing == Framing::kSse ? SseEvent(seq, json) : ConnectEnvelope(0, json));
}

}  // namespace salestrack::http
