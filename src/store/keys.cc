#include "store/keys.h"

#include "salestrack/varint.h"

namespace salestrack::store {
namespace {

// Protobuf wire tag for a length-delimited field.
char LengthDelimitedTag(int field) { return static_cast<char>((field << 3) | 2); }

}  // namespace

std::string EncodeSeqKey(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(seq & 0xFF);
    seq >>= 8;
  }
  return key;
}

std::optional<uint64_t> DecodeSeqKey(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  uint64_t seq = 0;
  for (char c : key) seq = (seq << 8) | static_cast<uint8_t>(c);
  return seq;
}

std::string EncodeIdEntry(const IdEntry& entry) {
  std::string out;
  PutVarint(out, entry.seq);
  out.push_back(static_cast<char>(entry.payload_case));
  return out;
}

std::optional<IdEntry> DecodeIdEntry(std::string_view value) {
  IdEntry entry;
  size_t n = ParseVarint(value, &entry.seq);
  if (n == 0 || value.size() != n + 1) return std::nullopt;
  entry.payload_case = static_cast<uint8_t>(value[n]);
  return entry;
}

std::string EncodeLogValuePrefix(std::string_view event_bytes) {
  std::string out;
  out.reserve(event_bytes.size() + 24);  // Room for the tag, length and recorded_at.
  out.push_back(LengthDelimitedTag(3));
  PutVarint(out, event_bytes.size());
  out.append(event_bytes);
  return out;
}

void AppendRecordedAt(int64_t recorded_at_micros, std::string* value) {
  // Timestamp{seconds = 1 (varint), nanos = 2 (varint)}; floor division keeps nanos >= 0.
  int64_t seconds = recorded_at_micros / 1'000'000;
  int64_t micros = recorded_at_micros % 1'000'000;
  if (micros < 0) micros += 1'000'000, seconds -= 1;
  std::string ts;
  if (seconds != 0) {
    ts.push_back(static_cast<char>((1 << 3) | 0));
    PutVarint(ts, static_cast<uint64_t>(seconds));
  }
  if (micros != 0) {
    ts.push_back(static_cast<char>((2 << 3) | 0));
    PutVarint(ts, static_cast<uint64_t>(micros * 1000));
  }
  value->push_back(LengthDelimitedTag(2));
  PutVarint(*value, ts.size());
  value->append(ts);
}

std::string NotifyStateKey(std::string_view rule) {
  std::string key("s", 1);
  key.push_back('\0');
  key.append(rule);
  return key;
}

std::string NotifyPendingPrefix(std::string_view rule) {
  std::string key("p", 1);
  key.push_back('\0');
  key.append(rule);
  key.push_back('\0');
  return key;
}

std::string NotifyPendingKey(std::string_view rule, std::string_view idempotency_key) {
  std::string key = NotifyPendingPrefix(rule);
  key.append(idempotency_key);
  return key;
}

std::string NotifyDeadKey(std::string_view idempotency_key) {
  std::string key(kNotifyDeadPrefix);
  key.append(idempotency_key);
  return key;
}

std::string EncodeNotifyRuleState(const NotifyRuleState& state) {
  std::string out;
  PutVarint(out, state.period.size());
  out.append(state.period);
  for (const std::string& m : state.members) {
    PutVarint(out, m.size());
    out.append(m);
  }
  return out;
}

std::optional<NotifyRuleState> DecodeNotifyRuleState(std::string_view value) {
  NotifyRuleState state;
  bool first = true;
  while (!value.empty()) {
    uint64_t size = 0;
    size_t n = ParseVarint(value, &size);
    if (n == 0 || size > value.size() - n) return std::nullopt;
    std::string part(value.substr(n, size));
    value.remove_prefix(n + size);
    if (first) {
      state.period = std::move(part);
      first = false;
    } else {
      state.members.push_back(std::move(part));
    }
  }
  if (first) return std::nullopt;
  return state;
}

std::string ViewsGenerationPrefix(uint64_t generation) { return "c" + EncodeSeqKey(generation); }

std::string ViewsChunkKey(uint64_t generation, uint64_t index) {
  return ViewsGenerationPrefix(generation) + EncodeSeqKey(index);
}

std::string EncodeViewsManifest(const ViewsManifest& m) {
  std::string out;
  for (uint64_t v : {m.state_format, m.seq, m.generation, m.chunks, m.bytes}) PutVarint(out, v);
  PutVarint(out, m.zone.size());
  out.append(m.zone);
  return out;
}

std::optional<ViewsManifest> DecodeViewsManifest(std::string_view value) {
  ViewsManifest m;
  uint64_t zone_size = 0;
  for (uint64_t* v : {&m.state_format, &m.seq, &m.generation, &m.chunks, &m.bytes, &zone_size}) {
    const size_t n = ParseVarint(value, v);
    if (n == 0) return std::nullopt;
    value.remove_prefix(n);
  }
  if (zone_size != value.size()) return std::nullopt;
  m.zone = std::string(value);
  return m;
}

}  // namespace salestrack::store
