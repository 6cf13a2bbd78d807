// The views' checkpoint in a real RocksDB directory: chunks and manifest round-trip across a
// reopen; a new checkpoint replaces the old whole; a checkpoint abandoned before its manifest
// (a crash) leaves the previous one readable and is swept by the next; a missing chunk or a short
// one is DATA_LOSS, never a silent short read.
#include "store/views_checkpoint.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "test_base.h"

namespace salestrack::store {
namespace {

using ::salestrack::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<LogStore> OpenStore(const TempDir& dir) {
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(dir.Sub("data"), {});
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

ViewsManifest Write(const LogStore* store, const std::vector<std::string>& chunks, uint64_t seq) {
  absl::StatusOr<std::optional<ViewsManifest>> current = ReadViewsManifest(*store);
  EXPECT_TRUE(current.ok()) << current.status();
  CheckpointWriter writer(store, *current);
  for (const std::string& c : chunks) EXPECT_TRUE(writer.Add(c).ok());
  EXPECT_TRUE(writer.Finish(7, seq, "Asia/Shanghai").ok());
  return writer.manifest();
}

absl::StatusOr<std::vector<std::string>> ReadAllChunks(const LogStore* store) {
  absl::StatusOr<std::optional<ViewsManifest>> m = ReadViewsManifest(*store);
  if (!m.ok()) return m.status();
  if (!*m) return absl::NotFoundError("no manifest");
  CheckpointReader reader(store, **m);
  std::vector<std::string> chunks;
  for (;;) {
    std::string chunk;
    absl::StatusOr<bool> more = reader.Next(&chunk);
    if (!more.ok()) return more.status();
    if (!*more) return chunks;
    chunks.push_back(std::move(chunk));
  }
}

// Every key of the views family.
std::vector<std::string> Keys(const LogStore* store) {
  std::vector<std::string> keys;
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator(rocksdb::ReadOptions(), store->views_family()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
  return keys;
}

TEST(ViewsManifestTest, EncodesAndRefusesMalformedBytes) {
  const ViewsManifest m{.state_format = 3,
                        .seq = 1ull << 40,
                        .generation = 9,
                        .chunks = 2,
                        .bytes = 123456,
                        .zone = "Asia/Shanghai"};
  const std::string bytes = EncodeViewsManifest(m);
  EXPECT_EQ(DecodeViewsManifest(bytes), m);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(DecodeViewsManifest(bytes.substr(0, n)), std::nullopt) << n;
  }
  EXPECT_EQ(DecodeViewsManifest(bytes + "x"), std::nullopt);
}

TEST(ViewsCheckpointTest, RoundTripsAcrossAReopen) {
  TempDir dir;
  {
    std::unique_ptr<LogStore> store = OpenStore(dir);
    ASSERT_NE(store, nullptr);
    absl::StatusOr<std::optional<ViewsManifest>> none = ReadViewsManifest(*store);
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, std::nullopt);
    // One chunk past the writer's batch size, so the chunks go out in more than one batch.
    const std::string big(CheckpointWriter::kBatchBytes + 10, 'b');
    ViewsManifest m = Write(store.get(), {"first", big, "", "last"}, 42);
    EXPECT_EQ(m.generation, 1u);
    EXPECT_EQ(m.chunks, 4u);
    EXPECT_EQ(m.bytes, 5 + big.size() + 4);
  }
  std::unique_ptr<LogStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::optional<ViewsManifest>> m = ReadViewsManifest(*store);
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->seq, 42u);
  EXPECT_EQ((*m)->state_format, 7u);
  EXPECT_EQ((*m)->zone, "Asia/Shanghai");
  absl::StatusOr<std::vector<std::string>> chunks = ReadAllChunks(store.get());
  ASSERT_TRUE(chunks.ok()) << chunks.status();
  ASSERT_EQ(chunks->size(), 4u);
  EXPECT_EQ((*chunks)[0], "first");
  EXPECT_EQ((*chunks)[1].size(), CheckpointWriter::kBatchBytes + 10);
  EXPECT_EQ((*chunks)[2], "");
  EXPECT_EQ((*chunks)[3], "last");
}

TEST(ViewsCheckpointTest, ANewCheckpointReplacesTheOldAndSweepsAnAbandonedOne) {
  TempDir dir;
  std::unique_ptr<LogStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  Write(store.get(), {"a1", "a2", "a3"}, 10);
  Write(store.get(), {"b1"}, 20);
  // Only generation 2's chunk and the manifest are left.
  EXPECT_THAT(Keys(store.get()), ElementsAre(ViewsChunkKey(2, 0), std::string(kViewsManifestKey)));

  // A checkpoint that dies before its manifest: its chunks are written, nothing names them.
  {
    absl::StatusOr<std::optional<ViewsManifest>> current = ReadViewsManifest(*store);
    ASSERT_TRUE(current.ok());
    CheckpointWriter abandoned(store.get(), *current);
    ASSERT_TRUE(abandoned.Add(std::string(CheckpointWriter::kBatchBytes, 'x')).ok());
    ASSERT_TRUE(abandoned.Add("tail").ok());
  }
  absl::StatusOr<std::vector<std::string>> chunks = ReadAllChunks(store.get());
  ASSERT_TRUE(chunks.ok()) << chunks.status();
  EXPECT_THAT(*chunks, ElementsAre("b1"));

  // The next checkpoint takes the abandoned one's generation and leaves nothing of it.
  ViewsManifest m = Write(store.get(), {"c1", "c2"}, 30);
  EXPECT_EQ(m.generation, 3u);
  chunks = ReadAllChunks(store.get());
  ASSERT_TRUE(chunks.ok()) << chunks.status();
  EXPECT_THAT(*chunks, ElementsAre("c1", "c2"));
  EXPECT_THAT(Keys(store.get()), ElementsAre(ViewsChunkKey(3, 0), ViewsChunkKey(3, 1),
                                             std::string(kViewsManifestKey)));

  ASSERT_TRUE(DropViewsCheckpoint(store.get()).ok());
  EXPECT_THAT(Keys(store.get()), ElementsAre());
  absl::StatusOr<std::optional<ViewsManifest>> none = ReadViewsManifest(*store);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, std::nullopt);
}

TEST(ViewsCheckpointTest, AMissingOrAlteredChunkIsDataLoss) {
  TempDir dir;
  std::unique_ptr<LogStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  Write(store.get(), {"one", "two", "three"}, 5);
  rocksdb::WriteOptions w;
  const std::string middle = ViewsChunkKey(1, 1);
  ASSERT_TRUE(store->db()->Delete(w, store->views_family(), middle).ok());
  absl::StatusOr<std::vector<std::string>> chunks = ReadAllChunks(store.get());
  EXPECT_EQ(chunks.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(chunks.status().message(), HasSubstr("lacks chunk 1 of 3"));

  ASSERT_TRUE(store->db()->Put(w, store->views_family(), middle, "tw").ok());
  chunks = ReadAllChunks(store.get());
  EXPECT_EQ(chunks.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(chunks.status().message(), HasSubstr("its manifest says 11"));

  ASSERT_TRUE(store->db()->Put(w, store->views_family(), kViewsManifestKey, "\xff").ok());
  EXPECT_EQ(ReadViewsManifest(*store).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace salestrack::store
