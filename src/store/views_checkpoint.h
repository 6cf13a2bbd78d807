// The views' checkpoint in the "views" column family (keys.h): the projector's state, as chunks of
// bytes, and a manifest naming the seq it reflects, the state format and the org time zone.
//
// A checkpoint is replaced whole: CheckpointWriter writes a new generation's chunks, then the
// manifest that names it (synced, so the chunks before it in the WAL are durable too), then deletes
// the generation it replaced. A crash at any point leaves the old manifest and its complete
// generation, or the new ones: never a manifest naming missing chunks. What the bytes mean is the
// projector's business (Projector::SaveState); this layer only keeps them.
#ifndef SALESTRACK_STORE_VIEWS_CHECKPOINT_H_
#define SALESTRACK_STORE_VIEWS_CHECKPOINT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/iterator.h"
#include "rocksdb/write_batch.h"
#include "store/keys.h"
#include "store/log_store.h"

namespace salestrack::store {

// The manifest of the checkpoint, nullopt when there is none (a new directory, or one written
// before the family existed). DATA_LOSS when it is malformed.
absl::StatusOr<std::optional<ViewsManifest>> ReadViewsManifest(const LogStore& store);

// Writes a new checkpoint. Not thread-safe; one writer at a time per store (the views serialise
// their checkpoints).
class CheckpointWriter {
 public:
  // The new generation follows `current`'s (the manifest now, if any).
  CheckpointWriter(const LogStore* store, const std::optional<ViewsManifest>& current);

  // Adds the next chunk. Chunks are written in batches of about kBatchBytes, not synced.
  absl::Status Add(std::string_view chunk);
  // Writes what is left and the manifest naming the new generation (synced), then deletes the
  // previous generation. After an error nothing names the new chunks; the next writer's
  // generation deletes them.
  absl::Status Finish(uint64_t state_format, uint64_t seq, std::string_view zone);

  const ViewsManifest& manifest() const { return manifest_; }
  static constexpr size_t kBatchBytes = 16 << 20;

 private:
  absl::Status WriteBatch();

  const LogStore* const store_;
  ViewsManifest manifest_;
  rocksdb::WriteBatch batch_;
};

// Reads a checkpoint's chunks in order. Next() fails with DATA_LOSS when a chunk is missing, or
// when the chunks do not add up to what the manifest says.
class CheckpointReader {
 public:
  CheckpointReader(const LogStore* store, ViewsManifest manifest);

  // The next chunk into *chunk: true; false after the last one.
  absl::StatusOr<bool> Next(std::string* chunk);

 private:
  const LogStore* const store_;
  const ViewsManifest manifest_;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string prefix_;
  uint64_t index_ = 0;
  uint64_t bytes_ = 0;
};

// Removes the manifest (so the next start replays the log) and every chunk.
absl::Status DropViewsCheckpoint(const LogStore* store);

}  // namespace salestrack::store

#endif  // SALESTRACK_STORE_VIEWS_CHECKPOINT_H_
