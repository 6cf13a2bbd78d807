#include "store/rocksdb_options.h"

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <string>

#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"
#include "spdlog/spdlog.h"
#include "store/keys.h"

namespace salestrack::store {
namespace {

rocksdb::ColumnFamilyOptions LogFamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = 16 << 10;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Sequential keys: the log is read in ranges, so no bloom filter. zstd on every level, flushes
  // included, for bytes/event: a fresh L0 file is then about as small as a compacted one
  // (kpi_bench: 112 B/event after a restart, 107 compacted). Its CPU cost on flushes was not
  // measured apart.
  cf.compression = rocksdb::kZSTD;
  cf.write_buffer_size = 64 << 20;
  return cf;
}

rocksdb::ColumnFamilyOptions IdsFamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Most lookups are misses (new events): a whole-key bloom filter answers them without a read.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  // Filters and indexes in partitions of ~4 KiB, cached like data blocks, with only their small
  // top levels pinned. A file's whole filter is 1.25 MB per million ids at 10 bits per id: as one
  // block it outgrows a block-cache shard (RocksDB's default sharding cut the 128 MiB cache of the
  // time into 64 shards of 2 MiB; the 64 MiB default now, into shards of 1 MiB), so every lookup
  // read and checksummed the whole filter again. Measured: at 3M events that was 13.5 % of a
  // start-up replay (its voids' lookups), and at 10M the replay ran at 97k events/s against 215k
  // for Projector::Apply alone.
  table.partition_filters = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.memtable_whole_key_filtering = true;
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  // Event ids are mostly hex UUIDs, which LZ4 barely shrinks: zstd took this family from 47 to
  // 28 B/event in kpi_bench (compacted).
  cf.compression = rocksdb::kZSTD;
  cf.write_buffer_size = 32 << 20;
  return cf;
}

// RocksDB's own log goes to ours (stderr), not to a LOG file in the data directory: on a full disk
// RocksDB 7.8 aborts on the write after a failed LOG write (an assertion in WritableFileWriter),
// and a daemon must survive a full disk. Its chatty INFO lines become our debug lines.
class SpdlogLogger final : public rocksdb::Logger {
 public:
  SpdlogLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    spdlog::level::level_enum to = level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? spdlog::level::err
                                   : level >= rocksdb::InfoLogLevel::WARN_LEVEL
                                       ? spdlog::level::warn
                                       : spdlog::level::debug;
    if (!spdlog::should_log(to)) return;
    char buffer[2048];
    std::vsnprintf(buffer, sizeof buffer, format, ap);
    spdlog::log(to, "event=rocksdb msg=\"{}\"", buffer);
  }
};

}  // namespace

RocksDbOptions DaemonRocksDbOptions(size_t block_cache_bytes) {
  RocksDbOptions o;
  o.db.create_if_missing = true;
  o.db.create_missing_column_families = true;
  o.db.max_background_jobs = 2;
  o.db.bytes_per_sync = 1 << 20;
  o.db.keep_log_file_num = 5;
  // Bounds the WAL a crash must replay: past this, RocksDB flushes the families that pin old logs.
  o.db.max_total_wal_size = 256 << 20;
  o.db.info_log = std::make_shared<SpdlogLogger>();

  auto cache = rocksdb::NewLRUCache(block_cache_bytes);
  // The write buffers are charged to the block cache, so block_cache_bytes bounds RocksDB's memory
  // as a whole: at most half of it in memtables (RocksDB flushes the largest past that), the rest
  // (and whatever the memtables leave) for blocks.
  o.db.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(block_cache_bytes / 2, cache);
  o.families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {std::string(kLogFamily), LogFamilyOptions(cache)},
      {std::string(kIdsFamily), IdsFamilyOptions(cache)},
      {std::string(kMetaFamily), rocksdb::ColumnFamilyOptions()},
      {std::string(kNotifyFamily), rocksdb::ColumnFamilyOptions()},
      {std::string(kViewsFamily), rocksdb::ColumnFamilyOptions()},
  };
  return o;
}

}  // namespace salestrack::store
