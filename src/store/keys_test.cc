#include "store/keys.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::store {
namespace {

TEST(KeysTest, SeqKeysRoundTripAndSortInSeqOrder) {
  std::vector<uint64_t> seqs = {1, 2, 255, 256, 65535, 65536, 1ull << 40, ~0ull};
  std::vector<std::string> keys;
  for (uint64_t s : seqs) {
    std::string key = EncodeSeqKey(s);
    ASSERT_EQ(key.size(), 8u);
    EXPECT_EQ(DecodeSeqKey(key), s);
    keys.push_back(key);
  }
  // Bytewise order (RocksDB's default comparator) is numeric order.
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(EncodeSeqKey(1), std::string("\0\0\0\0\0\0\0\1", 8));
  EXPECT_FALSE(DecodeSeqKey("short").has_value());
}

TEST(KeysTest, IdEntriesRoundTrip) {
  for (IdEntry e : {IdEntry{1, 20}, IdEntry{127, 30}, IdEntry{128, 10}, IdEntry{1ull << 50, 27}}) {
    std::optional<IdEntry> back = DecodeIdEntry(EncodeIdEntry(e));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->seq, e.seq);
    EXPECT_EQ(back->payload_case, e.payload_case);
  }
  EXPECT_EQ(EncodeIdEntry({5, 20}), std::string("\x05\x14", 2));
  EXPECT_FALSE(DecodeIdEntry("").has_value());
  EXPECT_FALSE(DecodeIdEntry(std::string("\x80", 1)).has_value());          // Truncated varint.
  EXPECT_FALSE(DecodeIdEntry(std::string("\x05\x14\x00", 3)).has_value());  // Trailing byte.
}

TEST(KeysTest, LogValueIsAnEventRecordWithoutSeq) {
  v1::Event event;
  event.set_event_id("e-1");
  event.set_rep_id("rep-1");
  event.mutable_occurred_at()->set_seconds(1'700'000'000);
  event.mutable_feedback_recorded()->set_customer_id("c");
  event.mutable_feedback_recorded()->set_score(5);
  for (int64_t us : {int64_t{0}, int64_t{1'700'000'000'123'456}, int64_t{-1}}) {
    std::string value = EncodeLogValuePrefix(event.SerializeAsString());
    AppendRecordedAt(us, &value);
    v1::EventRecord record;
    ASSERT_TRUE(record.ParseFromString(value));
    EXPECT_EQ(record.seq(), 0u);
    int64_t got_us =
        record.recorded_at().seconds() * 1'000'000 + record.recorded_at().nanos() / 1000;
    EXPECT_EQ(got_us, us);
    EXPECT_GE(record.recorded_at().nanos(), 0);
    EXPECT_EQ(record.event().SerializeAsString(), event.SerializeAsString());
  }
}

TEST(KeysTest, NotifyRuleStatesRoundTripAndRefuseTruncation) {
  const NotifyRuleState state{"2026-12-01", {"rep-a", "", std::string(200, 'x')}};
  const std::string value = EncodeNotifyRuleState(state);
  std::optional<NotifyRuleState> back = DecodeNotifyRuleState(value);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->period, state.period);
  EXPECT_EQ(back->members, state.members);
  EXPECT_FALSE(DecodeNotifyRuleState(value.substr(0, value.size() - 1)).has_value());
  EXPECT_FALSE(DecodeNotifyRuleState("").has_value());
  // Pending keys of one rule share a prefix that no other rule's keys start with.
  EXPECT_TRUE(NotifyPendingKey("a", "k").starts_with(NotifyPendingPrefix("a")));
  EXPECT_FALSE(NotifyPendingKey("ab", "k").starts_with(NotifyPendingPrefix("a")));
}

}  // namespace
}  // namespace salestrack::store
