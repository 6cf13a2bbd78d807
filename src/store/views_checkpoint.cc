#include "store/views_checkpoint.h"

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "salestrack/status_macros.h"

namespace salestrack::store {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

absl::Status NoFamily() {
  return absl::FailedPreconditionError("the data directory has no views family (opened read-only)");
}

// Deletes every chunk key in [from, to) of the family.
void DeleteChunks(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* family,
                  const std::string& from, const std::string& to) {
  batch->DeleteRange(family, ToSlice(from), ToSlice(to));
}

}  // namespace

absl::StatusOr<std::optional<ViewsManifest>> ReadViewsManifest(const LogStore& store) {
  if (store.views_family() == nullptr) return std::optional<ViewsManifest>();
  std::string value;
  rocksdb::Status s = store.db()->Get(rocksdb::ReadOptions(), store.views_family(),
                                      ToSlice(kViewsManifestKey), &value);
  if (s.IsNotFound()) return std::optional<ViewsManifest>();
  if (!s.ok()) return FromRocksStatus(s, "reading the views' manifest");
  std::optional<ViewsManifest> m = DecodeViewsManifest(value);
  if (!m) return absl::DataLossError("the views' manifest is malformed");
  return m;
}

CheckpointWriter::CheckpointWriter(const LogStore* store,
                                   const std::optional<ViewsManifest>& current)
    : store_(store) {
  manifest_.generation = current ? current->generation + 1 : 1;
  // Left over from a checkpoint that failed before its manifest: not named by anything.
  if (store_->views_family() != nullptr) {
    DeleteChunks(&batch_, store_->views_family(), ViewsGenerationPrefix(manifest_.generation),
                 ViewsGenerationPrefix(manifest_.generation + 1));
  }
}

absl::Status CheckpointWriter::Add(std::string_view chunk) {
  if (store_->views_family() == nullptr) return NoFamily();
  batch_.Put(store_->views_family(), ToSlice(ViewsChunkKey(manifest_.generation, manifest_.chunks)),
             ToSlice(chunk));
  ++manifest_.chunks;
  manifest_.bytes += chunk.size();
  if (batch_.GetDataSize() >= kBatchBytes) return WriteBatch();
  return absl::OkStatus();
}

absl::Status CheckpointWriter::WriteBatch() {
  absl::Status s = store_->WriteViews(&batch_, /*sync=*/false);
  batch_.Clear();
  return s;
}

absl::Status CheckpointWriter::Finish(uint64_t state_format, uint64_t seq, std::string_view zone) {
  if (store_->views_family() == nullptr) return NoFamily();
  manifest_.state_format = state_format;
  manifest_.seq = seq;
  manifest_.zone = std::string(zone);
  // The chunks first, then the manifest in a synced write: the WAL is written in order, so the
  // manifest is never durable without the chunks it names.
  if (batch_.Count() > 0) RETURN_IF_ERROR(WriteBatch());
  batch_.Put(store_->views_family(), ToSlice(kViewsManifestKey),
             ToSlice(EncodeViewsManifest(manifest_)));
  RETURN_IF_ERROR(WriteBatch());
  rocksdb::ColumnFamilyHandle* family = store_->views_family();
  // Every other generation: the one replaced and any a failed checkpoint left.
  DeleteChunks(&batch_, family, ViewsGenerationPrefix(0),
               ViewsGenerationPrefix(manifest_.generation));
  DeleteChunks(&batch_, family, ViewsGenerationPrefix(manifest_.generation + 1), "d");
  return WriteBatch();
}

CheckpointReader::CheckpointReader(const LogStore* store, ViewsManifest manifest)
    : store_(store),
      manifest_(std::move(manifest)),
      prefix_(ViewsGenerationPrefix(manifest_.generation)) {}

absl::StatusOr<bool> CheckpointReader::Next(std::string* chunk) {
  if (store_->views_family() == nullptr) return NoFamily();
  if (index_ == manifest_.chunks) {
    if (bytes_ != manifest_.bytes) {
      return absl::DataLossError(absl::StrCat("the views' checkpoint holds ", bytes_,
                                              " bytes; its manifest says ", manifest_.bytes));
    }
    return false;
  }
  if (it_ == nullptr) {
    rocksdb::ReadOptions read;
    read.fill_cache = false;        // Read once, at start: leave the cache to the queries.
    read.readahead_size = 8 << 20;  // Chunks are megabytes; read them sequentially.
    it_.reset(store_->db()->NewIterator(read, store_->views_family()));
    it_->Seek(ToSlice(prefix_));
  } else {
    it_->Next();
  }
  const std::string want = ViewsChunkKey(manifest_.generation, index_);
  if (!it_->Valid() || it_->key() != ToSlice(want)) {
    RETURN_IF_ERROR(FromRocksStatus(it_->status(), "reading the views' checkpoint"));
    return absl::DataLossError(
        absl::StrCat("the views' checkpoint lacks chunk ", index_, " of ", manifest_.chunks));
  }
  chunk->assign(it_->value().data(), it_->value().size());
  bytes_ += chunk->size();
  ++index_;
  return true;
}

absl::Status DropViewsCheckpoint(const LogStore* store) {
  if (store->views_family() == nullptr) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  batch.Delete(store->views_family(), ToSlice(kViewsManifestKey));
  DeleteChunks(&batch, store->views_family(), ViewsGenerationPrefix(0), "d");
  return store->WriteViews(&batch, /*sync=*/true);
}

}  // namespace salestrack::store
