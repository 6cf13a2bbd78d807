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
//   "notify" (the outgoing webhooks' delivery state, src/notify/; docs/data-safety.md). The
//           notifier writes each step in one synced WriteBatch, so a restart resumes exactly:
//           key := "c"                           value := decimal ASCII seq: the last log record
//                                                 whose notifications are decided
//           key := "s" 0x00 rule                 value := lp(period) lp(member)*: the rule's
//                                                 state (a board's top n, the subjects that
//                                                 reached their target, the last digest day)
//           key := "p" 0x00 rule 0x00 idem_key   value := Notification bytes (kpi_service.proto):
//                                                 pending, with attempts and next_attempt_at
//           key := "d" 0x00 idem_key             value := Notification bytes: a dead letter
//           (lp(x) := varint64(size) x. A directory without the family gets it, empty, at open;
//           an empty family means "start at the log head": history is never notified.)
//   "views" (the KPI views' checkpoint: the projector's state as of one applied seq, so a start
//           replays only the log after it; store/views_checkpoint.h, docs/projections.md)
//           key := "m"                           value := the manifest: varint64(state format)
//                                                 varint64(seq) varint64(generation)
//                                                 varint64(chunks) varint64(bytes) lp(zone)
//           key := "c" fixed64_be(generation) fixed64_be(i)
//                                                 value := chunk i of that generation's state
//           (A generation's chunks are written before the manifest that names it, which is
//           synced; the generation it replaces is deleted after. The state's bytes are the
//           projector's, versioned by their own state format (Projector::kStateFormat), not by
//           kFormatVersion: a checkpoint of another state format is ignored and the log
//           replayed. A directory without the family gets it, empty, at open.)
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
#include <vector>

namespace salestrack::store {

inline constexpr int kFormatVersion = 1;

inline constexpr std::string_view kLogFamily = "log";
inline constexpr std::string_view kIdsFamily = "ids";
inline constexpr std::string_view kMetaFamily = "meta";
inline constexpr std::string_view kNotifyFamily = "notify";
inline constexpr std::string_view kViewsFamily = "views";

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

// "notify" keys and the rule state's value.
inline constexpr std::string_view kNotifyCheckpointKey = "c";
std::string NotifyStateKey(std::string_view rule);
std::string NotifyPendingPrefix(std::string_view rule);  // Every pending key of the rule.
std::string NotifyPendingKey(std::string_view rule, std::string_view idempotency_key);
inline constexpr std::string_view kNotifyDeadPrefix = std::string_view("d\0", 2);
std::string NotifyDeadKey(std::string_view idempotency_key);
struct NotifyRuleState {
  std::string period;
  std::vector<std::string> members;
};
std::string EncodeNotifyRuleState(const NotifyRuleState& state);
std::optional<NotifyRuleState> DecodeNotifyRuleState(std::string_view value);

// "views" keys and the manifest's value.
inline constexpr std::string_view kViewsManifestKey = "m";
std::string ViewsChunkKey(uint64_t generation, uint64_t index);
std::string ViewsGenerationPrefix(uint64_t generation);  // Every chunk key of the generation.
struct ViewsManifest {
  uint64_t state_format = 0;
  uint64_t seq = 0;  // The last log record the state reflects.
  uint64_t generation = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;  // The chunks' total size.
  std::string zone;    // The org time zone the figures were computed in.
  friend bool operator==(const ViewsManifest&, const ViewsManifest&) = default;
};
std::string EncodeViewsManifest(const ViewsManifest& m);
std::optional<ViewsManifest> DecodeViewsManifest(std::string_view value);

}  // namespace salestrack::store

#endif  // SALESTRACK_STORE_KEYS_H_
