#include "salestrack/projector.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack {
namespace {

using ::testing::ElementsAre;

absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  absl::LoadTimeZone("Asia/Shanghai", &tz);
  return tz;
}

absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

// Builds a log in arrival order; seqs are 1, 2, 3, ...
class Log {
 public:
  v1::Event& Add(const std::string& rep, absl::Time t) {
    v1::Event& e = events_.emplace_back();
    e.set_event_id("e" + std::to_string(events_.size()));
    e.set_rep_id(rep);
    *e.mutable_occurred_at() = Ts(t);
    return e;
  }
  void Action(const std::string& rep, const std::string& customer, absl::Time t,
              v1::Channel channel = v1::VISIT, int64_t cost = 0,
              std::optional<absl::Time> follow_up = std::nullopt) {
    auto* a = Add(rep, t).mutable_action_logged();
    a->set_customer_id(customer);
    a->set_channel(channel);
    a->set_purpose(v1::NEGOTIATE);
    a->set_cost(cost);
    if (follow_up) *a->mutable_next_follow_up_at() = Ts(*follow_up);
  }
  void Opened(const std::string& rep, const std::string& opp, absl::Time t, int64_t expected = 0) {
    auto* o = Add(rep, t).mutable_opportunity_opened();
    o->set_opportunity_id(opp);
    o->set_customer_id("c");
    o->set_expected_amount(expected);
  }
  void Stage(const std::string& opp, const std::string& stage, absl::Time t) {
    auto* s = Add("someone", t).mutable_opportunity_stage_changed();
    s->set_opportunity_id(opp);
    s->set_stage(stage);
  }
  void Closed(const std::string& opp, bool won, absl::Time t) {
    auto* c = Add("someone", t).mutable_opportunity_closed();
    c->set_opportunity_id(opp);
    c->set_outcome(won ? v1::OpportunityClosed::WON : v1::OpportunityClosed::LOST);
  }
  std::string Contract(const std::string& rep, const std::string& id, const std::string& customer,
                       int64_t amount, absl::Time t, std::optional<int64_t> cost = std::nullopt) {
    v1::Event& e = Add(rep, t);
    auto* c = e.mutable_contract_signed();
    c->set_contract_id(id);
    c->set_customer_id(customer);
    c->set_amount(amount);
    if (cost) c->set_cost(*cost);
    return e.event_id();
  }
  void Payment(const std::string& id, const std::string& contract, int64_t amount, absl::Time t) {
    auto* p = Add("someone", t).mutable_payment_received();
    p->set_payment_id(id);
    p->set_contract_id(contract);
    p->set_amount(amount);
  }
  void Void(const std::string& target, absl::Time t) {
    Add("", t).mutable_event_voided()->set_target_event_id(target);
  }
  void Unit(const std::string& id, const std::string& parent) {
    auto* u = Add("", Utc(2026, 1, 1)).mutable_unit_defined();
    u->set_unit_id(id);
    u->set_name(id);
    u->set_parent_unit_id(parent);
  }
  void Rep(const std::string& id, const std::string& unit, absl::Time t) {
    auto* r = Add("", t).mutable_rep_defined();
    r->set_rep_id(id);
    r->set_name(id);
    r->set_unit_id(unit);
    r->set_active(true);
  }
  // The last event, a ContractSigned, names `opp`.
  void NamesOpportunity(const std::string& opp) {
    events_.back().mutable_contract_signed()->set_opportunity_id(opp);
  }
  const std::string& last_id() const { return events_.back().event_id(); }
  const std::vector<v1::Event>& events() const { return events_; }

  std::unique_ptr<Projector> Project(absl::TimeZone zone = absl::UTCTimeZone()) const {
    auto p = std::make_unique<Projector>(ProjectorOptions{zone});
    for (size_t i = 0; i < events_.size(); ++i) p->Apply(i + 1, events_[i]);
    return p;
  }

 private:
  std::vector<v1::Event> events_;
};

MetricValue Get(const Projector& p, const Subject& s, PeriodKind kind, absl::CivilDay day,
                const std::string& metric, absl::Time now = Utc(2027, 1, 1)) {
  absl::StatusOr<KpiReport> r = p.Kpis(s, PeriodContaining(kind, day), now);
  EXPECT_TRUE(r.ok()) << r.status();
  auto it = r->metrics.find(metric);
  if (it == r->metrics.end()) it = r->point_in_time.find(metric);
  EXPECT_TRUE(it != r->point_in_time.end()) << metric;
  return it->second;
}

int64_t Int(const Projector& p, const std::string& rep, PeriodKind kind, absl::CivilDay day,
            const std::string& metric) {
  return Get(p, Subject::Rep(rep), kind, day, metric).integer;
}

TEST(ProjectorTest, ShanghaiDayBoundaryDecidesTheDay) {
  Log log;
  log.Action("li", "c1", Utc(2026, 11, 23, 15, 59));  // 23:59 in Shanghai, the 23rd.
  log.Action("li", "c1", Utc(2026, 11, 23, 16, 0));   // 00:00 in Shanghai, the 24th.
  log.Action("li", "c1", Utc(2026, 11, 23, 17, 0));   // The spec's example: DAY 2026-11-24.
  auto p = log.Project(Shanghai());
  EXPECT_EQ(Int(*p, "li", PeriodKind::kDay, absl::CivilDay(2026, 11, 23), "actions"), 1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kDay, absl::CivilDay(2026, 11, 24), "actions"), 2);
  auto utc = log.Project();
  EXPECT_EQ(Int(*utc, "li", PeriodKind::kDay, absl::CivilDay(2026, 11, 23), "actions"), 3);
}

TEST(ProjectorTest, IsoWeekAcrossNewYearAndQuarterEdges) {
  Log log;
  log.Contract("li", "k1", "c1", 100, Utc(2026, 12, 31, 12));  // Thursday, Q4 2026.
  log.Contract("li", "k2", "c2", 200, Utc(2027, 1, 2, 12));    // Saturday, Q1 2027, same ISO week.
  log.Contract("li", "k3", "c3", 400, Utc(2027, 1, 4, 0));     // Monday: the next week.
  auto p = log.Project();
  EXPECT_EQ(Int(*p, "li", PeriodKind::kWeek, absl::CivilDay(2026, 12, 28), "sales_amount"), 300);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kWeek, absl::CivilDay(2027, 1, 4), "sales_amount"), 400);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kQuarter, absl::CivilDay(2026, 10, 1), "sales_amount"), 100);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kQuarter, absl::CivilDay(2027, 1, 1), "sales_amount"), 600);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kYear, absl::CivilDay(2027, 1, 1), "signings"), 2);
  // In Shanghai the Thursday noon is still 2026, but 2026-12-31T16:00Z would already be 2027.
  Log edge;
  edge.Contract("li", "k9", "c9", 7, Utc(2026, 12, 31, 16));
  auto sh = edge.Project(Shanghai());
  EXPECT_EQ(Int(*sh, "li", PeriodKind::kQuarter, absl::CivilDay(2027, 1, 1), "sales_amount"), 7);
  EXPECT_EQ(Int(*sh, "li", PeriodKind::kQuarter, absl::CivilDay(2026, 10, 1), "sales_amount"), 0);
}

TEST(ProjectorTest, ActionsCostAndBreakdowns) {
  Log log;
  log.Action("li", "c1", Utc(2026, 11, 2), v1::VISIT, 8800);
  log.Action("li", "c2", Utc(2026, 11, 3), v1::PHONE, 0);
  log.Action("li", "c1", Utc(2026, 11, 4), v1::VISIT, 1200);
  log.Action("wang", "c1", Utc(2026, 11, 4), v1::VISIT, 5);
  auto p = log.Project();
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "actions"), 3);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "action_cost"), 10000);
  EXPECT_EQ(
      Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "actions_by_channel:VISIT"),
      2);
  EXPECT_EQ(
      Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "actions_by_channel:PHONE"),
      1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1),
                "actions_by_purpose:NEGOTIATE"),
            3);
}

TEST(ProjectorTest, MonthLateStageChangeMovesDurationsIntoTheRightPeriods) {
  Log log;
  log.Opened("li", "o1", Utc(2026, 9, 1), 5000);
  log.Stage("o1", "negotiation", Utc(2026, 10, 11));
  log.Closed("o1", true, Utc(2026, 11, 5));
  auto before = log.Project();
  // contact lasted Sep 1 -> Oct 11 (40 days), ending in October.
  MetricValue contact = Get(*before, Subject::Rep("li"), PeriodKind::kMonth,
                            absl::CivilDay(2026, 10, 1), "stage_duration:contact");
  EXPECT_EQ(contact.count, 1);
  EXPECT_DOUBLE_EQ(contact.mean_seconds, 40 * 86400);
  // A month late, the mobile app uploads the stage change to "value" made on Sep 11.
  log.Stage("o1", "value", Utc(2026, 9, 11));
  auto after = log.Project();
  MetricValue sep = Get(*after, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 9, 1),
                        "stage_duration:contact");
  EXPECT_EQ(sep.count, 1);
  EXPECT_DOUBLE_EQ(sep.mean_seconds, 10 * 86400);
  MetricValue value = Get(*after, Subject::Rep("li"), PeriodKind::kMonth,
                          absl::CivilDay(2026, 10, 1), "stage_duration:value");
  EXPECT_EQ(value.count, 1);
  EXPECT_DOUBLE_EQ(value.mean_seconds, 30 * 86400);
  EXPECT_EQ(Get(*after, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 10, 1),
                "stage_duration:contact")
                .count,
            0);
  // negotiation Oct 11 -> Nov 5 (25 days) ends at the close, in November; the cycle is 65 days.
  MetricValue nego = Get(*after, Subject::Rep("li"), PeriodKind::kMonth,
                         absl::CivilDay(2026, 11, 1), "stage_duration:negotiation");
  EXPECT_DOUBLE_EQ(nego.mean_seconds, 25 * 86400);
  MetricValue cycle = Get(*after, Subject::Rep("li"), PeriodKind::kMonth,
                          absl::CivilDay(2026, 11, 1), "sales_cycle");
  EXPECT_EQ(cycle.count, 1);
  EXPECT_DOUBLE_EQ(cycle.mean_seconds, 65 * 86400);
}

// The daemon's projector keeps no event index: it is handed each void's target from the log. A
// void may even come first (one batch may hold a void and, after it, its target): the target is
// skipped when it arrives, and a second void of it changes nothing.
TEST(ProjectorTest, VoidsWithTargetsFromTheLogInAnyOrder) {
  Log log;
  log.Action("li", "c1", Utc(2026, 11, 2), v1::VISIT, 100);
  log.Action("li", "c1", Utc(2026, 11, 3), v1::PHONE, 20);
  log.Void("e2", Utc(2026, 11, 4));
  std::vector<v1::EventRecord> records;
  for (size_t i = 0; i < 3; ++i) {
    v1::EventRecord& r = records.emplace_back();
    r.set_seq(i + 1);
    *r.mutable_event() = log.events()[i];
  }
  ProjectorOptions options;
  options.index_events = false;
  const Period nov = PeriodContaining(PeriodKind::kMonth, absl::CivilDay(2026, 11, 1));
  auto actions = [&](const Projector& p) {
    return p.Metric(Subject::Rep("li"), nov, "actions")->integer;
  };
  {  // In log order, the target given: the void undoes it; a repeat of the void does nothing.
    Projector p(options);
    p.Apply(1, records[0].event());
    p.Apply(2, records[1].event());
    p.Apply(3, records[2].event(), &records[1]);
    EXPECT_EQ(actions(p), 1);
    p.Apply(4, records[2].event(), &records[1]);
    EXPECT_EQ(actions(p), 1);
    EXPECT_EQ(p.Metric(Subject::Rep("li"), nov, "action_cost")->integer, 100);
  }
  {  // The void first (seq 2), its target after it (seq 3): the target never counts.
    Projector p(options);
    v1::EventRecord target = records[1];
    target.set_seq(3);
    p.Apply(1, records[0].event());
    p.Apply(2, records[2].event(), &target);
    p.Apply(3, records[1].event());
    EXPECT_EQ(actions(p), 1);
    Projector without_it(options);
    without_it.Apply(1, records[0].event());
    EXPECT_EQ(p.DumpCells(), without_it.DumpCells());
  }
  {  // Without an index and without a target, a void cannot be resolved and changes nothing.
    Projector p(options);
    p.Apply(1, records[0].event());
    p.Apply(2, records[1].event());
    p.Apply(3, records[2].event());
    EXPECT_EQ(actions(p), 2);
  }
}

TEST(ProjectorTest, FunnelWinRateAndTimelineRules) {
  Log log;
  log.Opened("li", "o1", Utc(2026, 11, 1));
  log.Stage("o1", "negotiation", Utc(2026, 11, 2));  // Skips "value": passes it.
  log.Closed("o1", false, Utc(2026, 11, 3));
  log.Stage("o1", "value", Utc(2026, 11, 4));  // After the close: ignored.
  log.Opened("li", "o2", Utc(2026, 11, 5));
  log.Closed("o2", true, Utc(2026, 11, 6));  // Won: reached every stage.
  log.Opened("li", "o3", Utc(2026, 11, 7));
  log.Stage("o3", "contact", Utc(2026, 11, 8));  // Change to the current stage: ignored.
  log.Stage("o4", "value", Utc(2026, 11, 8));    // Never opened: counts nothing.
  auto p = log.Project();
  absl::StatusOr<FunnelReport> f = p->Funnel(
      Subject::Rep("li"), PeriodContaining(PeriodKind::kMonth, absl::CivilDay(2026, 11, 1)));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->opened, 3);
  ASSERT_EQ(f->stages.size(), 3u);
  EXPECT_EQ(f->stages[0].reached, 3);  // contact
  EXPECT_EQ(f->stages[1].reached, 2);  // value (o1 skipped past it, o2 won)
  EXPECT_EQ(f->stages[2].reached, 2);  // negotiation
  EXPECT_EQ(f->won, 1);
  EXPECT_DOUBLE_EQ(*f->stages[0].conversion, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*f->stages[2].conversion, 0.5);
  EXPECT_DOUBLE_EQ(
      *Get(*p, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "win_rate")
           .real,
      0.5);
  // o3 is open: contact is its only, unfinished interval.
  EXPECT_EQ(Get(*p, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 11, 1),
                "stage_duration:contact")
                .count,
            2);
}

// KPI_SPEC §4: a contract that names an opportunity closes it WON at the signing, unless an earlier
// close exists; voiding the contract takes its close away.
TEST(ProjectorTest, ASigningWinsTheOpportunityItNamesUntilVoided) {
  Log log;
  log.Opened("li", "o1", Utc(2026, 11, 2), 5000);
  log.Stage("o1", "value", Utc(2026, 11, 5));
  const std::string k1 = log.Contract("wang", "k1", "acme", 5000, Utc(2026, 11, 20));
  log.NamesOpportunity("o1");  // Another rep's contract: the win is still the owner's.
  log.Opened("li", "o2", Utc(2026, 11, 3), 700);
  log.Closed("o2", false, Utc(2026, 11, 10));
  log.Contract("li", "k2", "acme", 700, Utc(2026, 11, 15));
  log.NamesOpportunity("o2");  // An earlier close (lost) stands.
  const absl::CivilDay nov(2026, 11, 1);
  auto p = log.Project();
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "opportunities_won"), 1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "opportunities_lost"), 1);
  EXPECT_EQ(Int(*p, "wang", PeriodKind::kMonth, nov, "opportunities_won"), 0);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "funnel_won"), 1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "funnel_reached:negotiation"), 1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "open_pipeline"), 0);
  MetricValue cycle = Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "sales_cycle");
  EXPECT_EQ(cycle.count, 1);
  EXPECT_DOUBLE_EQ(cycle.mean_seconds, 18 * 86400.0);
  // The value stage ended at the signing.
  MetricValue value = Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "stage_duration:value");
  EXPECT_EQ(value.count, 1);
  EXPECT_DOUBLE_EQ(value.mean_seconds, 15 * 86400.0);

  log.Void(k1, Utc(2026, 11, 25));
  auto reopened = log.Project();
  EXPECT_EQ(Int(*reopened, "li", PeriodKind::kMonth, nov, "opportunities_won"), 0);
  EXPECT_EQ(Int(*reopened, "li", PeriodKind::kMonth, nov, "funnel_won"), 0);
  EXPECT_EQ(Int(*reopened, "li", PeriodKind::kMonth, nov, "open_pipeline"), 5000);
  EXPECT_EQ(Get(*reopened, Subject::Rep("li"), PeriodKind::kMonth, nov, "sales_cycle").count, 0);
}

// A unit's figures by period are a vector around the periods it has; a date far from the rest (a
// follow-up due in 9999, a visit dated 1970) takes one cell, not a slot for every day in between.
TEST(ProjectorTest, FarApartDatesCostAUnitOneCellEach) {
  Log log;
  log.Unit("co", "");
  log.Rep("li", "co", Utc(2026, 1, 1));
  log.Action("li", "acme", Utc(2026, 11, 2), v1::VISIT, 0, Utc(9999, 12, 1));
  log.Action("li", "globex", Utc(1970, 1, 2), v1::VISIT, 0, Utc(9999, 12, 1));
  auto p = log.Project();
  size_t unit_rows = 0;
  for (const auto& [name, bytes] : p->Memory()) {
    if (name == "unit rows") unit_rows = bytes;
  }
  EXPECT_LT(unit_rows, 256u << 10);  // Dense, 1970..9999 would be ~27 MB.
  const Subject co = Subject::Unit("co");
  EXPECT_EQ(Get(*p, co, PeriodKind::kDay, absl::CivilDay(9999, 12, 1), "follow_ups_due").integer,
            2);
  EXPECT_EQ(Get(*p, co, PeriodKind::kYear, absl::CivilDay(1970, 1, 1), "actions").integer, 1);
  EXPECT_EQ(Get(*p, co, PeriodKind::kWeek, absl::CivilDay(2026, 11, 2), "actions").integer, 1);
}

TEST(ProjectorTest, BackdatedContractChangesTheCustomersFirstContract) {
  Log log;
  log.Contract("li", "k1", "acme", 1000, Utc(2026, 11, 10));
  auto p1 = log.Project();
  EXPECT_EQ(Int(*p1, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "new_customers"), 1);
  EXPECT_EQ(Int(*p1, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "returning_customers"),
            0);
  // A CRM import brings Wang's older contract with the same customer.
  log.Contract("wang", "k0", "acme", 500, Utc(2026, 10, 5));
  auto p2 = log.Project();
  EXPECT_EQ(Int(*p2, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "new_customers"), 0);
  EXPECT_EQ(Int(*p2, "wang", PeriodKind::kMonth, absl::CivilDay(2026, 10, 1), "new_customers"), 1);
  EXPECT_EQ(Int(*p2, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "returning_customers"),
            1);
  EXPECT_DOUBLE_EQ(*Get(*p2, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 11, 1),
                        "repeat_purchase_rate")
                        .real,
                   1.0);
  // Voiding the backdated contract removes every knock-on effect.
  log.Void("e2", Utc(2026, 11, 20));
  auto p3 = log.Project();
  EXPECT_EQ(Int(*p3, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "new_customers"), 1);
  EXPECT_EQ(Int(*p3, "wang", PeriodKind::kMonth, absl::CivilDay(2026, 10, 1), "new_customers"), 0);
  EXPECT_EQ(Int(*p3, "wang", PeriodKind::kMonth, absl::CivilDay(2026, 10, 1), "sales_amount"), 0);
  EXPECT_EQ(p3->DumpCells(), p1->DumpCells());
}

TEST(ProjectorTest, SalesProfitPaymentsAndCollection) {
  Log log;
  log.Contract("li", "k1", "c1", 1000, Utc(2026, 11, 1), 600);
  log.Contract("li", "k2", "c1", 3000, Utc(2026, 11, 2));  // No cost: not in the margin.
  log.Payment("p1", "k1", 400, Utc(2026, 11, 5));
  log.Payment("p1", "k2", 999,
              Utc(2026, 11, 6));  // A later event with the same payment id: ignored.
  log.Payment("p2", "k-unknown", 50, Utc(2026, 11, 7));  // Contract unknown: counts nothing.
  auto p = log.Project();
  const absl::CivilDay nov{2026, 11, 1};
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "sales_amount"), 4000);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "gross_profit"), 400);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "gross_margin").real, 0.4);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "customers_signed"), 1);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "avg_deal_size").real,
                   4000);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "payments"), 400);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "amount_due"), 4000);  // Due at signing.
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "collection_rate").real,
                   0.1);
  EXPECT_EQ(Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "outstanding").integer, 3600);
  EXPECT_EQ(Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "overdue").integer, 3600);
  EXPECT_FALSE(
      Get(*p, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 12, 1), "gross_margin")
          .real.has_value());
}

TEST(ProjectorTest, FollowUpsDueOnTimeLateAndOpen) {
  Log log;
  const absl::Time due = Utc(2026, 11, 10, 9);
  log.Action("li", "c1", Utc(2026, 11, 8), v1::VISIT, 0, due);
  log.Action("li", "c1", due + absl::Hours(23));  // Done within 24 h: on time.
  log.Action("li", "c2", Utc(2026, 11, 8), v1::VISIT, 0, due);
  log.Action("li", "c2", due + absl::Hours(25));                // Done, late.
  log.Action("li", "c3", Utc(2026, 11, 8), v1::VISIT, 0, due);  // Never done.
  log.Action("wang", "c3", Utc(2026, 11, 9));  // Another rep's visit does not complete li's.
  auto p = log.Project();
  const absl::CivilDay nov{2026, 11, 1};
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "follow_ups_due"), 3);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "follow_ups_on_time"), 1);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "follow_up_rate").real,
                   1.0 / 3);
  MetricValue open =
      Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "open_follow_ups", Utc(2026, 11, 20));
  EXPECT_EQ(open.integer, 1);
  absl::StatusOr<std::vector<FollowUp>> overdue =
      p->FollowUps(Subject::Rep("li"), Utc(2026, 11, 1), Utc(2026, 12, 1), FollowUpState::kOverdue,
                   Utc(2026, 11, 20));
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].customer, "c3");
  EXPECT_EQ(p->FollowUps(Subject::Rep("li"), Utc(2026, 11, 1), Utc(2026, 12, 1),
                         FollowUpState::kOnTime, Utc(2026, 11, 20))
                ->size(),
            1u);
}

// A list is the first `limit` in (due, rep, customer) order however the chains hold them, with the
// count of all that match.
TEST(ProjectorTest, FollowUpListIsTheEarliestLimitAndCountsTheRest) {
  Log log;
  const int days[] = {9, 3, 7, 1, 5};
  for (int i = 0; i < 5; ++i) {
    log.Action("li", "c" + std::to_string(i), Utc(2026, 10, 1), v1::VISIT, 0,
               Utc(2026, 11, days[i]));
  }
  auto p = log.Project();
  size_t total = 0;
  absl::StatusOr<std::vector<FollowUp>> first = p->FollowUps(
      Subject::Rep("li"), Utc(2026, 1, 1), Utc(2027, 1, 1), FollowUpState::kOpen, Utc(2026, 10, 2),
      /*limit=*/2, &total);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(total, 5u);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].customer, "c3");  // Due Nov 1.
  EXPECT_EQ((*first)[1].customer, "c1");  // Due Nov 3.
  EXPECT_TRUE(p->FollowUps(Subject::Rep("li"), Utc(2026, 1, 1), Utc(2027, 1, 1),
                           FollowUpState::kOpen, Utc(2026, 10, 2), 0, &total)
                  ->empty());
  EXPECT_EQ(total, 5u);
}

// Ids are stored back to back in blocks, long ones in blocks of their own: names of any length,
// across many blocks, keep their number and come back whole.
TEST(ProjectorTest, IdsOfAnyLengthKeepTheirNamesAcrossBlocks) {
  Log log;
  const absl::Time due = Utc(2026, 11, 10, 9);
  std::vector<std::string> customers;
  for (int i = 0; i < 6000; ++i) {  // ~3 blocks of short names, with long ones between them.
    customers.push_back(i % 1000 == 7 ? std::string(20000 + i, static_cast<char>('a' + i % 26))
                                      : absl::StrCat("customer-", i));
    log.Action("li", customers.back(), Utc(2026, 11, 8), v1::VISIT, 0, due);
  }
  for (int i = 0; i < 6000; i += 2) log.Action("li", customers[i], due + absl::Hours(1));
  auto p = log.Project();
  absl::StatusOr<std::vector<FollowUp>> open =
      p->FollowUps(Subject::Rep("li"), Utc(2026, 11, 1), Utc(2026, 12, 1), FollowUpState::kOpen,
                   Utc(2026, 11, 20));
  ASSERT_TRUE(open.ok());
  std::vector<std::string> want, got;
  for (int i = 1; i < 6000; i += 2) want.push_back(customers[i]);
  for (const FollowUp& f : *open) got.push_back(f.customer);
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);  // The second visits closed the even customers' follow-ups, by name.
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "follow_ups_on_time"),
            3000);
}

// WarmUp builds the member lists and reads the step sums up to a time ahead of the queries; the
// figures at any `now`, earlier or later, are what a cold projector answers.
TEST(ProjectorTest, WarmUpChangesNoFigureAtAnyTime) {
  Log log;
  log.Unit("co", "");
  log.Unit("sh", "co");
  log.Rep("li", "sh", Utc(2026, 1, 1));
  log.Rep("wang", "co", Utc(2026, 1, 1));
  for (int d = 1; d <= 20; ++d) {  // Follow-ups due on every day of the month, some done.
    const std::string customer = absl::StrCat("c", d);
    log.Action(d % 2 ? "li" : "wang", customer, Utc(2026, 11, d), v1::VISIT, 0,
               Utc(2026, 11, d + 3));
    if (d % 3 == 0) log.Action(d % 2 ? "li" : "wang", customer, Utc(2026, 11, d + 2));
  }
  auto cold = log.Project();
  auto warm = log.Project();
  warm->WarmUp(Utc(2026, 11, 15));
  const absl::CivilDay nov{2026, 11, 1};
  int64_t overdue_seen = 0;
  for (int day : {25, 2, 10, 15, 16, 30, 5}) {  // Both ways around the warm-up time.
    for (const Subject& s : {Subject::Unit("co"), Subject::Unit("sh"), Subject::Rep("wang")}) {
      for (const char* m : {"open_follow_ups", "overdue_follow_ups", "follow_ups_due"}) {
        SCOPED_TRACE(absl::StrCat(s.id, " ", m, " on Nov ", day));
        const MetricValue c = Get(*cold, s, PeriodKind::kMonth, nov, m, Utc(2026, 11, day, 12));
        const MetricValue w = Get(*warm, s, PeriodKind::kMonth, nov, m, Utc(2026, 11, day, 12));
        EXPECT_EQ(c.integer, w.integer);
        if (std::string(m) == "overdue_follow_ups") overdue_seen += c.integer;
      }
    }
  }
  EXPECT_GT(overdue_seen, 0);  // The comparison is not vacuous.
}

TEST(ProjectorTest, UnitsRollUpCurrentMembersAndCountCustomersOnce) {
  Log log;
  log.Unit("co", "");
  log.Unit("sh", "co");
  log.Unit("bj", "co");
  log.Rep("li", "sh", Utc(2026, 1, 1));
  log.Rep("wang", "sh", Utc(2026, 1, 1));
  log.Rep("zhao", "bj", Utc(2026, 1, 1));
  log.Contract("li", "k1", "acme", 100, Utc(2026, 11, 1));
  log.Contract("wang", "k2", "acme", 200, Utc(2026, 11, 2));
  log.Contract("zhao", "k3", "beta", 400, Utc(2026, 11, 3));
  const absl::CivilDay nov{2026, 11, 1};
  auto p = log.Project();
  EXPECT_EQ(Get(*p, Subject::Unit("sh"), PeriodKind::kMonth, nov, "sales_amount").integer, 300);
  EXPECT_EQ(Get(*p, Subject::Unit("sh"), PeriodKind::kMonth, nov, "customers_signed").integer, 1);
  EXPECT_EQ(Get(*p, Subject::Unit("co"), PeriodKind::kMonth, nov, "customers_signed").integer, 2);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Unit("co"), PeriodKind::kMonth, nov, "avg_deal_size").real,
                   350);
  // Wang moves to Beijing (latest by event time wins): the whole history moves with him.
  log.Rep("wang", "bj", Utc(2026, 12, 1));
  log.Rep("wang", "sh", Utc(2026, 6, 1));  // Older, arriving later: does not win.
  auto moved = log.Project();
  EXPECT_EQ(Get(*moved, Subject::Unit("sh"), PeriodKind::kMonth, nov, "sales_amount").integer, 100);
  EXPECT_EQ(Get(*moved, Subject::Unit("bj"), PeriodKind::kMonth, nov, "sales_amount").integer, 600);
  absl::StatusOr<KpiReport> bj =
      moved->Kpis(Subject::Unit("bj"), PeriodContaining(PeriodKind::kMonth, nov), Utc(2027, 1, 1));
  EXPECT_THAT(*bj->reps, ElementsAre("wang", "zhao"));
  EXPECT_EQ(moved
                ->Kpis(Subject::Unit("nowhere"), PeriodContaining(PeriodKind::kMonth, nov),
                       Utc(2027, 1, 1))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(ProjectorTest, SatisfactionAndScoresAreMeans) {
  Log log;
  log.Add("li", Utc(2026, 11, 1)).mutable_feedback_recorded()->set_score(5);
  log.Add("li", Utc(2026, 11, 2)).mutable_feedback_recorded()->set_score(4);
  auto* s = log.Add("li", Utc(2026, 11, 3)).mutable_score_recorded();
  s->set_metric("teamwork");
  s->set_value(90);
  auto p = log.Project();
  const absl::CivilDay nov{2026, 11, 1};
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "satisfaction").real, 4.5);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "score:teamwork").real,
                   90);
  EXPECT_FALSE(
      Get(*p, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 12, 1), "satisfaction")
          .real.has_value());
}

TEST(OrgStateTest, RefusesUnknownParentsCyclesUnknownUnitsAndStages) {
  OrgState org;
  v1::Event co, east;
  co.mutable_unit_defined()->set_unit_id("co");
  east.mutable_unit_defined()->set_unit_id("east");
  east.mutable_unit_defined()->set_parent_unit_id("co");
  EXPECT_EQ(org.Check(east, 0).code(), absl::StatusCode::kFailedPrecondition);
  org.Add({1, 1}, co);
  EXPECT_TRUE(org.Check(east, 0).ok());
  org.Add({2, 2}, east);
  v1::Event loop;
  loop.mutable_unit_defined()->set_unit_id("co");
  loop.mutable_unit_defined()->set_parent_unit_id("east");
  absl::Status cycle = org.Check(loop, 3);
  EXPECT_EQ(cycle.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(cycle.message()),
              ::testing::HasSubstr("events[3].unit_defined.parent_unit_id"));
  v1::Event rep;
  rep.mutable_rep_defined()->set_unit_id("west");
  EXPECT_EQ(org.Check(rep, 0).code(), absl::StatusCode::kFailedPrecondition);
  v1::Event stage;
  stage.mutable_opportunity_stage_changed()->set_stage("proposal");
  EXPECT_EQ(org.Check(stage, 0).code(), absl::StatusCode::kFailedPrecondition);
  stage.mutable_opportunity_stage_changed()->set_stage("value");
  EXPECT_TRUE(org.Check(stage, 0).ok());
}

}  // namespace
}  // namespace salestrack
