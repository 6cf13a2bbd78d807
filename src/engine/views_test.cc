#include "engine/views.h"

#include <atomic>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "salestrack/clock.h"
#include "store/log_store.h"
#include "store/sequencer.h"
#include "store/views_checkpoint.h"
#include "test_base.h"

namespace salestrack::engine {
namespace {

v1::Event UnitEvent(const std::string& id, const std::string& parent) {
  v1::Event e;
  e.set_event_id("u-" + id);
  *e.mutable_occurred_at() = testing::ToProto(absl::FromUnixSeconds(1'790'000'000));
  e.mutable_unit_defined()->set_unit_id(id);
  e.mutable_unit_defined()->set_name(id);
  e.mutable_unit_defined()->set_parent_unit_id(parent);
  return e;
}

v1::Event RepEvent(const std::string& id, const std::string& unit) {
  v1::Event e;
  e.set_event_id("r-" + id);
  *e.mutable_occurred_at() = testing::ToProto(absl::FromUnixSeconds(1'790'000'000));
  e.mutable_rep_defined()->set_rep_id(id);
  e.mutable_rep_defined()->set_name(id);
  e.mutable_rep_defined()->set_unit_id(unit);
  return e;
}

// The writer checks group N+1 while the applier may not have applied group N yet.
TEST(ViewsTest, OrgChecksSeeGroupsWrittenButNotYetApplied) {
  Views views(nullptr, ProjectorOptions());
  store::Events g1;
  *g1.Add() = UnitEvent("co", "");
  views.BeginGroup();
  ASSERT_TRUE(views.CheckBatch(g1, {0}, {1}, {}).ok());
  // Group 1 is durable; its Commit (applier) has not run yet.
  store::Events g2;
  *g2.Add() = RepEvent("li", "co");
  views.BeginGroup();
  EXPECT_TRUE(views.CheckBatch(g2, {0}, {2}, {}).ok());
  // The applier catches up with both; later groups check against the projector itself.
  views.Commit({{1, &g1[0]}, {2, &g2[0]}});
  views.BeginGroup();
  store::Events g3;
  *g3.Add() = RepEvent("wang", "co");
  EXPECT_TRUE(views.CheckBatch(g3, {0}, {3}, {}).ok());
  EXPECT_EQ(views.Read([](const Projector& p) { return p.org().FindRep("li")->unit; }), "co");
}

TEST(ViewsTest, AbortForgetsTheFailedGroupButKeepsEarlierPendingOnes) {
  Views views(nullptr, ProjectorOptions());
  store::Events g1, g2, g3;
  *g1.Add() = UnitEvent("co", "");
  *g2.Add() = UnitEvent("east", "co");
  *g3.Add() = RepEvent("li", "east");
  views.BeginGroup();
  ASSERT_TRUE(views.CheckBatch(g1, {0}, {1}, {}).ok());
  views.BeginGroup();
  ASSERT_TRUE(views.CheckBatch(g2, {0}, {2}, {}).ok());
  views.Abort();  // Group 2's write failed: "east" never existed...
  views.BeginGroup();
  EXPECT_EQ(views.CheckBatch(g3, {0}, {2}, {}).code(), absl::StatusCode::kFailedPrecondition);
  store::Events g4;
  *g4.Add() = RepEvent("li", "co");  // ...but group 1's "co", still unapplied, did.
  EXPECT_TRUE(views.CheckBatch(g4, {0}, {2}, {}).ok());
}

// A rep's entity check runs on the writer against the log as written: groups the applier has not
// applied yet count, and a group whose write failed does not.
TEST(ViewsTest, EntityChecksSeeGroupsWrittenButNotYetApplied) {
  Views views(nullptr, ProjectorOptions());
  auto opened = [](const std::string& id, const std::string& rep, int64_t at) {
    return testing::OpportunityOpened(id, rep, "opp-1", absl::FromUnixSeconds(at));
  };
  const Principal li{"li-phone", Role::kRep, "li", ""};
  store::Events mine;
  *mine.Add() = opened("li-open", "li", 1'790'000'000);
  store::Events g1, g2;
  *g1.Add() = opened("wang-open", "wang", 1'790'000'100);
  *g2.Add() = testing::Void("v", "wang-open", absl::FromUnixSeconds(1'790'000'200));
  views.BeginGroup();
  EXPECT_TRUE(views.CheckEntities(li, mine, {0}).ok());
  ASSERT_TRUE(views.CheckBatch(g1, {0}, {1}, {}).ok());  // Durable, not applied.
  EXPECT_EQ(views.CheckEntities(li, mine, {0}).code(), absl::StatusCode::kPermissionDenied);
  views.BeginGroup();
  ASSERT_TRUE(views.CheckBatch(g2, {0}, {2}, {1}).ok());
  EXPECT_TRUE(views.CheckEntities(li, mine, {0}).ok());  // Voided: opp-1 is new again...
  views.Abort();                                         // ...unless that write failed.
  EXPECT_EQ(views.CheckEntities(li, mine, {0}).code(), absl::StatusCode::kPermissionDenied);
  views.Commit({{1, &g1[0]}});
  views.BeginGroup();  // Applied: the projector says it now.
  EXPECT_EQ(views.CheckEntities(li, mine, {0}).code(), absl::StatusCode::kPermissionDenied);
}

v1::Event ActionEvent(int i) {
  v1::Event e;
  e.set_event_id(absl::StrCat("a-", i));
  e.set_rep_id("li");
  *e.mutable_occurred_at() = testing::ToProto(absl::FromUnixSeconds(1'790'000'000 + i));
  e.mutable_action_logged()->set_customer_id("acme");
  return e;
}

// Event i of a mixed log for reps li and wang: actions, and every kind of event whose ids the
// replay's reader interns (Projector::Prepare), now and then.
v1::Event MixedEvent(int i) {
  v1::Event e = ActionEvent(i);
  if (i % 3 == 0) e.set_rep_id("wang");
  // Long ids and customers (beyond a short string's inline buffer) as well as short ones.
  if (i % 2 == 0) e.set_event_id(absl::StrCat("an-event-id-long-enough-to-allocate-", i));
  e.mutable_action_logged()->set_customer_id(absl::StrCat("customer-with-a-long-name-", i % 97));
  const std::string n = std::to_string(i / 10);
  switch (i % 10) {
    case 1:
      e.mutable_opportunity_opened()->set_opportunity_id("opp-" + n);
      e.mutable_opportunity_opened()->set_customer_id("acme");
      e.mutable_opportunity_opened()->set_expected_amount(1000);
      break;
    case 2:
      e.mutable_opportunity_stage_changed()->set_opportunity_id("opp-" + n);
      e.mutable_opportunity_stage_changed()->set_stage(i % 20 == 2 ? "value" : "negotiation");
      break;
    case 3:
      e.mutable_opportunity_closed()->set_opportunity_id("opp-" + n);
      e.mutable_opportunity_closed()->set_outcome(i % 30 == 3 ? v1::OpportunityClosed::WON
                                                              : v1::OpportunityClosed::LOST);
      break;
    case 4:
      e.mutable_contract_signed()->set_contract_id("contract-" + n);
      e.mutable_contract_signed()->set_customer_id(absl::StrCat("buyer-", i % 89));
      e.mutable_contract_signed()->set_amount(5000);
      break;
    case 5:
      e.mutable_payment_received()->set_payment_id("payment-" + n);
      e.mutable_payment_received()->set_contract_id("contract-" + n);
      e.mutable_payment_received()->set_amount(2000);
      break;
    case 6:
      e.mutable_feedback_recorded()->set_customer_id("acme");
      e.mutable_feedback_recorded()->set_score(4);
      break;
    case 7:
      e.mutable_score_recorded()->set_metric("calls");
      e.mutable_score_recorded()->set_value(3);
      break;
    default:
      break;
  }
  return e;
}

// The applier lets readers in within a group (between slices, and after any record once a reader
// queues). Whatever a reader sees is a prefix of the log that its seq names exactly;
// ReadWholeGroups only ever sees whole groups.
TEST(ViewsTest, ReadersSeeExactPrefixesAndWholeGroupReadersWholeGroups) {
  Views views(nullptr, ProjectorOptions());
  constexpr int kGroups = 20;
  const int group_size = static_cast<int>(3 * Views::kSlice + 5);
  std::vector<v1::Event> events;
  for (int i = 0; i < kGroups * group_size; ++i) events.push_back(ActionEvent(i));
  const Period year =
      PeriodOf(PeriodKind::kYear, absl::FromUnixSeconds(1'790'000'000), absl::UTCTimeZone());
  auto actions = [&](const Projector& p) {
    absl::StatusOr<MetricValue> m = p.Metric(Subject::Rep("li"), year, "actions");
    return std::make_pair(p.applied_seq(), m.ok() ? m->integer : -1);
  };
  std::atomic<bool> done{false};
  int mismatches = 0, torn_groups = 0, reads = 0;
  std::thread reader([&] {
    while (!done.load()) {
      auto [seq, n] = views.Read(actions);
      auto [whole_seq, whole_n] = views.ReadWholeGroups(actions);
      mismatches += static_cast<int>(n != static_cast<int64_t>(seq)) +
                    static_cast<int>(whole_n != static_cast<int64_t>(whole_seq));
      torn_groups += static_cast<int>(whole_seq % group_size != 0);
      ++reads;
    }
  });
  uint64_t seq = 0;
  for (int g = 0; g < kGroups; ++g) {
    std::vector<std::pair<uint64_t, const v1::Event*>> records;
    for (int i = 0; i < group_size; ++i, ++seq) records.push_back({seq + 1, &events[seq]});
    views.Commit(records);
  }
  done = true;
  reader.join();
  EXPECT_GT(reads, 0);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(torn_groups, 0);
  EXPECT_EQ(views.Read(actions), std::make_pair(seq, static_cast<int64_t>(seq)));
}

// A replay streams the log through recycled chunks (the reader thread parses into each chunk's
// arena and reads the voids' targets). Over a log of many chunks, with voids anywhere (one in the
// same batch as its target and before it), a start-up replay and Verify's fresh replay equal the
// views applied live, record for record.
TEST(ViewsTest, ReplayOfManyChunksWithVoidsEqualsTheLiveViews) {
  testing::TempDir dir;
  store::StoreOptions store_options;
  store_options.sync = false;  // Durability is not what this test is about.
  auto store = store::LogStore::Open(dir.Sub("db"), store_options);
  ASSERT_TRUE(store.ok()) << store.status();
  const absl::Time t0 = absl::FromUnixSeconds(1'790'000'000);
  FakeClock clock(t0);
  Views live(store->get(), ProjectorOptions());
  ASSERT_TRUE(live.Load(0).ok());
  auto sequencer = std::make_unique<store::Sequencer>(store->get(), &clock, &live);
  auto append = [&](std::vector<v1::Event> events) {
    store::Events batch(events.begin(), events.end());
    std::promise<absl::StatusOr<store::AppendResult>> done;
    sequencer->Submit(&batch, [&](absl::StatusOr<store::AppendResult> r) { done.set_value(r); });
    absl::StatusOr<store::AppendResult> r = done.get_future().get();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok();
  };
  ASSERT_TRUE(append({UnitEvent("co", ""), RepEvent("li", "co"), RepEvent("wang", "co")}));
  constexpr int kEvents = 40'000;  // ~10 chunks of 4,096: every chunk is refilled at least once.
  int actions_counted = 0;
  int voids = 0;
  std::vector<v1::Event> batch;
  for (int i = 0; i < kEvents; ++i) {
    v1::Event e = MixedEvent(i);
    if (e.has_action_logged()) ++actions_counted;
    batch.push_back(e);
    if (i % 101 == 100) {  // The next batch starts with a void of this one's last event.
      v1::Event v = ActionEvent(i);
      v.set_event_id(absl::StrCat("void-", i));
      v.clear_action_logged();
      v.mutable_event_voided()->set_target_event_id(batch.back().event_id());
      if (batch.back().has_action_logged()) --actions_counted;
      ++voids;
      ASSERT_TRUE(append(std::exchange(batch, {v})));
    }
  }
  {  // A void before its target in one batch.
    v1::Event target = ActionEvent(kEvents);
    v1::Event v = ActionEvent(kEvents + 1);
    v.clear_action_logged();
    v.mutable_event_voided()->set_target_event_id(target.event_id());
    ++voids;
    batch.push_back(v);
    batch.push_back(target);
  }
  ASSERT_TRUE(append(batch));
  sequencer.reset();
  const uint64_t head = 3 + kEvents + 1 + static_cast<uint64_t>(voids);
  ASSERT_EQ(live.applied_seq(), head);

  absl::StatusOr<v1::VerifyResponse> verify = live.Verify();
  ASSERT_TRUE(verify.ok()) << verify.status();
  EXPECT_TRUE(verify->ok());
  EXPECT_EQ(verify->seq(), head);
  EXPECT_GT(verify->cells_compared(), 0u);
  EXPECT_TRUE(verify->differences().empty()) << verify->differences(0);

  Views restarted(store->get(), ProjectorOptions());
  ASSERT_TRUE(restarted.Load(head).ok());
  EXPECT_EQ(restarted.applied_seq(), head);
  auto dump = [](const Projector& p) { return p.DumpCells(); };
  EXPECT_EQ(restarted.Read(dump), live.Read(dump));
  const Period year = PeriodOf(PeriodKind::kYear, t0, absl::UTCTimeZone());
  auto actions = [&](const Projector& p) {
    absl::StatusOr<MetricValue> li = p.Metric(Subject::Rep("li"), year, "actions");
    absl::StatusOr<MetricValue> wang = p.Metric(Subject::Rep("wang"), year, "actions");
    return (li.ok() ? li->integer : -1) + (wang.ok() ? wang->integer : -1);
  };
  // Every action counts but the voided ones (the last void's target counts for nothing either).
  EXPECT_EQ(restarted.Read(actions), actions_counted);
  const int64_t signings = restarted.Read([&](const Projector& p) {
    absl::StatusOr<KpiReport> k = p.Kpis(Subject::Rep("li"), year, t0 + absl::Hours(24));
    return k.ok() ? k->metrics.at("signings").integer : -1;
  });
  EXPECT_GT(signings, 0);

  // Two rebuilds in a row (the second waits for the first's old views to be freed): still the same.
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<v1::RebuildResponse> rebuilt = live.Rebuild();
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    EXPECT_EQ(rebuilt->events_replayed(), head);
    EXPECT_EQ(live.Read(dump), restarted.Read(dump));
  }
  // A rebuild writes its views as the checkpoint: a start loads it and replays nothing.
  Views from_checkpoint(store->get(), ProjectorOptions());
  ASSERT_TRUE(from_checkpoint.Load(head).ok());
  EXPECT_EQ(from_checkpoint.checkpoint_seq(), head);
  EXPECT_EQ(from_checkpoint.Read(dump), live.Read(dump));
}

// Views over a real store fed by a real sequencer, for the checkpoint tests.
class LiveLog {
 public:
  LiveLog() : clock_(absl::FromUnixSeconds(1'790'000'000)) {
    store::StoreOptions options;
    options.sync = false;
    auto store = store::LogStore::Open(dir_.Sub("db"), options);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    views_ = std::make_unique<Views>(store_.get(), ProjectorOptions());
    EXPECT_TRUE(views_->Load(0).ok());
    sequencer_ = std::make_unique<store::Sequencer>(store_.get(), &clock_, views_.get());
  }
  // Appends MixedEvent(from) .. MixedEvent(to - 1) in batches of 50.
  void Append(int from, int to) {
    for (int i = from; i < to; i += 50) {
      store::Events batch;
      for (int j = i; j < std::min(to, i + 50); ++j) *batch.Add() = MixedEvent(j);
      std::promise<absl::StatusOr<store::AppendResult>> done;
      sequencer_->Submit(&batch, [&](absl::StatusOr<store::AppendResult> r) { done.set_value(r); });
      absl::StatusOr<store::AppendResult> r = done.get_future().get();
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }
  void StopWriter() { sequencer_.reset(); }
  store::LogStore* store() { return store_.get(); }
  Views& views() { return *views_; }

 private:
  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<store::LogStore> store_;
  std::unique_ptr<Views> views_;
  std::unique_ptr<store::Sequencer> sequencer_;
};

std::vector<std::string> Dump(const Projector& p) { return p.DumpCells(); }

// A start loads the checkpoint and replays only the records after it, and the views equal the
// live ones; a checkpoint that does not fit (another state format, another time zone, past the
// log's head, unreadable) is left unused and the whole log replayed, with the same figures.
TEST(ViewsTest, ACheckpointPlusTheLogAfterItEqualsTheLiveViews) {
  LiveLog log;
  ASSERT_NO_FATAL_FAILURE(log.Append(0, 3000));
  absl::StatusOr<Views::CheckpointFigures> first = log.views().Checkpoint();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->written);
  EXPECT_EQ(first->seq, 3000u);
  EXPECT_GT(first->bytes, 0u);
  EXPECT_EQ(log.views().checkpoint_seq(), 3000u);
  // Nothing applied since: nothing to write.
  absl::StatusOr<Views::CheckpointFigures> again = log.views().Checkpoint();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->written);
  ASSERT_NO_FATAL_FAILURE(log.Append(3000, 4500));
  log.StopWriter();
  const uint64_t head = 4500;
  const std::vector<std::string> live = log.views().Read(Dump);

  auto start = [&](uint64_t at, ProjectorOptions options = ProjectorOptions()) {
    auto v = std::make_unique<Views>(log.store(), options);
    EXPECT_TRUE(v->Load(at).ok());
    return v;
  };
  {
    std::unique_ptr<Views> v = start(head);
    EXPECT_EQ(v->checkpoint_seq(), 3000u);
    EXPECT_EQ(v->applied_seq(), head);
    EXPECT_EQ(v->Read(Dump), live);
    absl::StatusOr<v1::VerifyResponse> verify = v->Verify();
    ASSERT_TRUE(verify.ok());
    EXPECT_TRUE(verify->ok());
  }
  // A log that ends before the checkpoint (a restored older copy, say): replayed to its own head.
  EXPECT_EQ(start(2000)->checkpoint_seq(), 0u);
  EXPECT_EQ(start(2000)->applied_seq(), 2000u);
  // Another time zone: the figures are computed anew in it.
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  EXPECT_EQ(start(head, ProjectorOptions{shanghai})->checkpoint_seq(), 0u);

  // Another state format, then an unreadable chunk: replayed, same figures.
  absl::StatusOr<std::optional<store::ViewsManifest>> m = store::ReadViewsManifest(*log.store());
  ASSERT_TRUE(m.ok() && m->has_value());
  rocksdb::WriteOptions w;
  store::ViewsManifest other = **m;
  other.state_format = Projector::kStateFormat + 1;
  ASSERT_TRUE(log.store()
                  ->db()
                  ->Put(w, log.store()->views_family(), std::string(store::kViewsManifestKey),
                        store::EncodeViewsManifest(other))
                  .ok());
  {
    std::unique_ptr<Views> v = start(head);
    EXPECT_EQ(v->checkpoint_seq(), 0u);
    EXPECT_EQ(v->Read(Dump), live);
  }
  ASSERT_TRUE(log.store()
                  ->db()
                  ->Put(w, log.store()->views_family(), std::string(store::kViewsManifestKey),
                        store::EncodeViewsManifest(**m))
                  .ok());
  EXPECT_EQ(start(head)->checkpoint_seq(), 3000u);
  ASSERT_TRUE(log.store()
                  ->db()
                  ->Put(w, log.store()->views_family(), store::ViewsChunkKey((*m)->generation, 0),
                        "not a state")
                  .ok());
  {
    std::unique_ptr<Views> v = start(head);
    EXPECT_EQ(v->checkpoint_seq(), 0u);
    EXPECT_EQ(v->Read(Dump), live);
  }
}

}  // namespace
}  // namespace salestrack::engine
