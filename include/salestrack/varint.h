// Base-128 varints (protobuf's: 7 bits a byte, least significant first, high bit = more) and
// zigzag coding of signed values: the one coding of the store's keys and the projector's cells.
#ifndef SALESTRACK_VARINT_H_
#define SALESTRACK_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace salestrack {

// At most 10 bytes for a uint64_t.
constexpr size_t kMaxVarintBytes = 10;

inline void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads a varint from bytes this process wrote itself (no bounds check): returns the byte after it.
// REQUIRES: p starts a complete varint.
inline const char* GetVarintUnchecked(const char* p, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0;; shift += 7) {
    auto byte = static_cast<uint8_t>(*p++);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  *v = result;
  return p;
}

// Reads a varint from the front of `in`, which may be truncated or malformed (stored or received
// bytes): returns the number of bytes read, or 0 when `in` holds no complete varint of at most
// kMaxVarintBytes bytes.
inline size_t ParseVarint(std::string_view in, uint64_t* v) {
  *v = 0;
  for (size_t i = 0; i < in.size() && i < kMaxVarintBytes; ++i) {
    const auto b = static_cast<uint8_t>(in[i]);
    *v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return i + 1;
  }
  return 0;
}

// Small magnitudes, of either sign, to small unsigned values: 0, -1, 1, -2 -> 0, 1, 2, 3.
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace salestrack

#endif  // SALESTRACK_VARINT_H_
