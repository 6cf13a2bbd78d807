#include "salestrack/varint.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace salestrack {
namespace {

TEST(VarintTest, RoundTripsAtTheEdges) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{16383},
                     uint64_t{16384}, uint64_t{1} << 63, UINT64_MAX}) {
    std::string bytes;
    PutVarint(bytes, v);
    uint64_t back = 0;
    EXPECT_EQ(GetVarintUnchecked(bytes.data(), &back), bytes.data() + bytes.size());
    EXPECT_EQ(back, v);
    EXPECT_EQ(ParseVarint(bytes, &back), bytes.size());
    EXPECT_EQ(back, v);
  }
  std::string max;
  PutVarint(max, UINT64_MAX);
  EXPECT_EQ(max.size(), kMaxVarintBytes);
}

// Protobuf's coding: the same bytes for the same number.
TEST(VarintTest, IsProtobufsCoding) {
  std::string bytes;
  PutVarint(bytes, 300);
  EXPECT_EQ(bytes, std::string("\xac\x02", 2));
}

// Stored bytes may be cut short or run past 10 bytes: no varint is read from them.
TEST(VarintTest, ParseRefusesTruncatedAndOverlongInput) {
  uint64_t v = 0;
  EXPECT_EQ(ParseVarint("", &v), 0u);
  EXPECT_EQ(ParseVarint(std::string("\x80\x80", 2), &v), 0u);
  EXPECT_EQ(ParseVarint(std::string(11, '\x80'), &v), 0u);
  EXPECT_EQ(ParseVarint(std::string("\x05\x80", 2), &v), 1u);
  EXPECT_EQ(v, 5u);
}

TEST(VarintTest, ZigZagKeepsSmallMagnitudesSmall) {
  EXPECT_EQ(ZigZag(0), 0u);
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
  EXPECT_EQ(ZigZag(INT64_MIN), UINT64_MAX);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-64}, INT64_MAX, INT64_MIN}) {
    EXPECT_EQ(UnZigZag(ZigZag(v)), v);
  }
}

}  // namespace
}  // namespace salestrack
