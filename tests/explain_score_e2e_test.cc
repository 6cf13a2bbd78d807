// KpiService.ExplainScore and `salestrack explain` through a real salestrackd, on the seeds'
// worked example (tests/scoring_fixture.h): Ann's November sales_amount is k1 + k2 = 1,150,000 of
// her own 1,000,000 target (TargetSet t1).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring_fixture.h"

namespace salestrack {
namespace {

using ::testing::HasSubstr;

class ExplainScoreE2eTest : public testing::ScoringDaemonTest {
 protected:
  void SetUp() override {
    ScoringDaemonTest::SetUp();
    ASSERT_EQ(Append(testing::kScoringEvents).code, 0);
  }
  v1::ExplainScoreResponse Explain(const std::string& flags) {
    testing::CliResult r = Cli("explain --json " + flags);
    EXPECT_EQ(r.code, 0) << r.err;
    v1::ExplainScoreResponse e;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &e).ok()) << r.out;
    return e;
  }
};

TEST_F(ExplainScoreE2eTest, ARepsSalesComponentWithItsTargetRuleAndContracts) {
  v1::ExplainScoreResponse e = Explain("--rep ann --date 2026-11-01 --metric sales_amount");
  EXPECT_EQ(e.scheme_id(), "seed");
  EXPECT_THAT(e.formula(), HasSubstr("Σ amount of the contracts signed in the period"));
  EXPECT_EQ(e.target_event_id(), "t1");
  EXPECT_GT(e.target_seq(), 0u);
  EXPECT_EQ(e.row().target(), 1'000'000);
  EXPECT_EQ(e.row().score_centi(), 10000);
  EXPECT_THAT(e.rule(), HasSubstr("THRESHOLD floor 80%"));
  EXPECT_THAT(e.rule(), HasSubstr("a < 80% scores 0"));
  ASSERT_TRUE(e.events_listed());
  EXPECT_EQ(e.event_count(), 2u);  // k0 is October's.
  ASSERT_EQ(e.events_size(), 2);
  EXPECT_EQ(e.events(0).event_id(), "k1");
  EXPECT_EQ(e.events(0).entity_id(), "k1");
  EXPECT_EQ(e.events(0).amount(), 600'000);
  EXPECT_EQ(e.events(1).event_id(), "k2");
  EXPECT_EQ(e.events(1).amount(), 550'000);
  EXPECT_EQ(e.events(0).amount() + e.events(1).amount(), static_cast<int64_t>(e.row().actual()));
  EXPECT_EQ(e.member_count(), 0u);

  testing::CliResult text = Cli("explain --rep ann --date 2026-11-01 --metric sales_amount");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("TargetSet \"t1\""));
  EXPECT_THAT(text.out, HasSubstr("events (2 of 2, UTC)"));
  EXPECT_THAT(text.out, HasSubstr("600,000"));
}

TEST_F(ExplainScoreE2eTest, AUnitListsItsMembersAndIsBounded) {
  v1::ExplainScoreResponse e =
      Explain("--unit sh --date 2026-11-01 --metric sales_amount --limit 1");
  EXPECT_EQ(e.member_count(), 2u);
  ASSERT_EQ(e.members_size(), 1);  // The limit bounds members and events alike.
  EXPECT_EQ(e.members(0).rep_id(), "ann");
  EXPECT_EQ(e.members(0).actual(), 1'150'000);
  EXPECT_EQ(e.event_count(), 3u);  // Ann's k1, k2 and Bob's kb.
  ASSERT_EQ(e.events_size(), 1);
  EXPECT_EQ(e.events(0).event_id(), "k1");
  // A ratio is explained per member but not itemised.
  e = Explain("--unit sh --date 2026-11-01 --metric gross_margin");
  EXPECT_FALSE(e.events_listed());
  EXPECT_EQ(e.members_size(), 2);
  EXPECT_THAT(e.formula(), HasSubstr("gross_profit"));
}

TEST_F(ExplainScoreE2eTest, BadInputNamesTheField) {
  testing::CliResult r = Cli("explain --rep ann --date 2026-11-01 --metric win_rate");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("metric: \"win_rate\" is not a component of scheme \"seed\""));
  r = Cli("explain --rep ann --date 2026-11-01");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--metric"));
  r = Cli("explain --rep dan --date 2026-11-01 --metric sales_amount");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("no scheme for role"));
}

}  // namespace
}  // namespace salestrack
