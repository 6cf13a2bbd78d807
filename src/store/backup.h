// Online backup and restore of a data directory.
//
// A backup is a RocksDB checkpoint: an openable copy of the whole data directory (every column
// family) at one instant, taken while the daemon keeps writing. SST files are hard-linked when the
// backup is on the data directory's file system (so a backup costs little space until compaction
// replaces the files) and copied otherwise. Restoring copies a backup into a new, empty data
// directory; the daemon then opens it as usual and replays its views from the log.
//
//   ASSIGN_OR_RETURN(BackupInfo info, CreateBackup(*store, "/var/backups/salestrack/2026-11-23"));
//   ...
//   ASSIGN_OR_RETURN(BackupInfo restored, RestoreBackup("/var/backups/...",
//   "/var/lib/salestrack-new"));
#ifndef SALESTRACK_STORE_BACKUP_H_
#define SALESTRACK_STORE_BACKUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "store/log_store.h"
#include "store/time_zone_binding.h"

namespace salestrack::store {

struct BackupInfo {
  std::string dir;        // Absolute path.
  uint64_t head_seq = 0;  // The last log record the backup holds.
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::string time_zone;  // The org time zone it holds (keys.h); empty if none is stored.
};

// Writes a consistent copy of `store` to `dir`, which must not exist (its parent is created). The
// copy is then opened read-only to check it and to read its log head. Safe while the sequencer
// writes (RocksDB flushes the memtables first, so the copy needs no WAL replay beyond that
// instant).
absl::StatusOr<BackupInfo> CreateBackup(const LogStore& store, const std::string& dir);

// Opens `backup_dir` read-only (refusing anything that is not a salestrack backup of this format)
// and copies it into `data_dir`, which must be missing or empty. Refuses before copying when the
// start's time zone request would be refused on the restored directory (ChooseTimeZone), so a
// refused restore can be run again as is. Returns what was restored.
absl::StatusOr<BackupInfo> RestoreBackup(const std::string& backup_dir, const std::string& data_dir,
                                         const TimeZoneRequest& zone);

}  // namespace salestrack::store

#endif  // SALESTRACK_STORE_BACKUP_H_
