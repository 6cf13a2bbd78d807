#include "store/backup.h"

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "rocksdb/utilities/checkpoint.h"
#include "salestrack/status_macros.h"

namespace salestrack::store {
namespace {

namespace fs = std::filesystem;

// Opens `dir` read-only and fills `info` with its log head and size.
absl::Status Inspect(const std::string& dir, BackupInfo* info) {
  StoreOptions options;
  options.read_only = true;
  options.block_cache_bytes = 1 << 20;
  ASSIGN_OR_RETURN(std::unique_ptr<LogStore> store, LogStore::Open(dir, options));
  info->head_seq = store->head_at_open();
  ASSIGN_OR_RETURN(std::optional<std::string> zone, store->ReadMeta(kTimeZoneKey));
  info->time_zone = zone.value_or("");
  info->files = 0;
  info->bytes = 0;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    ++info->files;
    info->bytes += e.file_size();
  }
  if (ec) return absl::UnavailableError(absl::StrCat("listing ", dir, ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BackupInfo> CreateBackup(const LogStore& store, const std::string& dir) {
  std::error_code ec;
  BackupInfo info;
  info.dir = fs::absolute(dir, ec).lexically_normal().string();
  if (ec || dir.empty())
    return absl::InvalidArgumentError(absl::StrCat("dir: bad path \"", dir, "\""));
  if (fs::exists(info.dir, ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat("dir: ", info.dir, " already exists; a backup goes to a new directory"));
  }
  fs::create_directories(fs::path(info.dir).parent_path(), ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("dir: cannot create the parent of ", info.dir, ": ", ec.message()));
  }
  rocksdb::Checkpoint* raw = nullptr;
  RETURN_IF_ERROR(FromRocksStatus(rocksdb::Checkpoint::Create(store.db(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: flush every family first, so the copy holds SSTs plus a short WAL.
  rocksdb::Status s = checkpoint->CreateCheckpoint(info.dir, /*log_size_for_flush=*/0);
  store.KeepAMemtableFilled();  // The checkpoint's flush emptied every memtable.
  if (!s.ok()) {
    fs::remove_all(info.dir, ec);  // RocksDB may leave a partial ".tmp" directory too.
    fs::remove_all(info.dir + ".tmp", ec);
    return FromRocksStatus(s, absl::StrCat("writing backup ", info.dir));
  }
  RETURN_IF_ERROR(Inspect(info.dir, &info));
  return info;
}

absl::StatusOr<BackupInfo> RestoreBackup(const std::string& backup_dir, const std::string& data_dir,
                                         const TimeZoneRequest& zone) {
  std::error_code ec;
  BackupInfo info;
  info.dir = fs::absolute(backup_dir, ec).lexically_normal().string();
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad backup path \"", backup_dir, "\""));
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot restore into ", data_dir, ": it is not empty (restore goes to a new directory)"));
  }
  absl::Status inspected = Inspect(info.dir, &info);
  if (!inspected.ok()) {
    return absl::Status(
        inspected.code(),
        absl::StrCat("backup ", info.dir, " cannot be restored: ", inspected.message()));
  }
  std::optional<std::string> stored;
  if (!info.time_zone.empty()) stored = info.time_zone;
  RETURN_IF_ERROR(ChooseTimeZone(stored, info.head_seq, zone, info.dir).status());
  fs::create_directories(data_dir, ec);
  if (!ec) fs::copy(info.dir, data_dir, fs::copy_options::recursive, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("copying backup ", info.dir, " to ", data_dir, ": ", ec.message()));
  }
  return info;
}

}  // namespace salestrack::store
