#include "core/scoring_test_log.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace salestrack::testing {

absl::Time Utc(int y, int m, int d, int hh) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), absl::UTCTimeZone());
}

v1::SchemeDefined SeedScheme() {
  v1::Event e;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kSeedScheme, &e));
  return e.scheme_defined();
}

void AddOrg(Log& log) {
  const absl::Time t = Utc(2026, 9, 1);
  log.Add(t, R"txt(unit_defined { unit_id: "east" name: "East region" })txt");
  for (const char* team : {"sh", "hz", "nj"}) {
    log.Add(t, absl::StrCat("unit_defined { unit_id: \"", team, "\" name: \"", team,
                            "\" parent_unit_id: \"east\" }"));
  }
  for (auto [rep, team] : {std::pair{"ann", "sh"},
                           {"bob", "sh"},
                           {"cat", "sh"},
                           {"dan", "hz"},
                           {"eve", "hz"},
                           {"fay", "nj"},
                           {"gus", "nj"}}) {
    log.Add(t, absl::StrCat("rep_defined { rep_id: \"", rep, "\" name: \"", rep, "\" unit_id: \"",
                            team, "\" role: \"hunter\" active: true }"));
  }
}

void AddAnnsNovember(Log& log, bool with_collection_target) {
  log.Add(Utc(2026, 10, 1), kSeedScheme);
  log.Contract("ann", "k0", "c1", 100'000, 60'000, Utc(2026, 10, 10));
  log.Contract("ann", "k1", "c1", 600'000, 400'000, Utc(2026, 11, 3));
  log.Contract("ann", "k2", "c2", 550'000, 336'000, Utc(2026, 11, 12));
  log.Payment("ann", "k1", 500'000, Utc(2026, 11, 20));
  log.Payment("ann", "k2", 282'000, Utc(2026, 11, 25));
  log.Target(Utc(2026, 10, 20), "subject_rep_id: \"ann\"", kNov, "sales_amount", 1'000'000);
  log.Target(Utc(2026, 10, 20), "subject_rep_id: \"ann\"", kNov, "gross_margin", 4000);
  log.Target(Utc(2026, 10, 20), "subject_rep_id: \"ann\"", kNov, "repeat_purchase_rate", 7000);
  if (with_collection_target) {
    log.Target(Utc(2026, 10, 20), "subject_rep_id: \"ann\"", kNov, "collection_rate", 8000);
  }
}

}  // namespace salestrack::testing
