// On-disk formats of salestrack's RocksDB data directory. Every key and value format is written
// down here and nowhere else; a change to any of them bumps kFormatVersion.
//
// Format version 1. Column families:
//
//   "log"   key   := fixed64_be(seq)                          seq >= 1, dense, in commit order
//           value := EventRecord bytes without field 1 (seq is the key):
//                    [field 3 event: Event][field 2 recorded_at: Timestamp]
//                    (event first: the submitting thread serializes it, and the writer only
//                    appends the recorded_at it stamps; protobuf parses fields in any order)
//   "ids"   key   := event_id bytes                           (1..128 bytes of UTF-8)
//           value := varint64(seq) u8(payload_case)          payload_case = Event.payload field
//           number
//   "meta"  key   := "format_version"   value := decimal ASCII, e.g. "1"
//           key   := "time_zone"        value := the org time zone's IANA name, e.g.
//           "Asia/Shanghai"
//                    (the zone every figure of this log is computed in: written when the directory
//                    is created, replaced only by a re-projection; see store/time_zone_binding.h.
//                    A directory written before this key existed gets it at its next start: the
//                    zone that start is given, else UTC)
//           key   := "currency"         value := ISO 4217 code, a space, the minor-unit exponent,
//                    e.g. "CNY 2" (what every money figure of this log is in; written when the
//                    directory is first started with it; see store/currency_binding.h)
//   "default" key := "resume_marker"    value := ""  (written without the WAL, so never durable,
//                    and never read: it keeps a memtable non-empty so that RocksDB's recovery
//                    from a full disk switches to a new WAL; see LogStore::KeepAMemtableFilled)
//
// The log head is the last key of "log"; it is not stored separately (a per-commit write to the
// rarely flushed "meta" family would pin every WAL file until a forced flush).
//
// Big-endian seqs make RocksDB's bytewise order the seq order, so a forward iterator reads the log
// in order and SeekToLast finds the head.
//
// A data directory whose "meta" says another format version is refused at open: salestrackd never
// guesses at bytes it does not understand. The portable path between versions is export/import of
// the log as JSON lines.
#ifndef SALESTRACK_STORE_KEYS_H_
#define SALESTRACK_STORE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace salestrack::store {

inline constexpr int kFormatVersion = 1;

inline constexpr std::string_view kLogFamily = "log";
inline constexpr std::string_view kIdsFamily = "ids";
inline constexpr std::string_view kMetaFamily = "meta";

inline constexpr std::string_view kFormatVersionKey = "format_version";
inline constexpr std::string_view kTimeZoneKey = "time_zone";
inline constexpr std::string_view kCurrencyKey = "currency";
inline constexpr std::string_view kResumeMarkerKey = "resume_marker";

// "log" keys.
std::string EncodeSeqKey(uint64_t seq);
std::optional<uint64_t> DecodeSeqKey(std::string_view key);

// "ids" values.
struct IdEntry {
  uint64_t seq = 0;
  int payload_case = 0;  // v1::Event::PayloadCase
};
std::string EncodeIdEntry(const IdEntry& entry);
std::optional<IdEntry> DecodeIdEntry(std::string_view value);

// "log" values, in two steps: the event part (any thread), then the writer appends recorded_at.
std::string EncodeLogValuePrefix(std::string_view event_bytes);
void AppendRecordedAt(int64_t recorded_at_micros, std::string* value);

}  // namespace salestrack::store

#endif  // SALESTRACK_STORE_KEYS_H_
