#include "store/sequencer.h"

#include <future>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/event_error.h"
#include "test_base.h"

namespace salestrack::store {
namespace {

using ::salestrack::testing::Action;
using ::salestrack::testing::Contract;
using ::salestrack::testing::TempDir;
using ::salestrack::testing::Void;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);

class SequencerTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { Close(); }

  void Open() {
    auto store = LogStore::Open(dir_.Sub("db"), StoreOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    sequencer_ = std::make_unique<Sequencer>(store_.get(), &clock_);
  }
  void Close() {
    sequencer_.reset();
    store_.reset();
  }

  absl::StatusOr<AppendResult> Append(std::vector<v1::Event> events) {
    Events batch(events.begin(), events.end());
    std::promise<absl::StatusOr<AppendResult>> done;
    sequencer_->Submit(&batch, [&done](absl::StatusOr<AppendResult> r) { done.set_value(r); });
    return done.get_future().get();
  }

  std::vector<std::string> StoredIds() {
    std::vector<v1::EventRecord> records;
    EXPECT_TRUE(store_->ReadRange(1, sequencer_->committed_seq(), 100000, 1 << 30, &records).ok());
    std::vector<std::string> ids;
    for (const auto& r : records) ids.push_back(r.event().event_id());
    return ids;
  }

  TempDir dir_;
  FakeClock clock_{kT0};
  std::unique_ptr<LogStore> store_;
  std::unique_ptr<Sequencer> sequencer_;
};

TEST_F(SequencerTest, AssignsDenseSeqsInBatchOrder) {
  auto r1 = Append({Action("a", "rep-1", "c", kT0), Action("b", "rep-1", "c", kT0)});
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_THAT(r1->seqs, ElementsAre(1, 2));
  auto r2 = Append({Action("c", "rep-2", "c", kT0)});
  EXPECT_THAT(r2->seqs, ElementsAre(3));
  EXPECT_EQ(sequencer_->committed_seq(), 3u);
  EXPECT_THAT(StoredIds(), ElementsAre("a", "b", "c"));
  auto record = store_->ReadRecord(2);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->seq(), 2u);
  EXPECT_EQ(absl::FromUnixSeconds(record->recorded_at().seconds()), kT0);
}

TEST_F(SequencerTest, DuplicateGetsItsOriginalSeqAndWritesNothing) {
  ASSERT_TRUE(Append({Action("a", "rep-1", "c", kT0), Action("b", "rep-1", "c", kT0)}).ok());
  auto again = Append({Action("b", "rep-1", "c", kT0), Action("new", "rep-1", "c", kT0)});
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(again->seqs, ElementsAre(2, 3));
  EXPECT_EQ(again->duplicates, 1u);
  EXPECT_THAT(StoredIds(), ElementsAre("a", "b", "new"));
}

TEST_F(SequencerTest, RepeatWithinOneBatchIsStoredOnce) {
  auto r = Append({Action("a", "rep-1", "c", kT0), Action("a", "rep-1", "c", kT0)});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->seqs, ElementsAre(1, 1));
  EXPECT_EQ(r->duplicates, 1u);
  EXPECT_THAT(StoredIds(), ElementsAre("a"));
}

TEST_F(SequencerTest, SameIdOtherContentIsAlreadyExistsAndRejectsTheWholeBatch) {
  ASSERT_TRUE(Append({Action("a", "rep-1", "c", kT0)}).ok());
  auto r = Append({Action("fresh", "rep-1", "c", kT0), Action("a", "rep-1", "OTHER", kT0)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("events[1].event_id"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("seq 1"));
  EXPECT_EQ(GetEventErrorLocation(r.status())->event_index, 1);
  EXPECT_THAT(StoredIds(), ElementsAre("a"));
  // No seq was consumed by the refused batch.
  EXPECT_THAT(Append({Action("b", "rep-1", "c", kT0)})->seqs, ElementsAre(2));
}

TEST_F(SequencerTest, ConflictInsideOneBatchIsAlreadyExists) {
  auto r = Append({Action("a", "rep-1", "c", kT0), Action("a", "rep-2", "c", kT0)});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(StoredIds(), ElementsAre());
}

TEST_F(SequencerTest, IdempotencyHoldsAcrossRestart) {
  ASSERT_TRUE(Append({Contract("k", "rep-1", "c-1", 500, kT0)}).ok());
  Close();
  Open();
  EXPECT_EQ(sequencer_->committed_seq(), 1u);
  auto dup = Append({Contract("k", "rep-1", "c-1", 500, kT0)});
  EXPECT_THAT(dup->seqs, ElementsAre(1));
  EXPECT_EQ(Append({Contract("k", "rep-1", "c-1", 501, kT0)}).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(SequencerTest, VoidRules) {
  ASSERT_TRUE(Append({Action("a", "rep-1", "c", kT0)}).ok());
  auto unknown = Append({Void("v0", "nope", kT0)});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("events[0].event_voided.target_event_id: no event \"nope\""));
  ASSERT_TRUE(Append({Void("v1", "a", kT0)}).ok());
  auto of_void = Append({Void("v2", "v1", kT0)});
  EXPECT_EQ(of_void.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(of_void.status().message()), HasSubstr("itself a void"));
  // A void may name an event of its own batch, wherever it stands.
  auto same_batch = Append({Void("v3", "b", kT0), Action("b", "rep-1", "c", kT0)});
  EXPECT_TRUE(same_batch.ok()) << same_batch.status();
  EXPECT_THAT(StoredIds(), ElementsAre("a", "v1", "v3", "b"));
}

TEST_F(SequencerTest, ConcurrentSubmittersAreGroupCommitted) {
  constexpr int kThreads = 8, kBatches = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        auto r = Append({Action(absl::StrCat("t", t, "-", b, "-x"), "rep-1", "c", kT0),
                         Action(absl::StrCat("t", t, "-", b, "-y"), "rep-1", "c", kT0)});
        if (!r.ok() || r->seqs.size() != 2 || r->seqs[1] != r->seqs[0] + 1) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(sequencer_->committed_seq(), uint64_t{kThreads * kBatches * 2});
  SequencerStats stats = sequencer_->stats();
  EXPECT_EQ(stats.batches, uint64_t{kThreads * kBatches});
  EXPECT_EQ(stats.events_written, uint64_t{kThreads * kBatches * 2});
  // Several batches shared a WriteBatch and one fsync.
  EXPECT_LT(stats.commits, stats.batches);
}

// A submitter's BatchCheck sees only the batch's new events and refuses that batch alone, even
// within a group of others.
TEST_F(SequencerTest, ABatchCheckRefusesItsBatchAlone) {
  ASSERT_TRUE(Append({Action("old", "rep-1", "c", kT0)}).ok());
  constexpr int kBatches = 40;
  std::vector<Events> batches(kBatches);
  std::vector<std::promise<absl::StatusOr<AppendResult>>> done(kBatches);
  for (int b = 0; b < kBatches; ++b) {
    *batches[b].Add() = Action("old", "rep-1", "c", kT0);
    *batches[b].Add() = Action(absl::StrCat("new-", b), "rep-1", "c", kT0);
    BatchCheck check;
    if (b % 2 == 1) {
      check = [b](const Events& events, const std::vector<int>& fresh) {
        EXPECT_THAT(fresh, ElementsAre(1));
        return salestrack::EventError(absl::StatusCode::kPermissionDenied, fresh[0], "rep_id",
                                      absl::StrCat("not batch ", b));
      };
    }
    sequencer_->Submit(
        &batches[b], [&done, b](absl::StatusOr<AppendResult> r) { done[b].set_value(r); },
        std::move(check));
  }
  for (int b = 0; b < kBatches; ++b) {
    absl::StatusOr<AppendResult> r = done[b].get_future().get();
    if (b % 2 == 1) {
      EXPECT_EQ(r.status().message(), absl::StrCat("events[1].rep_id: not batch ", b));
    } else {
      EXPECT_TRUE(r.ok()) << r.status();
    }
  }
  EXPECT_EQ(sequencer_->committed_seq(), uint64_t{1 + kBatches / 2});  // Dense: no seq wasted.
}

TEST_F(SequencerTest, WaitPastFiresAfterCommitAndOnClose) {
  std::promise<bool> past;
  sequencer_->WaitPast(0, [&past](bool live) { past.set_value(live); });
  auto fut = past.get_future();
  EXPECT_EQ(fut.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  ASSERT_TRUE(Append({Action("a", "rep-1", "c", kT0)}).ok());
  EXPECT_TRUE(fut.get());

  std::promise<bool> closed;
  sequencer_->WaitPast(1, [&closed](bool live) { closed.set_value(live); });
  sequencer_->CloseWaiters();
  EXPECT_FALSE(closed.get_future().get());
}

TEST_F(SequencerTest, SubmitAfterStopIsUnavailable) {
  sequencer_->Stop();
  EXPECT_EQ(Append({Action("a", "rep-1", "c", kT0)}).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(LogStoreTest, RefusesAnotherFormatVersion) {
  TempDir dir;
  {
    auto store = LogStore::Open(dir.Sub("db"), StoreOptions());
    ASSERT_TRUE(store.ok());
    rocksdb::WriteOptions w;
    ASSERT_TRUE((*store)->db()->Put(w, (*store)->meta_family(), "format_version", "99").ok());
  }
  auto reopened = LogStore::Open(dir.Sub("db"), StoreOptions());
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(reopened.status().message()), HasSubstr("format version \"99\""));
}

TEST(LogStoreTest, RefusesANonEmptyDirectoryThatIsNotADatabase) {
  TempDir dir;
  FILE* f = fopen(dir.Sub("notes.txt").c_str(), "w");
  fputs("hello", f);
  fclose(f);
  auto store = LogStore::Open(dir.path(), StoreOptions());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace salestrack::store
