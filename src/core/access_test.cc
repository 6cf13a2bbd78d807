#include "salestrack/access.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack {
namespace {

using ::testing::HasSubstr;

// company > east > east-1; company > west. rep-a in east-1, rep-b in west.
OrgState Org() {
  OrgState org;
  uint64_t seq = 0;
  auto unit = [&](const std::string& id, const std::string& parent) {
    v1::Event e;
    e.mutable_unit_defined()->set_unit_id(id);
    e.mutable_unit_defined()->set_name(id);
    e.mutable_unit_defined()->set_parent_unit_id(parent);
    org.Add({0, ++seq}, e);
  };
  auto rep = [&](const std::string& id, const std::string& unit) {
    v1::Event e;
    e.mutable_rep_defined()->set_rep_id(id);
    e.mutable_rep_defined()->set_name(id);
    e.mutable_rep_defined()->set_unit_id(unit);
    org.Add({0, ++seq}, e);
  };
  unit("company", "");
  unit("east", "company");
  unit("east-1", "east");
  unit("west", "company");
  rep("rep-a", "east-1");
  rep("rep-b", "west");
  return org;
}

Principal Rep(const std::string& id) { return {"k", Role::kRep, id, ""}; }
Principal Manager(const std::string& unit) { return {"k", Role::kManager, "", unit}; }
Principal Of(Role role) { return {"k", role, "", ""}; }

TEST(AccessTest, RolesAndPermissions) {
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Permission::kAdmin));
  EXPECT_FALSE(RoleAllows(Role::kConnector, Permission::kReadKpis));
  EXPECT_TRUE(RoleAllows(Role::kConnector, Permission::kReadLog));
  EXPECT_FALSE(RoleAllows(Role::kRep, Permission::kReadLog));
  EXPECT_TRUE(RoleAllows(Role::kRep, Permission::kReadBoards));
  EXPECT_FALSE(RoleAllows(Role::kManager, Permission::kAdmin));
  EXPECT_TRUE(RoleAllows(Role::kScreen, Permission::kReadBoards));
  EXPECT_FALSE(RoleAllows(Role::kScreen, Permission::kAppend));
  EXPECT_FALSE(RoleAllows(Role::kScreen, Permission::kReadKpis));
}

TEST(AccessTest, BoardsOfOwnUnitsForRepsSubtreeForManagersAnyForScreens) {
  OrgState org = Org();
  EXPECT_TRUE(CheckBoardScope(Rep("rep-a"), "east-1", org).ok());
  EXPECT_TRUE(CheckBoardScope(Rep("rep-a"), "east", org).ok());  // A unit above its own.
  EXPECT_TRUE(CheckBoardScope(Rep("rep-a"), "", org).ok());      // The company board.
  EXPECT_FALSE(CheckBoardScope(Rep("rep-a"), "west", org).ok());
  EXPECT_FALSE(CheckBoardScope(Rep("rep-unknown"), "east", org).ok());
  EXPECT_TRUE(CheckBoardScope(Manager("east"), "east-1", org).ok());
  EXPECT_FALSE(CheckBoardScope(Manager("east"), "company", org).ok());
  EXPECT_FALSE(CheckBoardScope(Manager("east"), "", org).ok());
  EXPECT_TRUE(CheckBoardScope(Of(Role::kScreen), "west", org).ok());
  absl::Status s = CheckBoardScope(Manager("east"), "west", org);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "key \"k\" (manager of east) may not read the board of unit \"west\"");
}

TEST(AccessTest, SubjectsBySubtreeAndCurrentMembership) {
  OrgState org = Org();
  EXPECT_TRUE(CheckSubjectScope(Manager("east"), "rep-a", "", org).ok());
  EXPECT_TRUE(CheckSubjectScope(Manager("east"), "", "east-1", org).ok());
  EXPECT_FALSE(CheckSubjectScope(Manager("east"), "rep-b", "", org).ok());
  EXPECT_FALSE(CheckSubjectScope(Manager("east"), "rep-unknown", "", org).ok());
  EXPECT_TRUE(CheckSubjectScope(Rep("rep-a"), "rep-a", "", org).ok());
  EXPECT_FALSE(CheckSubjectScope(Rep("rep-a"), "", "east-1", org).ok());
  EXPECT_FALSE(CheckSubjectScope(Of(Role::kScreen), "rep-a", "", org).ok());
}

TEST(AccessTest, PrincipalOfKeyChecksRoleAndBinding) {
  v1::ApiKey key;
  key.set_name("m");
  key.set_role("manager");
  EXPECT_THAT(PrincipalOfKey(key).status().message(), HasSubstr("unit_id: required"));
  key.set_unit_id("east");
  ASSERT_TRUE(PrincipalOfKey(key).ok());
  EXPECT_EQ(PrincipalOfKey(key)->role, Role::kManager);
  key.set_rep_id("rep-a");
  EXPECT_THAT(PrincipalOfKey(key).status().message(), HasSubstr("rep_id: only for role rep"));
  key.set_role("root");
  EXPECT_THAT(PrincipalOfKey(key).status().message(), HasSubstr("role: \"root\""));
}

}  // namespace
}  // namespace salestrack
