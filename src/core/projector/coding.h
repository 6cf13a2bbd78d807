// Entity coding: the byte strings an action chain and an opportunity are kept in (actions.h,
// opportunities.h). Records sorted by (at, seq) start with varints zigzag(at − previous at) and
// zigzag(seq − previous seq); what follows is the entity's own.
#ifndef SALESTRACK_CORE_PROJECTOR_CODING_H_
#define SALESTRACK_CORE_PROJECTOR_CODING_H_

#include <cstdint>
#include <string>

#include "core/projector/common.h"
#include "salestrack/varint.h"

namespace salestrack::projection {

// Writes the (at, seq) of each record, against the previous record's.
struct AtSeqWriter {
  Micros at = 0;
  int64_t seq = 0;
  void Put(std::string& out, Micros next_at, uint64_t next_seq) {
    PutVarint(out, ZigZag(next_at - at));
    PutVarint(out, ZigZag(static_cast<int64_t>(next_seq) - seq));
    at = next_at;
    seq = static_cast<int64_t>(next_seq);
  }
};

// Reads the records back: Next() reads a record's (at, seq), then Varint() and Byte() its fields.
// REQUIRES: bytes written by this process (no bounds checks within a record).
class AtSeqReader {
 public:
  explicit AtSeqReader(const std::string& bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}
  bool Next() {
    if (p_ == end_) return false;
    at += UnZigZag(Varint());
    seq += UnZigZag(Varint());
    return true;
  }
  uint64_t Varint() {
    uint64_t v;
    p_ = GetVarintUnchecked(p_, &v);
    return v;
  }
  uint8_t Byte() { return static_cast<uint8_t>(*p_++); }

  Micros at = 0;
  int64_t seq = 0;

 private:
  const char* p_;
  const char* end_;
};

// Copies `from` into `to`, growing `to` by an eighth instead of doubling it, as std::string does
// (libstdc++ still rounds a first allocation past the 15 inline bytes up to 30): at 10M events in
// kpi_bench, actions 209 -> 184 MiB, opportunities 101 -> 90.
inline void AssignCompact(std::string& to, const std::string& from) {
  if (from.size() > to.capacity()) {
    std::string grown;
    grown.reserve(from.size() + from.size() / 8);
    to.swap(grown);
  }
  to.assign(from);
}

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_CODING_H_
