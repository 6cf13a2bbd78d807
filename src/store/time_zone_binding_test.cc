#include "store/time_zone_binding.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack::store {
namespace {

using ::testing::HasSubstr;

struct Case {
  const char* name;
  std::optional<std::string> stored;
  uint64_t head;
  TimeZoneRequest request;
  // Expected: the zone served, whether it is stored, the previous zone, re-projected; or an error.
  const char* zone;
  bool store;
  const char* previous;
  bool reprojected;
};

TEST(TimeZoneBindingTest, TheRuleTable) {
  const Case cases[] = {
      {"new directory, no zone", std::nullopt, 0, {"", false}, "UTC", true, "", false},
      {"new directory, a zone",
       std::nullopt,
       0,
       {"Asia/Shanghai", false},
       "Asia/Shanghai",
       true,
       "",
       false},
      {"older directory without the key",
       std::nullopt,
       9,
       {"Asia/Shanghai", false},
       "Asia/Shanghai",
       true,
       "",
       false},
      {"stored, none asked", "Asia/Shanghai", 9, {"", false}, "Asia/Shanghai", false, "", false},
      {"stored, the same asked",
       "Asia/Shanghai",
       9,
       {"Asia/Shanghai", true},
       "Asia/Shanghai",
       false,
       "",
       false},
      {"empty log, another zone",
       "UTC",
       0,
       {"Asia/Shanghai", false},
       "Asia/Shanghai",
       true,
       "UTC",
       false},
      {"re-projection", "Asia/Shanghai", 9, {"UTC", true}, "UTC", true, "Asia/Shanghai", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<TimeZoneChoice> got = ChooseTimeZone(c.stored, c.head, c.request, "/data");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->name, c.zone);
    EXPECT_EQ(got->zone.name(), c.zone);
    EXPECT_EQ(got->store, c.store);
    EXPECT_EQ(got->previous, c.previous);
    EXPECT_EQ(got->reprojected, c.reprojected);
  }
}

TEST(TimeZoneBindingTest, AnotherZoneOnALogIsRefusedNamingBoth) {
  absl::StatusOr<TimeZoneChoice> got =
      ChooseTimeZone("Asia/Shanghai", 1, {"America/New_York", false}, "/var/lib/salestrack");
  ASSERT_TRUE(absl::IsFailedPrecondition(got.status())) << got.status();
  EXPECT_THAT(got.status().message(),
              HasSubstr("data directory /var/lib/salestrack holds figures computed in time zone "
                        "\"Asia/Shanghai\", but this start asks for \"America/New_York\""));
  EXPECT_THAT(got.status().message(), HasSubstr("--reproject_time_zone"));
}

TEST(TimeZoneBindingTest, AStoredZoneThisMachineDoesNotKnowIsNamed) {
  absl::StatusOr<TimeZoneChoice> got = ChooseTimeZone("Mars/Olympus", 1, {"", false}, "/data");
  ASSERT_TRUE(absl::IsFailedPrecondition(got.status()));
  EXPECT_THAT(got.status().message(), HasSubstr("\"Mars/Olympus\""));
}

}  // namespace
}  // namespace salestrack::store
