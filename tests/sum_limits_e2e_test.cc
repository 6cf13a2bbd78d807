// No figure wraps around, through a real daemon: every summed figure brought to exactly INT64_MAX
// for a unit that rolls up two reps (each near half of it), the per-event maximum, and the refusal
// of any event that would take a log-wide total past INT64_MAX, also after a restart (the totals
// are recomputed by the replay).
#include <cstdint>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::TempDir;
using ::salestrack::testing::ToProto;
using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kPerEvent = 1'000'000'000'000'000;  // The per-event maximum, 10^15.
// kMax = 9223 x 10^15 + kRest: 9224 events reach the limit exactly.
constexpr int kFull = 9223;
constexpr int64_t kRest = kMax - kFull * kPerEvent;
constexpr int kEvents = kFull + 1;

// Event i's quantity: 10^15, the last one kRest. Even i belong to rep-a, odd i to rep-b.
int64_t Quantity(int i) { return i < kFull ? kPerEvent : kRest; }
std::string RepOf(int i) { return i % 2 == 0 ? "rep-a" : "rep-b"; }
// Each rep's share of a quantity spread over the kEvents events.
constexpr int64_t kRepA = (kEvents + 1) / 2 * kPerEvent;  // 4612 full events.
constexpr int64_t kRepB = kMax - kRepA;                   // 4611 full events and the rest.

absl::Time At(int i) {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 2, 0, 0, 0), absl::UTCTimeZone()) +
         absl::Seconds(i);
}

v1::Event Base(const std::string& id, const std::string& rep, int i) {
  v1::Event e;
  e.set_event_id(id);
  e.set_rep_id(rep);
  *e.mutable_occurred_at() = ToProto(At(i));
  return e;
}

std::vector<v1::Event> Org() {
  std::vector<v1::Event> out;
  for (auto [unit, parent] : {std::pair{"company", ""}, std::pair{"team", "company"}}) {
    v1::Event e = Base(absl::StrCat("unit-", unit), "", 0);
    e.mutable_unit_defined()->set_unit_id(unit);
    e.mutable_unit_defined()->set_name(unit);
    e.mutable_unit_defined()->set_parent_unit_id(parent);
    out.push_back(e);
  }
  for (const char* rep : {"rep-a", "rep-b"}) {
    v1::Event e = Base(absl::StrCat("def-", rep), "", 0);
    e.mutable_rep_defined()->set_rep_id(rep);
    e.mutable_rep_defined()->set_name(rep);
    e.mutable_rep_defined()->set_unit_id("team");
    e.mutable_rep_defined()->set_active(true);
    out.push_back(e);
  }
  return out;
}

// Sales contract i: its amount; contracts 0..9 also carry the line quantities (9 x 1000 lines of
// 10^15, then 223 of 10^15 and one of kRest), so products_sold reaches kMax too.
v1::Event Sale(int i) {
  v1::Event e = Base(absl::StrCat("sale-", i), RepOf(i), i);
  v1::ContractSigned* c = e.mutable_contract_signed();
  c->set_contract_id(absl::StrCat("ct-", i));
  c->set_customer_id(absl::StrCat("cust-", i));
  c->set_amount(Quantity(i));
  if (i < 10) {
    const int lines = i < 9 ? 1000 : 224;
    for (int l = 0; l < lines; ++l) {
      v1::ContractSigned::Line* line = c->add_lines();
      line->set_product_id("seat");
      line->set_quantity(i == 9 && l == lines - 1 ? kRest : kPerEvent);
      line->set_unit_price(kPerEvent);
    }
  }
  return e;
}
// A loss: amount 0, cost i's quantity (gross_profit goes to -kMax, never wraps to positive).
v1::Event Loss(int i) {
  v1::Event e = Base(absl::StrCat("loss-", i), RepOf(i), i);
  e.mutable_contract_signed()->set_contract_id(absl::StrCat("loss-ct-", i));
  e.mutable_contract_signed()->set_customer_id(absl::StrCat("cust-", i));
  e.mutable_contract_signed()->set_amount(0);
  e.mutable_contract_signed()->set_cost(Quantity(i));
  return e;
}
v1::Event Payment(int i) {
  v1::Event e = Base(absl::StrCat("pay-", i), RepOf(i), i);
  e.mutable_payment_received()->set_payment_id(absl::StrCat("pay-", i));
  e.mutable_payment_received()->set_contract_id(absl::StrCat("ct-", i));
  e.mutable_payment_received()->set_amount(Quantity(i));
  return e;
}
v1::Event Visit(int i) {
  v1::Event e =
      testing::Action(absl::StrCat("visit-", i), RepOf(i), absl::StrCat("cust-", i), At(i));
  e.mutable_action_logged()->set_cost(Quantity(i));
  return e;
}
v1::Event Opportunity(int i) {
  v1::Event e = Base(absl::StrCat("opp-", i), RepOf(i), i);
  e.mutable_opportunity_opened()->set_opportunity_id(absl::StrCat("opp-", i));
  e.mutable_opportunity_opened()->set_customer_id(absl::StrCat("cust-", i));
  e.mutable_opportunity_opened()->set_expected_amount(Quantity(i));
  return e;
}

grpc::Status Append(const Daemon& d, const std::vector<v1::Event>& events) {
  grpc::ClientContext context;
  v1::AppendRequest request;
  for (const v1::Event& e : events) *request.add_events() = e;
  v1::AppendResponse response;
  return d.NewStub()->Append(&context, request, &response);
}

void AppendAll(const Daemon& d, v1::Event (*make)(int)) {
  constexpr int batch = 1000;
  for (int i = 0; i < kEvents; i += batch) {
    std::vector<v1::Event> events;
    for (int j = i; j < std::min(kEvents, i + batch); ++j) events.push_back(make(j));
    grpc::Status s = Append(d, events);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
}

struct Figures {
  std::map<std::string, v1::MetricValue> metrics, now;
};

Figures Get(const Daemon& d, const std::string& rep, const std::string& unit) {
  grpc::ClientContext context;
  v1::GetKpisRequest request;
  if (!rep.empty()) request.mutable_subject()->set_rep_id(rep);
  if (!unit.empty()) request.mutable_subject()->set_unit_id(unit);
  request.mutable_period()->set_kind(v1::YEAR);
  request.mutable_period()->mutable_date()->set_year(2026);
  request.mutable_period()->mutable_date()->set_month(1);
  request.mutable_period()->mutable_date()->set_day(1);
  v1::GetKpisResponse response;
  grpc::Status s = v1::KpiService::NewStub(d.NewChannel())->GetKpis(&context, request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  Figures f;
  for (const auto& m : response.metrics()) f.metrics[m.name()] = m;
  for (const auto& m : response.point_in_time()) f.now[m.name()] = m;
  return f;
}

// Every summed figure for rep-a, rep-b and the units above them, with each log-wide total at kMax.
void ExpectFiguresAtTheLimit(const Daemon& d) {
  const std::vector<std::tuple<std::string, std::string, int64_t, int64_t>> subjects = {
      {"rep-a", "", kRepA, 5000 * kPerEvent},
      {"rep-b", "", kRepB, 4223 * kPerEvent + kRest},
      {"", "team", kMax, kMax},
      {"", "company", kMax, kMax}};
  for (const auto& [rep, unit, share, products] : subjects) {
    SCOPED_TRACE(rep + unit);
    Figures f = Get(d, rep, unit);
    EXPECT_EQ(f.metrics["sales_amount"].integer(), share);
    EXPECT_EQ(f.metrics["amount_due"].integer(), share);
    EXPECT_EQ(f.metrics["payments"].integer(), share);
    EXPECT_EQ(f.metrics["action_cost"].integer(), share);
    EXPECT_EQ(f.metrics["gross_profit"].integer(), -share);  // Losses only: margin base 0.
    EXPECT_FALSE(f.metrics["gross_margin"].defined());
    EXPECT_EQ(f.metrics["products_sold"].integer(), products);
    EXPECT_TRUE(f.metrics["collection_rate"].defined());
    EXPECT_DOUBLE_EQ(f.metrics["collection_rate"].real(), 1.0);
    EXPECT_GT(f.metrics["avg_deal_size"].real(), 0);
    EXPECT_EQ(f.now["outstanding"].integer(), 0);  // Every contract paid in full.
    EXPECT_EQ(f.now["overdue"].integer(), 0);
    EXPECT_EQ(f.now["open_pipeline"].integer(), share);
  }
}

// One more event of each kind adding 1 (or one line) to a total that is at kMax.
struct Overflowing {
  std::string what;
  v1::Event event;
  std::string field;
  std::string figures;
};
std::vector<Overflowing> OneMoreOfEach() {
  std::vector<Overflowing> out;
  v1::Event sale = Sale(kEvents + 100);
  sale.mutable_contract_signed()->set_amount(1);
  out.push_back({"contract amount", sale, "contract_signed.amount", "sales_amount"});
  v1::Event loss = Loss(kEvents + 100);
  loss.mutable_contract_signed()->set_cost(1);
  out.push_back({"contract cost", loss, "contract_signed.cost", "gross_profit"});
  v1::Event lines = Loss(kEvents + 101);
  lines.mutable_contract_signed()->clear_cost();
  v1::ContractSigned::Line* line = lines.mutable_contract_signed()->add_lines();
  line->set_product_id("seat");
  line->set_quantity(1);
  out.push_back({"line quantity", lines, "contract_signed.lines", "products_sold"});
  v1::Event pay = Payment(kEvents + 100);
  pay.mutable_payment_received()->set_amount(1);
  out.push_back({"payment", pay, "payment_received.amount", "payments"});
  v1::Event visit = Visit(kEvents + 100);
  visit.mutable_action_logged()->set_cost(1);
  out.push_back({"action cost", visit, "action_logged.cost", "action_cost"});
  v1::Event opp = Opportunity(kEvents + 100);
  opp.mutable_opportunity_opened()->set_expected_amount(1);
  out.push_back({"expected amount", opp, "opportunity_opened.expected_amount", "open_pipeline"});
  return out;
}

void ExpectEveryTotalRefusesOneMore(const Daemon& d) {
  for (const Overflowing& o : OneMoreOfEach()) {
    SCOPED_TRACE(o.what);
    // Behind a harmless event (no cost), so the index is named too.
    v1::Event harmless = testing::Action("harmless-" + o.what, "rep-a", "cust-x", At(0));
    harmless.mutable_action_logged()->set_cost(0);
    grpc::Status s = Append(d, {harmless, o.event});
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_THAT(s.error_message(),
                HasSubstr("events[1]." + o.field + ": would take the log's total"));
    EXPECT_THAT(s.error_message(), HasSubstr(o.figures));
    EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat("past ", kMax)));
  }
  // Nothing of the refused batches was stored; an event that adds nothing still goes in.
  v1::Event free_contract = Loss(kEvents + 102);
  free_contract.mutable_contract_signed()->clear_cost();
  grpc::Status ok = Append(d, {free_contract});
  EXPECT_TRUE(ok.ok()) << ok.error_message();
}

TEST(SumLimitsTest, EverySummedFigureReachesTheLimitAndNeverWraps) {
  TempDir tmp;
  const std::string data = tmp.Sub("data");
  {
    Daemon d(data);
    ASSERT_TRUE(Append(d, Org()).ok());
    AppendAll(d, Sale);
    AppendAll(d, Loss);
    // Before any payment, outstanding is every contract amount: kMax for the units.
    EXPECT_EQ(Get(d, "", "company").now["outstanding"].integer(), kMax);
    EXPECT_EQ(Get(d, "rep-b", "").now["outstanding"].integer(), kRepB);
    AppendAll(d, Payment);
    AppendAll(d, Visit);
    AppendAll(d, Opportunity);
    ExpectFiguresAtTheLimit(d);
    ExpectEveryTotalRefusesOneMore(d);
    testing::CliResult verify = testing::RunCli("--server=" + d.address() + " verify");
    EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
    ASSERT_EQ(d.Stop(), 0);
  }
  // A restart replays the log: the same figures, and the totals are known again.
  Daemon again(data);
  ExpectFiguresAtTheLimit(again);
  ExpectEveryTotalRefusesOneMore(again);
}

TEST(SumLimitsTest, OneEventCarriesAtMostThePerEventMaximum) {
  TempDir tmp;
  Daemon d(tmp.Sub("data"));
  // Two contracts of INT64_MAX would sum to -2: each is refused on its own.
  v1::Event huge = testing::Contract("huge-1", "rep-a", "ct-huge", kMax, At(1));
  grpc::Status s = Append(d, {huge});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat("events[0].contract_signed.amount: must be at most ",
                                     kPerEvent, ", the per-event maximum (got ", kMax, ")")));
  v1::Event line = Sale(0);
  line.mutable_contract_signed()->mutable_lines(3)->set_quantity(kPerEvent + 1);
  s = Append(d, {line});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("events[0].contract_signed.lines[3].quantity: must be "
                                           "at most"));
  v1::Event payment = Payment(0);
  payment.mutable_payment_received()->set_amount(kPerEvent + 1);
  EXPECT_THAT(Append(d, {payment}).error_message(),
              HasSubstr("events[0].payment_received.amount: must be at most"));
  // At the maximum, accepted.
  EXPECT_TRUE(Append(d, {testing::Contract("max-1", "rep-a", "ct-max", kPerEvent, At(2))}).ok());
}

}  // namespace
}  // namespace salestrack
