#include "server/config.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack::server {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, TextFormatFieldsOverrideDefaults) {
  absl::StatusOr<v1::DaemonConfig> config = ParseConfigText(R"txt(
    listen_address: "0.0.0.0:9000"
    data_dir: "/var/lib/salestrack"
    time_zone: "Asia/Shanghai"
    limits { max_batch_events: 200 max_future_skew_seconds: 60 }
  )txt");
  ASSERT_TRUE(config.ok()) << config.status();
  ServerOptions options;
  ASSERT_TRUE(ApplyConfig(*config, &options).ok());
  EXPECT_EQ(options.listen_address, "0.0.0.0:9000");
  EXPECT_EQ(options.data_dir, "/var/lib/salestrack");
  EXPECT_EQ(options.max_batch_events, 200u);
  EXPECT_EQ(options.max_future_skew, absl::Seconds(60));
  EXPECT_EQ(options.max_request_bytes, 4u << 20);  // Unset: default kept.
  // 2026-11-23T17:00Z is already the 24th in Shanghai.
  absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 17, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(absl::ToCivilDay(t, options.time_zone), absl::CivilDay(2026, 11, 24));
}

TEST(ConfigTest, ParseErrorsNameLineAndColumn) {
  absl::StatusOr<v1::DaemonConfig> config = ParseConfigText("listen_address: \"x\"\nbogus: 1\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("line 2"));
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("bogus"));
}

TEST(ConfigTest, UnknownTimeZoneIsRefused) {
  v1::DaemonConfig config;
  config.set_time_zone("Asia/Atlantis");
  ServerOptions options;
  absl::Status s = ApplyConfig(config, &options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("time_zone: \"Asia/Atlantis\""));
}

TEST(ConfigTest, LimitsAboveTheProtocolMaximumAreRefused) {
  v1::DaemonConfig config;
  config.mutable_limits()->set_max_batch_events(5000);
  ServerOptions options;
  EXPECT_THAT(std::string(ApplyConfig(config, &options).message()),
              HasSubstr("limits.max_batch_events"));
}

TEST(ConfigTest, MemoryLimitsApplyAndMustHoldARequest) {
  absl::StatusOr<v1::DaemonConfig> config = ParseConfigText(R"txt(
    limits {
      max_request_bytes: 1048576
      max_stream_bytes: 2097152
      max_key_append_bytes: 4194304
      max_append_bytes: 8388608
      stalled_stream_seconds: 5
      stream_window_bytes: 262144
      grpc_memory_mb: 512
    }
  )txt");
  ASSERT_TRUE(config.ok()) << config.status();
  ServerOptions options;
  ASSERT_TRUE(ApplyConfig(*config, &options).ok());
  EXPECT_EQ(options.max_stream_bytes, 2u << 20);
  EXPECT_EQ(options.max_key_append_bytes, 4u << 20);
  EXPECT_EQ(options.max_append_bytes, 8u << 20);
  EXPECT_EQ(options.stalled_stream_timeout, absl::Seconds(5));
  EXPECT_EQ(options.stream_window_bytes, 256u << 10);
  EXPECT_EQ(options.grpc_memory_bytes, size_t{512} << 20);

  for (const auto& [field, value, error] : std::vector<std::tuple<std::string, int, std::string>>{
           {"max_stream_bytes", 1000, "limits.max_stream_bytes: 1000 is less than"},
           {"max_key_append_bytes", 1000, "limits.max_key_append_bytes: 1000 is less than"},
           {"max_append_bytes", 5000000,
            "limits.max_append_bytes: 5000000 is less than "
            "limits.max_key_append_bytes"},
           {"stream_window_bytes", 100, "limits.stream_window_bytes: 100 is outside"}}) {
    v1::DaemonConfig bad;
    const google::protobuf::FieldDescriptor* f = v1::Limits::descriptor()->FindFieldByName(field);
    bad.mutable_limits()->GetReflection()->SetUInt32(bad.mutable_limits(), f, value);
    ServerOptions defaults;
    EXPECT_THAT(std::string(ApplyConfig(bad, &defaults).message()), HasSubstr(error)) << field;
  }
}

TEST(ConfigTest, OperationsFieldsApplyAndABadLogLevelIsRefused) {
  absl::StatusOr<v1::DaemonConfig> config = ParseConfigText(R"txt(
    log_level: "debug"
    metrics_listen_address: "127.0.0.1:9411"
    limits {
      max_log_followers: 7
      rate_limits { role: "rep" events_per_second: 2.5 burst: 50 }
    }
  )txt");
  ASSERT_TRUE(config.ok()) << config.status();
  ServerOptions options;
  ASSERT_TRUE(ApplyConfig(*config, &options).ok());
  EXPECT_EQ(options.log_level, "debug");
  EXPECT_EQ(options.metrics_listen_address, "127.0.0.1:9411");
  EXPECT_EQ(options.max_log_followers, 7u);
  ASSERT_EQ(options.rate_limits.size(), 1u);
  EXPECT_EQ(options.rate_limits[0].events_per_second(), 2.5);

  v1::DaemonConfig bad;
  bad.set_log_level("loud");
  EXPECT_THAT(std::string(ApplyConfig(bad, &options).message()),
              HasSubstr("log_level: \"loud\" is not one of trace, debug, info, warn, error, off"));
}

TEST(ConfigTest, BlockCacheSizeAppliesWithinItsRange) {
  ServerOptions options;
  EXPECT_EQ(options.block_cache_bytes, size_t{64} << 20);
  absl::StatusOr<v1::DaemonConfig> config = ParseConfigText("block_cache_mb: 32");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(ApplyConfig(*config, &options).ok());
  EXPECT_EQ(options.block_cache_bytes, size_t{32} << 20);
  for (uint32_t mb : {4u, 70000u}) {
    v1::DaemonConfig bad;
    bad.set_block_cache_mb(mb);
    ServerOptions unchanged;
    EXPECT_THAT(std::string(ApplyConfig(bad, &unchanged).message()),
                HasSubstr(absl::StrCat("block_cache_mb: ", mb, " is outside 8..65536 (MiB)")));
  }
}

TEST(ConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadConfigFile("/nonexistent/salestrackd.conf").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace salestrack::server
