#include "core/projector/state_coding.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace salestrack::projection {
namespace {

// Writes `n` entries of `size` bytes each into section kChains, in chunks of `chunk_bytes`.
std::vector<std::string> Write(int n, size_t size, size_t chunk_bytes) {
  std::vector<std::string> chunks;
  auto sink = [&](std::string_view c) {
    chunks.emplace_back(c);
    return absl::OkStatus();
  };
  StateWriter w(sink, chunk_bytes);
  w.Begin(kChains);
  for (int i = 0; i < n; ++i) {
    w.Entry();
    w.Str(std::string(size - 1, static_cast<char>('a' + i % 26)));
    w.EndEntry();
  }
  w.End();
  w.Begin(kEnd);
  w.End();
  EXPECT_TRUE(w.Finish().ok());
  return chunks;
}

TEST(StateCodingTest, ChunksHoldWholeEntriesAndStayNearTheirSize) {
  const std::vector<std::string> chunks = Write(100, 30, 200);
  ASSERT_GT(chunks.size(), 10u);
  int entries = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    // A chunk closes once it reaches the size: at most one entry (30 bytes) past it.
    EXPECT_LT(chunks[i].size(), 200u + 30u);
    StateReader r(chunks[i]);
    EXPECT_EQ(r.Fixed32(), i);
    while (!r.done()) {
      const uint8_t section = r.Byte();
      const uint32_t count = r.Entries(1);
      ASSERT_TRUE(r.ok());
      if (section == kEnd) {
        EXPECT_EQ(count, 0u);
        EXPECT_EQ(i + 1, chunks.size());
        continue;
      }
      EXPECT_EQ(section, kChains);
      for (uint32_t k = 0; k < count; ++k, ++entries) {
        EXPECT_EQ(r.Str(), std::string(29, static_cast<char>('a' + entries % 26)));
      }
      ASSERT_TRUE(r.ok());
    }
  }
  EXPECT_EQ(entries, 100);
}

TEST(StateCodingTest, AnEmptySectionStillHasARecord) {
  const std::vector<std::string> chunks = Write(0, 1, 200);
  ASSERT_EQ(chunks.size(), 1u);
  StateReader r(chunks[0]);
  EXPECT_EQ(r.Fixed32(), 0u);
  EXPECT_EQ(r.Byte(), kChains);
  EXPECT_EQ(r.Entries(1), 0u);
  EXPECT_EQ(r.Byte(), kEnd);
  EXPECT_EQ(r.Entries(1), 0u);
  EXPECT_TRUE(r.ok() && r.done());
}

TEST(StateCodingTest, ReaderFailsOnTruncationAndStaysFailed) {
  std::string bytes;
  PutVarint(bytes, 300);
  EXPECT_EQ(StateReader(std::string_view(bytes).substr(0, 1)).U(), 0u);
  {
    StateReader r(std::string_view(bytes).substr(0, 1));
    r.U();
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(r.done());
    EXPECT_EQ(r.Byte(), 0);
  }
  {
    std::string s;
    PutVarint(s, 5);
    s += "abc";  // A string of 5 bytes with 3 left.
    StateReader r(s);
    EXPECT_EQ(r.Str(), "");
    EXPECT_FALSE(r.ok());
  }
  {
    std::string s;
    PutVarint(s, 4);
    s += "abcdefg";  // 4 items of 2 bytes need 8 bytes; 7 are left.
    StateReader r(s);
    EXPECT_EQ(r.Count(2), 0u);
    EXPECT_FALSE(r.ok());
    StateReader fits(s);
    EXPECT_EQ(fits.Count(1), 4u);
    EXPECT_TRUE(fits.ok());
  }
  {
    std::string s(11, '\xff');  // No varint ends within 10 bytes.
    StateReader r(s);
    r.U();
    EXPECT_FALSE(r.ok());
  }
  {
    std::string s;
    PutVarint(s, 1000);
    StateReader r(s);
    EXPECT_EQ(r.UpTo(999), 0u);
    EXPECT_FALSE(r.ok());
  }
}

}  // namespace
}  // namespace salestrack::projection
