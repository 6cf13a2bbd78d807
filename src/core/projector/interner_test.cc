#include "core/projector/interner.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/projector/test_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack {
namespace {

using ::testing::ElementsAre;

using projection::Interner;

TEST(InternerTest, NumbersDenselyInOrderOfFirstSight) {
  Interner<uint32_t> ids;
  EXPECT_EQ(ids.Intern("b"), 0u);
  EXPECT_EQ(ids.Intern("a"), 1u);
  EXPECT_EQ(ids.Intern("b"), 0u);
  EXPECT_EQ(ids.Intern(""), 2u);
  EXPECT_EQ(ids.Find("a"), 1u);
  EXPECT_EQ(ids.Find("c"), std::nullopt);
  EXPECT_EQ(ids.Name(0), "b");
  EXPECT_EQ(ids.Name(2), "");
  EXPECT_EQ(ids.size(), 3u);
}

// Many names fill many blocks; long names get blocks of their own; every name keeps its number.
TEST(InternerTest, NamesSurviveAcrossBlocks) {
  Interner<uint32_t> ids;
  std::vector<std::string> names;
  for (int i = 0; i < 20000; ++i) {
    names.push_back(i % 1000 == 0 ? std::string(70000 + i, 'x') : absl::StrCat("name-", i));
  }
  for (size_t i = 0; i < names.size(); ++i) ASSERT_EQ(ids.Intern(names[i]), i);
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_EQ(ids.Name(static_cast<uint32_t>(i)), names[i]);
    ASSERT_EQ(ids.Find(names[i]), i);
  }
  EXPECT_GT(ids.Bytes(), 20u * 70000);
}

// Through the whole projector.
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

// A snapshot's load appends names in id order and indexes them once: they are found by name and
// id as interned ones, a later Intern continues after them, and a repeated name is refused.
TEST(InternerTest, AppendedNamesIndexedOnce) {
  Interner<uint32_t> names;
  EXPECT_EQ(names.Intern("first"), 0u);
  std::vector<std::string> appended;
  for (int i = 0; i < 5000; ++i) {
    appended.push_back(i % 997 == 3 ? std::string(30000 + i, 'x') : absl::StrCat("name-", i));
    names.Append(appended.back());
  }
  ASSERT_TRUE(names.Index());
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(names.Find(appended[i]), std::optional<uint32_t>(i + 1));
    EXPECT_EQ(names.Name(i + 1), appended[i]);
  }
  EXPECT_EQ(names.Intern("first"), 0u);
  EXPECT_EQ(names.Intern("new"), 5001u);

  Interner<uint32_t> twice;
  twice.Append("a");
  twice.Append("b");
  twice.Append("a");
  EXPECT_FALSE(twice.Index());
}

}  // namespace
}  // namespace salestrack
