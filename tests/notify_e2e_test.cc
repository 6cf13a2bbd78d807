// Outgoing webhooks (docs/notifications.md) through a real salestrackd and a local receiver
// (webhook_receiver.h): each trigger's payload in each format, stable idempotency keys, a receiver
// that is down and then up, dead letters and their retry through the CLI, a SIGKILL while a post
// is in flight, and appends that go on while a receiver hangs.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "org_events.h"
#include "test_base.h"
#include "test_util.h"
#include "webhook_receiver.h"

namespace salestrack {
namespace {

using ::salestrack::testing::AppendOk;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::RepDef;
using ::salestrack::testing::RunCli;
using ::salestrack::testing::TempDir;
using ::salestrack::testing::UnitDef;
using ::salestrack::testing::WebhookReceiver;
using ::testing::HasSubstr;
using Request = WebhookReceiver::Request;

google::protobuf::Struct Json(const std::string& text) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text, &s).ok()) << text;
  return s;
}

std::string Field(const google::protobuf::Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "<missing " + name + ">" : it->second.string_value();
}

const google::protobuf::Struct& Sub(const google::protobuf::Struct& s, const std::string& name) {
  static const google::protobuf::Struct empty;
  auto it = s.fields().find(name);
  return it == s.fields().end() ? empty : it->second.struct_value();
}

std::vector<Request> At(const std::vector<Request>& all, const std::string& path) {
  std::vector<Request> out;
  for (const Request& r : all) {
    if (r.path == path) out.push_back(r);
  }
  return out;
}

std::map<std::string, int> CountByKey(const std::vector<Request>& all) {
  std::map<std::string, int> out;
  for (const Request& r : all) ++out[r.idempotency_key];
  return out;
}

// A rule in the config's text format.
std::string Rule(const std::string& name, const std::string& trigger, const std::string& url,
                 const std::string& format, const std::string& secret = "") {
  return absl::StrCat("notify_rules { name: \"", name, "\" ", trigger, " target { url: \"", url,
                      "\" format: ", format,
                      secret.empty() ? "" : absl::StrCat(" secret: \"", secret, "\""), " } }\n");
}

// Fast retries: the tests never wait seconds for a backoff.
constexpr char kFastDelivery[] =
    "notify_delivery { max_attempts: 100 initial_backoff_ms: 20 max_backoff_ms: 100 "
    "connect_timeout_ms: 1000 attempt_timeout_ms: 2000 }\n";

v1::Event Deal(const std::string& id, const std::string& rep, int64_t amount) {
  return testing::Contract(id, rep, "contract-" + id, amount, absl::Now() - absl::Minutes(1));
}

v1::Event Target(const std::string& id, const std::string& rep, const std::string& metric,
                 int64_t target) {
  v1::Event e = testing::Org(id, absl::Now() - absl::Minutes(2));
  v1::TargetSet* t = e.mutable_target_set();
  t->set_subject_rep_id(rep);
  t->set_metric(metric);
  t->mutable_period()->set_kind(v1::MONTH);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  t->mutable_period()->mutable_date()->set_year(static_cast<int>(today.year()));
  t->mutable_period()->mutable_date()->set_month(today.month());
  t->mutable_period()->mutable_date()->set_day(1);
  t->set_baseline(target / 2);
  t->set_target(target);
  t->set_challenge(target * 2);
  return e;
}

std::vector<v1::Event> Org() {
  return {UnitDef("u1", ""), RepDef("rep-def-r1", "r1", "u1", true),
          RepDef("rep-def-r2", "r2", "u1", true), RepDef("rep-def-r3", "r3", "u1", true)};
}

class NotifyTest : public ::testing::Test {
 protected:
  std::unique_ptr<Daemon> Start(const std::string& config) {
    const std::string path = dir_.Sub("d.conf");
    std::ofstream(path) << config;
    return std::make_unique<Daemon>(dir_.Sub("data"), std::vector<std::string>{"--config=" + path});
  }
  std::string Cli(const Daemon& d, const std::string& args) {
    testing::CliResult r = RunCli(absl::StrCat("--server=", d.address(), " ", args));
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  }
  TempDir dir_;
};

std::string DingTalkSign(const std::string& timestamp, const std::string& secret) {
  const std::string to_sign = timestamp + "\n" + secret;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), mac, &size);
  return absl::Base64Escape(std::string(reinterpret_cast<char*>(mac), size));
}

std::string UrlDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

TEST_F(NotifyTest, DealSignedReachesEveryFormatWithItsPayload) {
  WebhookReceiver receiver;
  const std::string deal = "deal_signed { min_amount: 100000 }";
  std::unique_ptr<Daemon> daemon = Start(absl::StrCat(
      Rule("big-generic", deal, receiver.Url("/generic"), "GENERIC_JSON"),
      Rule("big-ding", deal, receiver.Url("/ding?access_token=T"), "DINGTALK", "SECabc"),
      Rule("big-wecom", deal, receiver.Url("/wecom"), "WECOM"),
      Rule("big-slack", deal, receiver.Url("/slack"), "SLACK"),
      Rule("big-teams", deal, receiver.Url("/teams"), "TEAMS"), kFastDelivery));
  auto stub = daemon->NewStub();
  AppendOk(*stub, Org());
  AppendOk(*stub, {Deal("small", "r1", 99999)});  // Under the amount: nothing.
  const uint64_t seq = AppendOk(*stub, {Deal("big", "r2", 1234567)});
  ASSERT_TRUE(receiver.WaitForCount(5)) << receiver.requests().size();
  absl::SleepFor(absl::Milliseconds(300));  // Nothing more comes (the small deal).
  const std::vector<Request> all = receiver.requests();
  ASSERT_EQ(all.size(), 5u);

  const Request generic = At(all, "/generic").at(0);
  EXPECT_EQ(generic.idempotency_key, absl::StrCat("big-generic:deal:", seq));
  EXPECT_THAT(generic.content_type, HasSubstr("application/json"));
  google::protobuf::Struct body = Json(generic.body);
  EXPECT_EQ(Field(body, "idempotency_key"), generic.idempotency_key);
  EXPECT_EQ(Field(body, "rule"), "big-generic");
  EXPECT_EQ(Field(body, "kind"), "deal_signed");
  EXPECT_EQ(Field(body, "seq"), absl::StrCat(seq));
  EXPECT_EQ(Field(body, "title"), "Deal signed: ¥12,345.67 by r2 (r2)");
  EXPECT_EQ(Field(Sub(body, "data"), "amount"), "1234567");
  EXPECT_EQ(Field(Sub(body, "data"), "currency"), "CNY");
  EXPECT_EQ(Field(Sub(body, "data"), "rep_id"), "r2");
  EXPECT_EQ(Field(Sub(body, "data"), "unit_id"), "u1");
  EXPECT_EQ(Field(Sub(body, "data"), "event_id"), "big");

  const Request ding = At(all, "/ding").at(0);
  body = Json(ding.body);
  EXPECT_EQ(Field(body, "msgtype"), "markdown");
  // The Chinese group robots speak Chinese unless their target names another locale.
  EXPECT_EQ(Field(Sub(body, "markdown"), "title"), "签约：r2 (r2) ¥12,345.67");
  EXPECT_THAT(Field(Sub(body, "markdown"), "text"), HasSubstr("### 签约"));
  EXPECT_THAT(Field(Sub(body, "markdown"), "text"), HasSubstr("合同 contract-big，客户"));
  std::map<std::string, std::string> query;
  for (absl::string_view part : absl::StrSplit(ding.query, '&')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    query[kv.first] = kv.second;
  }
  EXPECT_EQ(query["access_token"], "T");
  ASSERT_FALSE(query["timestamp"].empty());
  EXPECT_EQ(UrlDecode(query["sign"]), DingTalkSign(query["timestamp"], "SECabc"));

  body = Json(At(all, "/wecom").at(0).body);
  EXPECT_EQ(Field(body, "msgtype"), "markdown");
  EXPECT_THAT(Field(Sub(body, "markdown"), "content"), HasSubstr("¥12,345.67"));
  body = Json(At(all, "/slack").at(0).body);
  EXPECT_THAT(Field(body, "text"), HasSubstr("Deal signed: ¥12,345.67 by r2 (r2)"));
  body = Json(At(all, "/teams").at(0).body);
  EXPECT_EQ(Field(body, "type"), "message");
  const google::protobuf::Struct card =
      body.fields().at("attachments").list_value().values(0).struct_value();
  EXPECT_EQ(Field(card, "contentType"), "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(Sub(card, "content")
                .fields()
                .at("body")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("text")
                .string_value(),
            "Deal signed: ¥12,345.67 by r2 (r2)");
  for (const Request& r : all) {
    EXPECT_EQ(r.idempotency_key, absl::StrCat(r.path == "/generic" ? "big-generic"
                                              : r.path == "/ding"  ? "big-ding"
                                              : r.path == "/wecom" ? "big-wecom"
                                              : r.path == "/slack" ? "big-slack"
                                                                   : "big-teams",
                                              ":deal:", seq));
  }
}

TEST_F(NotifyTest, AVoidedDealIsAnnouncedAsTakenBack) {
  WebhookReceiver receiver;
  const std::string deal = "deal_signed { min_amount: 100000 }";
  std::unique_ptr<Daemon> daemon = Start(
      absl::StrCat(Rule("big", deal, receiver.Url("/generic"), "GENERIC_JSON"),
                   // A Chinese robot told to speak English.
                   absl::StrReplaceAll(Rule("big-wecom", deal, receiver.Url("/wecom"), "WECOM"),
                                       {{"format: WECOM", "format: WECOM locale: \"en\""}}),
                   kFastDelivery));
  auto stub = daemon->NewStub();
  AppendOk(*stub, Org());
  const uint64_t signed_at = AppendOk(*stub, {Deal("big", "r2", 1234567)});
  AppendOk(*stub, {Deal("small", "r1", 500)});
  AppendOk(*stub, {testing::Void("void-small", "small", absl::Now())});  // Never announced: quiet.
  const uint64_t voided_at = AppendOk(*stub, {testing::Void("void-big", "big", absl::Now())});
  ASSERT_TRUE(receiver.WaitForCount(4)) << receiver.requests().size();
  absl::SleepFor(absl::Milliseconds(300));
  const std::vector<Request> all = receiver.requests();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_THAT(CountByKey(all), ::testing::UnorderedElementsAre(
                                   ::testing::Pair(absl::StrCat("big:deal:", signed_at), 1),
                                   ::testing::Pair(absl::StrCat("big:void:", voided_at), 1),
                                   ::testing::Pair(absl::StrCat("big-wecom:deal:", signed_at), 1),
                                   ::testing::Pair(absl::StrCat("big-wecom:void:", voided_at), 1)));
  const std::vector<Request> generic = At(all, "/generic");
  ASSERT_EQ(generic.size(), 2u);
  google::protobuf::Struct body = Json(generic[1].body);
  EXPECT_EQ(Field(body, "kind"), "deal_voided");
  EXPECT_EQ(Field(body, "title"), "Deal voided: ¥12,345.67 by r2 (r2)");
  EXPECT_THAT(Field(body, "text"), HasSubstr("reason: entered twice"));
  EXPECT_EQ(Field(Sub(body, "data"), "event_id"), "big");
  EXPECT_EQ(Field(Sub(body, "data"), "void_event_id"), "void-big");
  EXPECT_EQ(Field(Sub(body, "data"), "amount"), "1234567");
  body = Json(At(all, "/wecom").at(1).body);
  EXPECT_THAT(Field(Sub(body, "markdown"), "content"),
              HasSubstr("### Deal voided: ¥12,345.67 by r2 (r2)"));
}

TEST_F(NotifyTest, DealInAnotherUnitIsNotAnnounced) {
  WebhookReceiver receiver;
  std::unique_ptr<Daemon> daemon =
      Start(absl::StrCat(Rule("east", "deal_signed { min_amount: 0 unit_id: \"east\" }",
                              receiver.Url("/east"), "GENERIC_JSON"),
                         kFastDelivery));
  auto stub = daemon->NewStub();
  AppendOk(*stub, {UnitDef("co", ""), UnitDef("east", "co"), UnitDef("west", "co"),
                   RepDef("d-e", "e1", "east", true), RepDef("d-w", "w1", "west", true)});
  AppendOk(*stub, {Deal("w-deal", "w1", 500)});
  const uint64_t seq = AppendOk(*stub, {Deal("e-deal", "e1", 500)});
  ASSERT_TRUE(receiver.WaitForCount(1));
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(receiver.requests()[0].idempotency_key, absl::StrCat("east:deal:", seq));
}

TEST_F(NotifyTest, TopNEntryAndTargetReached) {
  WebhookReceiver receiver;
  std::unique_ptr<Daemon> daemon = Start(absl::StrCat(
      Rule("leader", "top_n { unit_id: \"u1\" metric: \"sales_amount\" period_kind: MONTH n: 1 }",
           receiver.Url("/top"), "GENERIC_JSON"),
      Rule("quota", "target_reached { metric: \"sales_amount\" period_kind: MONTH }",
           receiver.Url("/target"), "GENERIC_JSON"),
      kFastDelivery));
  auto stub = daemon->NewStub();
  AppendOk(*stub, Org());
  AppendOk(*stub, {Target("t-r3", "r3", "sales_amount", 30000)});
  AppendOk(*stub, {Deal("d1", "r1", 10000)});  // r1 leads: it was already tied first.
  const uint64_t r2_leads = AppendOk(*stub, {Deal("d2", "r2", 20000)});
  ASSERT_TRUE(receiver.WaitForCount(1));
  AppendOk(*stub, {Deal("d3", "r3", 10000)});                              // Under r3's target.
  const uint64_t r3_reaches = AppendOk(*stub, {Deal("d4", "r3", 20000)});  // 30000: reached, leads.
  ASSERT_TRUE(receiver.WaitFor([](const std::vector<Request>& r) {
    return At(r, "/top").size() >= 2 && !At(r, "/target").empty();
  })) << receiver.requests().size();
  absl::SleepFor(absl::Milliseconds(300));
  const std::vector<Request> all = receiver.requests();

  const std::vector<Request> top = At(all, "/top");
  ASSERT_EQ(top.size(), 2u);
  const std::string month = absl::FormatCivilTime(
      absl::CivilDay(absl::ToCivilMonth(absl::Now() - absl::Minutes(1), absl::UTCTimeZone())));
  EXPECT_EQ(top[0].idempotency_key, absl::StrCat("leader:top:", month, ":r2:", r2_leads));
  EXPECT_EQ(top[1].idempotency_key, absl::StrCat("leader:top:", month, ":r3:", r3_reaches));
  google::protobuf::Struct body = Json(top[0].body);
  EXPECT_EQ(Field(body, "kind"), "top_n");
  EXPECT_EQ(Field(body, "title"), "r2 (r2) entered the top 1: rank 1");
  EXPECT_EQ(Field(Sub(body, "data"), "member_id"), "r2");
  EXPECT_EQ(Sub(body, "data").fields().at("rank").number_value(), 1);
  EXPECT_EQ(Sub(body, "data").fields().at("value").number_value(), 20000);

  const std::vector<Request> target = At(all, "/target");
  ASSERT_EQ(target.size(), 1u);
  EXPECT_EQ(target[0].idempotency_key, absl::StrCat("quota:target:", month, ":rep:r3"));
  body = Json(target[0].body);
  EXPECT_EQ(Field(body, "kind"), "target_reached");
  EXPECT_EQ(Field(body, "title"), "r3 (r3) reached the sales_amount target");
  EXPECT_EQ(Field(Sub(body, "data"), "target"), "30000");
  EXPECT_EQ(Field(Sub(body, "data"), "actual"), "30000");

  // More sales by r3 reach nothing new: the target is announced once per period.
  AppendOk(*stub, {Deal("d5", "r3", 5000)});
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(At(receiver.requests(), "/target").size(), 1u);
}

TEST_F(NotifyTest, OverdueDigestPerRepAndUnitOncePerDay) {
  WebhookReceiver receiver;
  {
    // The history first, without rules: a follow-up that r1 let slip two days ago.
    std::unique_ptr<Daemon> plain = Start("");
    auto stub = plain->NewStub();
    AppendOk(*stub, Org());
    v1::Event action = testing::Action("a1", "r1", "cust-9", absl::Now() - absl::Hours(72));
    *action.mutable_action_logged()->mutable_next_follow_up_at() =
        ToProto(absl::Now() - absl::Hours(48));
    AppendOk(*stub, {action});
    ASSERT_EQ(plain->Stop(), 0);
  }
  // 00:00: today's digest is due as soon as the daemon starts.
  const std::string rules = absl::StrCat(Rule("morning", "overdue_digest { local_time: \"00:00\" }",
                                              receiver.Url("/digest"), "GENERIC_JSON"),
                                         kFastDelivery);
  std::unique_ptr<Daemon> daemon = Start(rules);
  ASSERT_TRUE(receiver.WaitForCount(2));
  absl::SleepFor(absl::Milliseconds(300));
  std::vector<Request> all = receiver.requests();
  ASSERT_EQ(all.size(), 2u);
  const std::string day = absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()));
  std::set<std::string> keys;
  for (const Request& r : all) keys.insert(r.idempotency_key);
  EXPECT_THAT(keys,
              ::testing::UnorderedElementsAre(absl::StrCat("morning:digest:", day, ":rep:r1"),
                                              absl::StrCat("morning:digest:", day, ":unit:u1")));
  for (const Request& r : all) {
    google::protobuf::Struct body = Json(r.body);
    EXPECT_EQ(Field(body, "kind"), "overdue_digest");
    EXPECT_THAT(Field(body, "title"), HasSubstr("1 overdue follow-up"));
    EXPECT_THAT(Field(body, "text"), HasSubstr("customer cust-9"));
  }
  // A restart the same day sends no second digest.
  ASSERT_EQ(daemon->Stop(), 0);
  daemon = Start(rules);
  absl::SleepFor(absl::Milliseconds(1500));
  EXPECT_EQ(receiver.requests().size(), 2u);
}

TEST_F(NotifyTest, ReceiverDownThenUpGetsItOnce) {
  int port = 0;
  { port = WebhookReceiver().port(); }  // A port nothing listens on now.
  std::unique_ptr<Daemon> daemon =
      Start(absl::StrCat(Rule("big", "deal_signed { min_amount: 1 }",
                              absl::StrCat("http://127.0.0.1:", port, "/x"), "SLACK"),
                         kFastDelivery));
  auto stub = daemon->NewStub();
  AppendOk(*stub, Org());
  const uint64_t seq = AppendOk(*stub, {Deal("d1", "r1", 500)});
  absl::SleepFor(absl::Milliseconds(800));  // Several attempts fail (connection refused).
  WebhookReceiver receiver(port);
  ASSERT_TRUE(receiver.WaitForCount(1));
  absl::SleepFor(absl::Milliseconds(500));
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(receiver.requests()[0].idempotency_key, absl::StrCat("big:deal:", seq));
  const std::string stats = Cli(*daemon, "stats");
  EXPECT_THAT(stats, HasSubstr("salestrack_notify_sent_total"));
  EXPECT_THAT(Cli(*daemon, "notify dead-letters"), HasSubstr("0 dead letter(s)"));
}

TEST_F(NotifyTest, DeadLettersAreListedAndRetried) {
  WebhookReceiver receiver;
  receiver.SetStatus(500);
  std::unique_ptr<Daemon> daemon = Start(absl::StrCat(
      Rule("big", "deal_signed { min_amount: 1 }", receiver.Url("/x"), "GENERIC_JSON"),
      "notify_delivery { max_attempts: 3 initial_backoff_ms: 10 max_backoff_ms: 20 }\n"));
  auto stub = daemon->NewStub();
  AppendOk(*stub, Org());
  const uint64_t seq = AppendOk(*stub, {Deal("d1", "r1", 500)});
  const std::string key = absl::StrCat("big:deal:", seq);
  ASSERT_TRUE(receiver.WaitForCount(3));
  std::string listed;
  for (int i = 0; i < 100 && !absl::StrContains(listed, key); ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    listed = Cli(*daemon, "notify dead-letters");
  }
  EXPECT_THAT(listed, HasSubstr("1 dead letter(s)"));
  EXPECT_THAT(listed, HasSubstr(key));
  EXPECT_THAT(listed, HasSubstr("3 attempt(s)"));
  EXPECT_THAT(listed, HasSubstr("HTTP 500"));
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(receiver.requests().size(), 3u);  // No attempt after the last.

  testing::CliResult unknown =
      RunCli(absl::StrCat("--server=", daemon->address(), " notify retry no-such-key"));
  EXPECT_EQ(unknown.code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("idempotency_keys[0]: \"no-such-key\" is not a dead letter"));

  receiver.SetStatus(200);
  EXPECT_THAT(Cli(*daemon, "notify retry " + key), HasSubstr("1 notification(s) queued again"));
  ASSERT_TRUE(receiver.WaitForCount(4));
  EXPECT_EQ(receiver.requests()[3].idempotency_key, key);
  EXPECT_THAT(Cli(*daemon, "notify dead-letters"), HasSubstr("0 dead letter(s)"));
}

TEST_F(NotifyTest, KillDuringAPostDeliversEverythingAndRepeatsOnlyTheUnrecorded) {
  WebhookReceiver receiver;
  const std::string rules = absl::StrCat(
      Rule("big", "deal_signed { min_amount: 1 }", receiver.Url("/x"), "GENERIC_JSON"),
      "notify_delivery { initial_backoff_ms: 20 max_backoff_ms: 100 attempt_timeout_ms: 60000 "
      "}\n");
  std::unique_ptr<Daemon> daemon = Start(rules);
  auto stub = daemon->NewStub();
  AppendOk(*stub, Org());
  std::vector<std::string> keys;
  for (int i = 0; i < 2; ++i) {
    keys.push_back(
        absl::StrCat("big:deal:", AppendOk(*stub, {Deal(absl::StrCat("d", i), "r1", 500)})));
  }
  ASSERT_TRUE(receiver.WaitForCount(2));
  // The next post hangs in the receiver; the daemon dies while it waits for the answer.
  receiver.Hold(absl::Seconds(60));
  for (int i = 2; i < 5; ++i) {
    keys.push_back(
        absl::StrCat("big:deal:", AppendOk(*stub, {Deal(absl::StrCat("d", i), "r1", 500)})));
  }
  ASSERT_TRUE(receiver.WaitForCount(3));
  daemon->Kill();
  receiver.Release();

  daemon = Start(rules);
  // Each notification at least once; the two acknowledged and recorded before the kill only once.
  ASSERT_TRUE(receiver.WaitFor([&](const std::vector<Request>& r) {
    std::map<std::string, int> by_key = CountByKey(r);
    for (const std::string& k : keys) {
      if (by_key[k] == 0) return false;
    }
    return true;
  })) << receiver.requests().size();
  absl::SleepFor(absl::Milliseconds(500));
  std::map<std::string, int> by_key = CountByKey(receiver.requests());
  EXPECT_EQ(by_key[keys[0]], 1);
  EXPECT_EQ(by_key[keys[1]], 1);
  EXPECT_EQ(by_key[keys[2]], 2);  // In flight at the kill: sent again, with the same key.
  EXPECT_EQ(by_key[keys[3]], 1);
  EXPECT_EQ(by_key[keys[4]], 1);
  EXPECT_EQ(by_key.size(), keys.size());
}

TEST_F(NotifyTest, RecordsTheNotifierHasNotSeenAreAnnouncedAfterARestart) {
  WebhookReceiver receiver;
  const std::string rules =
      absl::StrCat(Rule("big", "deal_signed { min_amount: 1 }", receiver.Url("/x"), "GENERIC_JSON"),
                   kFastDelivery);
  std::vector<std::string> keys;
  {
    std::unique_ptr<Daemon> daemon = Start(rules);
    auto stub = daemon->NewStub();
    AppendOk(*stub, Org());
    keys.push_back(absl::StrCat("big:deal:", AppendOk(*stub, {Deal("d0", "r1", 500)})));
    ASSERT_TRUE(receiver.WaitForCount(1));
    // Deals acknowledged right before a SIGKILL: the notifier may not have decided them yet.
    for (int i = 1; i <= 20; ++i) {
      keys.push_back(
          absl::StrCat("big:deal:", AppendOk(*stub, {Deal(absl::StrCat("d", i), "r1", 500)})));
    }
    daemon->Kill();
  }
  {
    // A start without the rules: its appends are left for the notifier's next start.
    std::unique_ptr<Daemon> plain = Start("");
    auto stub = plain->NewStub();
    for (int i = 21; i <= 25; ++i) {
      keys.push_back(
          absl::StrCat("big:deal:", AppendOk(*stub, {Deal(absl::StrCat("d", i), "r1", 500)})));
    }
    ASSERT_EQ(plain->Stop(), 0);
  }
  std::unique_ptr<Daemon> daemon = Start(rules);
  ASSERT_TRUE(receiver.WaitFor([&](const std::vector<Request>& r) {
    std::map<std::string, int> by_key = CountByKey(r);
    for (const std::string& k : keys) {
      if (by_key[k] == 0) return false;
    }
    return true;
  })) << receiver.requests().size()
      << " of " << keys.size();
  absl::SleepFor(absl::Milliseconds(300));
  std::map<std::string, int> by_key = CountByKey(receiver.requests());
  EXPECT_EQ(by_key[keys[0]], 1);  // Acknowledged and recorded before the kill.
  EXPECT_EQ(by_key.size(), keys.size());
}

TEST_F(NotifyTest, AppendsGoOnWhileOneReceiverHangs) {
  WebhookReceiver stuck;
  stuck.Hold(absl::Seconds(60));
  WebhookReceiver fine;
  std::unique_ptr<Daemon> daemon = Start(absl::StrCat(
      Rule("to-stuck", "deal_signed { min_amount: 1 }", stuck.Url("/s"), "GENERIC_JSON"),
      Rule("to-fine", "deal_signed { min_amount: 1 }", fine.Url("/f"), "GENERIC_JSON"),
      "notify_delivery { attempt_timeout_ms: 60000 }\n"));
  auto stub = daemon->NewStub();
  AppendOk(*stub, Org());
  constexpr int kDeals = 40;
  for (int i = 0; i < kDeals; ++i) {
    const absl::Time start = absl::Now();
    AppendOk(*stub, {Deal(absl::StrCat("d", i), "r1", 500)});
    EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << "append " << i;
  }
  // The other rule's receiver gets every notification while the first post to `stuck` hangs.
  ASSERT_TRUE(fine.WaitForCount(kDeals)) << fine.requests().size();
  EXPECT_EQ(stuck.requests().size(), 1u);
  stuck.Release();
}

TEST_F(NotifyTest, BadRulesAreRefusedAtStartNamingTheField) {
  const std::string url = "http://127.0.0.1:9/x";
  const std::pair<std::string, std::string> cases[] = {
      {Rule("a", "deal_signed { min_amount: 1 }", "ftp://host/x", "SLACK"),
       "notify_rules[0].target.url: must start with http:// or https://"},
      {Rule("a", "deal_signed { min_amount: -1 }", url, "SLACK"),
       "notify_rules[0].deal_signed.min_amount: must be >= 0"},
      {Rule("a", "top_n { unit_id: \"u\" metric: \"sales_amount\" period_kind: MONTH n: 0 }", url,
            "SLACK"),
       "notify_rules[0].top_n.n: must be 1..1000, not 0"},
      {Rule("a", "top_n { unit_id: \"u\" metric: \"sales_volume\" period_kind: MONTH n: 3 }", url,
            "SLACK"),
       "notify_rules[0].top_n.metric: \"sales_volume\" is not a metric"},
      {Rule("a", "overdue_digest { local_time: \"25:00\" }", url, "SLACK"),
       "notify_rules[0].overdue_digest.local_time: \"25:00\" is not a time of day"},
      {Rule("a", "deal_signed { }", url, "SLACK", "SECx"),
       "notify_rules[0].target.secret: only a DINGTALK robot"},
      {Rule("a", "deal_signed { }", url, "FORMAT_UNSPECIFIED"),
       "notify_rules[0].target.format: must be GENERIC_JSON"},
      {Rule("a", "deal_signed { }", url, "SLACK") + Rule("a", "deal_signed { }", url, "SLACK"),
       "notify_rules[1].name: \"a\" names another rule too"},
      {"notify_delivery { max_attempts: 101 }", "notify_delivery.max_attempts: must be 1..100"},
  };
  for (const auto& [config, error] : cases) {
    SCOPED_TRACE(config);
    std::ofstream(dir_.Sub("bad.conf")) << config;
    std::string err;
    EXPECT_NE(testing::RunDaemonToExit(
                  {"--config=" + dir_.Sub("bad.conf"), "--data_dir=" + dir_.Sub("never")}, &err),
              0);
    EXPECT_THAT(err, HasSubstr(error));
  }
}

}  // namespace
}  // namespace salestrack
