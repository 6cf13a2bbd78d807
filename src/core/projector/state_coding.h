// State coding: the framing of a projector snapshot (Projector::SaveState), a writer that cuts it
// into chunks and a bounds-checked reader of one chunk.
//
//   stream := chunk+
//   chunk  := fixed32 index (0, 1, 2, ...) record+      at most ~chunk_bytes, decodable alone
//   record := byte section, fixed32 count, entry[count]
//
// A section is one table of the projector; its entries may continue in the next chunk's first
// record, but no entry spans two chunks (an entry larger than chunk_bytes makes its chunk larger).
// Sections come in ascending order, each at least once (a record of no entries for an empty
// table): kHeader first, kEnd last. An entry's fields are varints (unsigned), zigzag varints
// (signed), single bytes and length-prefixed byte strings; each section's entry layout is written
// beside its encoder (snapshot*.cc). Internal to src/core.
#ifndef SALESTRACK_CORE_PROJECTOR_STATE_CODING_H_
#define SALESTRACK_CORE_PROJECTOR_STATE_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "salestrack/varint.h"

namespace salestrack::projection {

// The sections, in stream order.
enum Section : uint8_t {
  kHeader = 1,
  kIdNames,
  kMetricNames,
  kOrgEvents,
  kDurationMetrics,
  kRepUnits,
  kWindows,
  kPendingVoids,
  kRepCells,
  kWindowAggs,
  kCustomerCells,
  kPits,
  kUnitRows,
  kChains,
  kCustomersByRep,
  kOpportunities,
  kContracts,
  kContractsByCustomer,
  kContractsByOpportunity,
  kPayments,
  kSingles,
  kEventsById,
  kIdsBySeq,
  kEnd,
};

// The error of a section whose bytes do not decode, or decode to ids or values out of range.
inline absl::Status MalformedSection(Section s) {
  return absl::DataLossError(
      absl::StrCat("projector state: malformed or inconsistent section ", static_cast<int>(s)));
}

// Reads a varint of at most kMaxVarintBytes bytes from [p, end) and moves p past it; false when
// none ends there. (ParseVarint's contract, on pointers: the loaders call it for every field.)
inline bool ReadVarint(const char*& p, const char* end, uint64_t* v) {
  uint64_t x = 0;
  for (int shift = 0; shift < 7 * static_cast<int>(kMaxVarintBytes); shift += 7) {
    if (p == end) return false;
    const auto b = static_cast<uint8_t>(*p++);
    x |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) {
      *v = x;
      return true;
    }
  }
  return false;
}

// Walks bytes that a room decodes without bounds checks (coding.h, RepCells), so that a loader can
// check them first: every varint must end within them.
class CheckedBytes {
 public:
  explicit CheckedBytes(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  bool done() const { return p_ == end_; }
  bool Varint(uint64_t* v) { return ReadVarint(p_, end_, v); }
  bool Skip() {
    uint64_t v;
    return ReadVarint(p_, end_, &v);
  }
  bool Byte(uint8_t* b) {
    if (p_ == end_) return false;
    *b = static_cast<uint8_t>(*p_++);
    return true;
  }

 private:
  const char* p_;
  const char* end_;
};

inline void PutFixed32(std::string& out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 4);
}

// Writes sections' entries into chunks and hands each chunk to the sink as it fills. The first
// error (the sink's) sticks: later calls do nothing and status() returns it. The sink must outlive
// the writer.
//
//   w.Begin(kChains);
//   for (...) { w.Entry(); w.U(rep); ...; w.EndEntry(); }
//   w.End();
class StateWriter {
 public:
  using Sink = absl::FunctionRef<absl::Status(std::string_view chunk)>;
  StateWriter(Sink sink, size_t chunk_bytes) : sink_(sink), chunk_bytes_(chunk_bytes) {
    PutFixed32(buf_, 0);
  }

  void Begin(Section s) {
    section_ = s;
    records_ = 0;
  }
  // Before an entry's fields: opens a record of the section if none is open.
  void Entry() {
    if (!open_) OpenRecord();
  }
  // After an entry's fields: a full chunk is closed and handed on.
  void EndEntry() {
    ++count_;
    if (buf_.size() >= chunk_bytes_) {
      CloseRecord();
      Flush();
    }
  }
  // Ends the section (with an empty record if it had none).
  void End() {
    if (!open_ && records_ == 0) OpenRecord();
    if (open_) CloseRecord();
  }
  // Hands on the last chunk. REQUIRES: the last section ended.
  absl::Status Finish() {
    if (buf_.size() > 4) Flush();
    return status_;
  }
  const absl::Status& status() const { return status_; }

  void U(uint64_t v) { PutVarint(buf_, v); }
  void S(int64_t v) { PutVarint(buf_, ZigZag(v)); }
  void Byte(uint8_t b) { buf_.push_back(static_cast<char>(b)); }
  void Str(std::string_view s) {
    U(s.size());
    buf_.append(s);
  }

 private:
  void OpenRecord() {
    record_at_ = buf_.size();
    buf_.push_back(static_cast<char>(section_));
    PutFixed32(buf_, 0);
    count_ = 0;
    open_ = true;
    ++records_;
  }
  void CloseRecord() {
    for (int i = 0; i < 4; ++i) buf_[record_at_ + 1 + i] = static_cast<char>(count_ >> (8 * i));
    open_ = false;
  }
  void Flush() {
    if (status_.ok()) status_ = sink_(buf_);
    buf_.clear();
    PutFixed32(buf_, ++chunk_);
  }

  Sink sink_;
  const size_t chunk_bytes_;
  std::string buf_;
  uint32_t chunk_ = 0;
  Section section_ = kHeader;
  bool open_ = false;
  size_t record_at_ = 0;
  uint32_t count_ = 0;
  size_t records_ = 0;
  absl::Status status_;
};

// Reads the fields of one chunk, never past its end. The first failure (a truncated or
// over-long field, a count larger than the bytes left allow) sticks: every later read fails too
// and returns zero or empty, so a decoder checks ok() once per entry.
class StateReader {
 public:
  explicit StateReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  uint64_t U() {
    uint64_t v = 0;
    return ReadVarint(p_, end_, &v) ? v : Fail();
  }
  int64_t S() { return UnZigZag(U()); }
  // A varint that must fit `max`.
  uint64_t UpTo(uint64_t max) {
    const uint64_t v = U();
    return v <= max ? v : Fail();
  }
  uint8_t Byte() {
    if (p_ == end_) return static_cast<uint8_t>(Fail());
    return static_cast<uint8_t>(*p_++);
  }
  uint32_t Fixed32() {
    if (end_ - p_ < 4) return static_cast<uint32_t>(Fail());
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += 4;
    return v;
  }
  std::string_view Str() {
    const uint64_t n = U();
    if (n > static_cast<uint64_t>(end_ - p_)) {
      Fail();
      return {};
    }
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  // A count of items of at least `min_bytes` each: fails unless the bytes left can hold them, so
  // a caller may allocate by it.
  size_t Count(size_t min_bytes) {
    const uint64_t n = U();
    return n <= static_cast<uint64_t>(end_ - p_) / min_bytes ? n : Fail();
  }
  // A record's entry count, checked like Count.
  uint32_t Entries(size_t min_bytes) {
    const uint32_t n = Fixed32();
    return n <= static_cast<uint64_t>(end_ - p_) / min_bytes ? n : static_cast<uint32_t>(Fail());
  }

  bool ok() const { return ok_; }
  bool done() const { return p_ == end_; }
  uint64_t Fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_STATE_CODING_H_
