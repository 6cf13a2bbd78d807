// The RocksDB options of salestrack's data directory, in one place: LogStore::Open opens with them,
// and ingest_bench's raw-RocksDB baseline too, so "salestrackd >= 0.5 x raw RocksDB" compares the
// daemon with the same RocksDB, not with RocksDB's defaults.
#ifndef SALESTRACK_STORE_ROCKSDB_OPTIONS_H_
#define SALESTRACK_STORE_ROCKSDB_OPTIONS_H_

#include <cstddef>
#include <vector>

#include "rocksdb/db.h"

namespace salestrack::store {

struct RocksDbOptions {
  rocksdb::DBOptions db;
  // The column families, in this order: default, log, ids, meta, notify, views (keys.h's
  // names).
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
};

// The daemon's options. `block_cache_bytes` (StoreOptions::block_cache_bytes) bounds RocksDB's
// memory as a whole: one block cache shared by the families, with the write buffers charged to it
// (half at most). RocksDB's own log goes to spdlog, not to a LOG file.
RocksDbOptions DaemonRocksDbOptions(size_t block_cache_bytes);

}  // namespace salestrack::store

#endif  // SALESTRACK_STORE_ROCKSDB_OPTIONS_H_
