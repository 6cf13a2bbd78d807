// The HTTP front door end to end: a real salestrackd with API keys and --http_listen, called over
// real sockets by libcurl, its answers compared with gRPC's for the same requests.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "http_client.h"
#include "keyed_daemon.h"
#include "org_events.h"
#include "raw_client.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "salestrack/v1/leaderboard_service.pb.h"

namespace salestrack::testing {
namespace {

using google::protobuf::Message;

const char kMonthBoard[] =
    R"({"board":{"unitId":"north","metric":"actions","period":{"kind":"MONTH"}}})";

class HttpTest : public ::testing::Test {
 protected:
  HttpTest()
      : d_("", {{"root", "admin"}, {"phone-0", "rep", "rep_id: \"rep-0\""}, {"tv", "screen"}},
           {"--http_listen=127.0.0.1:0"}) {
    port_ = d_.daemon().http_port();
    auto log = v1::LogService::NewStub(d_.Channel("root"));
    AppendOk(*log, {UnitDef("north", ""), RepDef("r0", "rep-0", "north", true),
                    RepDef("r1", "rep-1", "north", true)});
    std::vector<v1::Event> actions = RecentActions("a", "rep-0", 3);
    for (v1::Event& e : RecentActions("b", "rep-1", 2)) actions.push_back(e);
    AppendOk(*log, actions);
  }

  // The Authorization header of `key`; none for "nobody".
  std::vector<std::string> Bearer(const std::string& key) {
    if (key == "nobody") return {};
    return {"Authorization: Bearer " + d_.token(key)};
  }
  std::vector<std::string> Bearer(const std::string& key, const std::string& more) {
    std::vector<std::string> h = Bearer(key);
    h.push_back(more);
    return h;
  }

  // The same call over gRPC (raw bytes, so any method) and HTTP (JSON): both refuse alike, or
  // both answer the same message.
  void ExpectSameAsGrpc(const std::string& method, const std::string& json, const std::string& key,
                        const Message& response_type) {
    SCOPED_TRACE(method + " " + json + " as " + key);
    const google::protobuf::Descriptor* in =
        google::protobuf::DescriptorPool::generated_pool()
            ->FindMethodByName(absl::StrReplaceAll(method.substr(1), {{"/", "."}}))
            ->input_type();
    std::unique_ptr<Message> request(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(in)->New());
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, request.get()).ok());
    std::string raw;
    grpc::Status g = RawUnary(d_.daemon().NewChannel(), method, request->SerializeAsString(), &raw,
                              key == "nobody" ? "" : d_.token(key));
    HttpReply h = PostJson(port_, method, json, Bearer(key));
    ASSERT_TRUE(h.error.empty()) << h.error;
    if (!g.ok()) {
      EXPECT_NE(h.status, 200) << h.body;
      EXPECT_EQ(h.body, ErrorJson(g));
      return;
    }
    ASSERT_EQ(h.status, 200) << h.body;
    EXPECT_EQ(h.headers["content-type"], "application/json");
    std::unique_ptr<Message> from_grpc(response_type.New()), from_http(response_type.New());
    ASSERT_TRUE(from_grpc->ParseFromString(raw));
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(h.body, from_http.get()).ok())
        << h.body;
    // "As of now" differs between two calls.
    google::protobuf::util::MessageDifferencer same;
    if (const auto* as_of = response_type.GetDescriptor()->FindFieldByName("as_of")) {
      same.IgnoreField(as_of);
    }
    EXPECT_TRUE(same.Compare(*from_grpc, *from_http))
        << "gRPC: " << from_grpc->ShortDebugString() << "\nHTTP: " << from_http->ShortDebugString();
  }

  // The Connect error JSON of a gRPC status, as the daemon writes it.
  static std::string ErrorJson(const grpc::Status& s) {
    static const char* kNames[] = {"ok",
                                   "canceled",
                                   "unknown",
                                   "invalid_argument",
                                   "deadline_exceeded",
                                   "not_found",
                                   "already_exists",
                                   "permission_denied",
                                   "resource_exhausted",
                                   "failed_precondition",
                                   "aborted",
                                   "out_of_range",
                                   "unimplemented",
                                   "internal",
                                   "unavailable",
                                   "data_loss",
                                   "unauthenticated"};
    std::string message;
    for (char c : s.error_message()) {
      if (c == '"' || c == '\\') message += '\\';
      message += c;
    }
    return absl::StrCat("{\"code\":\"", kNames[s.error_code()], "\",\"message\":\"", message,
                        "\"}");
  }

  KeyedDaemon d_;
  int port_ = 0;
};

TEST_F(HttpTest, EveryUnaryMethodAnswersAsGrpcDoes) {
  ASSERT_GT(port_, 0);
  struct Case {
    std::string method, json, key;
    const Message* type;
  };
  const std::vector<Case> cases = {
      {"/salestrack.v1.LogService/GetLogInfo", "{}", "root",
       &v1::GetLogInfoResponse::default_instance()},
      {"/salestrack.v1.KpiService/GetKpis",
       R"({"subject":{"unitId":"north"},"period":{"kind":"MONTH"},"includeRepIds":true})", "root",
       &v1::GetKpisResponse::default_instance()},
      {"/salestrack.v1.KpiService/GetKpis", R"({"subject":{"repId":"rep-0"}})", "phone-0",
       &v1::GetKpisResponse::default_instance()},
      {"/salestrack.v1.KpiService/GetFunnel", R"({"subject":{"unitId":"north"}})", "root",
       &v1::GetFunnelResponse::default_instance()},
      {"/salestrack.v1.KpiService/ListFollowUps", R"({"subject":{"repId":"rep-0"}})", "root",
       &v1::ListFollowUpsResponse::default_instance()},
      {"/salestrack.v1.KpiService/GetScorecard", R"({"subject":{"repId":"rep-1"}})", "root",
       &v1::GetScorecardResponse::default_instance()},
      {"/salestrack.v1.KpiService/CheckTargets", R"({"unitId":"north"})", "root",
       &v1::CheckTargetsResponse::default_instance()},
      {"/salestrack.v1.LeaderboardService/GetLeaderboard", kMonthBoard, "tv",
       &v1::GetLeaderboardResponse::default_instance()},
      {"/salestrack.v1.AdminService/Verify", "{}", "root", &v1::VerifyResponse::default_instance()},
      // Refusals: no such unit, a bad period, a relative backup path without backup_dir.
      {"/salestrack.v1.KpiService/GetKpis", R"({"subject":{"unitId":"nowhere"}})", "root",
       &v1::GetKpisResponse::default_instance()},
      {"/salestrack.v1.AdminService/Backup", R"({"dir":"relative/dir"})", "root",
       &v1::BackupResponse::default_instance()},
      // No key, the wrong role, out of scope.
      {"/salestrack.v1.KpiService/GetKpis", R"({"subject":{"repId":"rep-0"}})", "nobody",
       &v1::GetKpisResponse::default_instance()},
      {"/salestrack.v1.AdminService/Verify", "{}", "phone-0",
       &v1::VerifyResponse::default_instance()},
      {"/salestrack.v1.KpiService/GetKpis", R"({"subject":{"repId":"rep-1"}})", "phone-0",
       &v1::GetKpisResponse::default_instance()},
      {"/salestrack.v1.LogService/Append", "{}", "tv", &v1::AppendResponse::default_instance()},
  };
  for (const Case& c : cases) ExpectSameAsGrpc(c.method, c.json, c.key, *c.type);
  // GetStats and Rebuild change what they report between two calls: both answer.
  for (const char* method :
       {"/salestrack.v1.AdminService/GetStats", "/salestrack.v1.AdminService/Rebuild"}) {
    HttpReply h = PostJson(port_, method, "{}", Bearer("root"));
    EXPECT_EQ(h.status, 200) << method << ": " << h.body;
  }
  // The HTTP front door's own figures are among the daemon's.
  HttpReply stats = PostJson(port_, "/salestrack.v1.AdminService/GetStats", "{}", Bearer("root"));
  EXPECT_TRUE(absl::StrContains(stats.body, "salestrack_http_requests_total")) << stats.body;
  EXPECT_TRUE(absl::StrContains(stats.body, "salestrack_http_request_seconds")) << stats.body;
}

TEST_F(HttpTest, RefusalsCarryConnectCodesAndStatuses) {
  HttpReply none = PostJson(port_, "/salestrack.v1.KpiService/GetKpis", "{}");
  EXPECT_EQ(none.status, 401);
  EXPECT_TRUE(absl::StartsWith(none.body, R"({"code":"unauthenticated","message":)")) << none.body;
  HttpReply role = PostJson(port_, "/salestrack.v1.AdminService/Verify", "{}", Bearer("tv"));
  EXPECT_EQ(role.status, 403);
  EXPECT_TRUE(absl::StartsWith(role.body, R"({"code":"permission_denied")")) << role.body;
  HttpReply unknown = PostJson(port_, "/salestrack.v1.KpiService/GetKpis",
                               R"({"subject":{"repId":"rep-0","colour":"red"}})", Bearer("root"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_TRUE(absl::StrContains(unknown.body, "salestrack.v1.GetKpisRequest: subject.colour"))
      << unknown.body;
  HttpReply bad_event =
      PostJson(port_, "/salestrack.v1.LogService/Append",
               R"({"events":[{"eventId":"x1","occurredAt":"2026-01-01T00:00:00Z","repId":"rep-0",
          "contractSigned":{"contractId":"k","amount":"-5"}}]})",
               Bearer("root"));
  EXPECT_EQ(bad_event.status, 400);
  EXPECT_TRUE(absl::StrContains(bad_event.body, "events[0].contract_signed")) << bad_event.body;
  HttpReply stream =
      PostJson(port_, "/salestrack.v1.LogService/AppendStream", "{}", Bearer("root"));
  EXPECT_EQ(stream.status, 501);
  EXPECT_TRUE(absl::StrContains(stream.body, "/salestrack.v1.LogService/Append")) << stream.body;
  HttpReply missing = PostJson(port_, "/salestrack.v1.KpiService/NoSuchThing", "{}");
  EXPECT_EQ(missing.status, 501);
  EXPECT_TRUE(absl::StartsWith(missing.body, R"({"code":"unimplemented")")) << missing.body;
}

TEST_F(HttpTest, AppendOverHttpIsIdempotentAndReadableOverGrpc) {
  const std::string batch = absl::StrCat(
      R"({"events":[{"eventId":"http-1","occurredAt":")",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", ThreeHoursAgo(), absl::UTCTimeZone()),
      R"(","repId":"rep-0","actionLogged":{"customerId":"c9","subject":"demo","location":"office",)"
      R"("purpose":"INTRODUCE_PRODUCT","channel":"PHONE","durationMinutes":30}}]})");
  HttpReply first = PostJson(port_, "/salestrack.v1.LogService/Append", batch, Bearer("phone-0"));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(absl::StrContains(first.body, R"("duplicates":0)")) << first.body;
  HttpReply again = PostJson(port_, "/salestrack.v1.LogService/Append", batch, Bearer("phone-0"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(absl::StrContains(again.body, R"("duplicates":1)")) << again.body;
  auto log = v1::LogService::NewStub(d_.Channel("root"));
  std::vector<v1::EventRecord> records = ReadAll(*log);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().event().event_id(), "http-1");
}

TEST_F(HttpTest, HostileRequestsAreRefusedByName) {
  // A body over the cap is refused from its Content-Length, before it is read.
  HttpRequest big;
  big.method = "POST";
  big.url = absl::StrCat("http://127.0.0.1:", port_, "/salestrack.v1.LogService/Append");
  big.headers = Bearer("root", "Content-Type: application/json");
  big.body = std::string(9 << 20, ' ');
  HttpReply too_big = Fetch(big);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_TRUE(absl::StrContains(too_big.body, "http_limits.max_body_bytes")) << too_big.body;
  // Another content type (a cross-site form's) is refused.
  HttpRequest form = big;
  form.headers = Bearer("root", "Content-Type: application/x-www-form-urlencoded");
  form.body = "a=b";
  HttpReply wrong_type = Fetch(form);
  EXPECT_EQ(wrong_type.status, 415);
  EXPECT_TRUE(absl::StrContains(wrong_type.body, "application/json")) << wrong_type.body;
  // Deep nesting never reaches the parser.
  std::string deep = std::string(100, '[') + std::string(100, ']');
  HttpReply nested = PostJson(port_, "/salestrack.v1.KpiService/GetKpis",
                              R"({"subject":)" + deep + "}", Bearer("root"));
  EXPECT_EQ(nested.status, 400);
  EXPECT_TRUE(absl::StrContains(nested.body, "nested deeper than")) << nested.body;
  // A cross-origin call is refused even with a key.
  HttpReply cross = PostJson(port_, "/salestrack.v1.LogService/GetLogInfo", "{}",
                             Bearer("root", "Origin: https://evil.example"));
  EXPECT_EQ(cross.status, 403);
  EXPECT_TRUE(absl::StrContains(cross.body, "https://evil.example")) << cross.body;
  HttpReply same = PostJson(port_, "/salestrack.v1.LogService/GetLogInfo", "{}",
                            Bearer("root", absl::StrCat("Origin: http://127.0.0.1:", port_)));
  EXPECT_EQ(same.status, 200) << same.body;
}

TEST_F(HttpTest, AssetsAreServedWithTheirHeadersAndNothingElse) {
  HttpReply index = Fetch({.url = absl::StrCat("http://127.0.0.1:", port_, "/")});
  ASSERT_EQ(index.status, 200);
  EXPECT_TRUE(absl::StartsWith(index.headers["content-type"], "text/html"));
  EXPECT_TRUE(absl::StartsWith(index.headers["content-security-policy"], "default-src 'self'"));
  EXPECT_EQ(index.headers["x-content-type-options"], "nosniff");
  const std::string etag = index.headers["etag"];
  ASSERT_FALSE(etag.empty());
  HttpReply cached = Fetch({.url = absl::StrCat("http://127.0.0.1:", port_, "/index.html"),
                            .headers = {"If-None-Match: " + etag}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  for (const char* path : {"/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/..%2fweb/assets.h",
                           "//etc/passwd", "/index.html/..", "/nope.js"}) {
    HttpReply r =
        Fetch({.url = absl::StrCat("http://127.0.0.1:", port_, path), .path_as_is = true});
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_TRUE(absl::StartsWith(r.headers["content-security-policy"], "default-src 'self'"));
    EXPECT_FALSE(absl::StrContains(r.body, "cmake_minimum_required")) << path;
  }
}

TEST_F(HttpTest, ConnectServerStreamsAreEnveloped) {
  HttpRequest read;
  read.method = "POST";
  read.url = absl::StrCat("http://127.0.0.1:", port_, "/salestrack.v1.LogService/ReadEvents");
  read.headers = Bearer("root", "Content-Type: application/connect+json");
  read.body = Envelope(R"({"fromSeq":"1"})");
  HttpReply r = Fetch(read);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/connect+json");
  std::vector<Frame> frames = Frames(r.body);
  ASSERT_GE(frames.size(), 2u);
  for (size_t i = 0; i + 1 < frames.size(); ++i) {
    EXPECT_EQ(frames[i].flags, 0);
    v1::ReadEventsResponse m;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(frames[i].json, &m).ok());
  }
  EXPECT_EQ(frames.back().flags, 2);
  EXPECT_EQ(frames.back().json, "{}");
  // A refusal ends the stream with its error (HTTP 200: the stream's status is in its end).
  read.headers = Bearer("phone-0", "Content-Type: application/connect+json");
  read.url = absl::StrCat("http://127.0.0.1:", port_,
                          "/salestrack.v1.LeaderboardService/SubscribeLeaderboard");
  read.body =
      Envelope(R"({"board":{"unitId":"south","metric":"actions","period":{"kind":"DAY"}}})");
  HttpReply refused = Fetch(read);
  ASSERT_EQ(refused.status, 200);
  frames = Frames(refused.body);
  ASSERT_EQ(frames.size(), 1u) << refused.body;
  EXPECT_EQ(frames[0].flags, 2);
  EXPECT_TRUE(absl::StrContains(frames[0].json, R"("error":{"code":")")) << frames[0].json;
  // A live board: its first update, then the next commit's.
  read.headers = Bearer("tv", "Content-Type: application/connect+json");
  read.body = Envelope(kMonthBoard);
  read.until = [](const std::string& body) { return Frames(body).size() >= 1; };
  HttpReply live = Fetch(read);
  frames = Frames(live.body);
  ASSERT_GE(frames.size(), 1u) << live.error;
  EXPECT_TRUE(absl::StrContains(frames[0].json, R"("reason":"SUBSCRIBED")")) << frames[0].json;
}

TEST_F(HttpTest, SessionCookieOpensEventStreamsThatResume) {
  // The cookie: set from a bearer key, HttpOnly and SameSite=Strict.
  HttpReply login = Fetch({.method = "POST",
                           .url = absl::StrCat("http://127.0.0.1:", port_, "/session"),
                           .headers = Bearer("tv")});
  ASSERT_EQ(login.status, 204) << login.body;
  ASSERT_EQ(login.set_cookies.size(), 1u);
  const std::string& set = login.set_cookies[0];
  EXPECT_TRUE(absl::StrContains(set, "HttpOnly")) << set;
  EXPECT_TRUE(absl::StrContains(set, "SameSite=Strict")) << set;
  EXPECT_TRUE(absl::StrContains(set, "Path=/")) << set;
  const std::string cookie = "Cookie: " + set.substr(0, set.find(';'));
  HttpReply bad_login = Fetch({.method = "POST",
                               .url = absl::StrCat("http://127.0.0.1:", port_, "/session"),
                               .headers = {"Authorization: Bearer st_not_a_key"}});
  EXPECT_EQ(bad_login.status, 401);
  EXPECT_TRUE(bad_login.set_cookies.empty());

  const std::string sse_url =
      absl::StrCat("http://127.0.0.1:", port_,
                   "/sse/salestrack.v1.LeaderboardService/SubscribeLeaderboard?message=",
                   "%7B%22board%22%3A%7B%22unitId%22%3A%22north%22%2C%22metric%22%3A%22actions"
                   "%22%2C%22period%22%3A%7B%22kind%22%3A%22MONTH%22%7D%7D%7D");
  // Without a key: an HTTP error, which stops an EventSource.
  HttpReply anonymous = Fetch({.url = sse_url});
  EXPECT_EQ(anonymous.status, 401);
  // With the cookie: the board's first update, then a commit's.
  std::thread appender([&] {
    absl::SleepFor(absl::Milliseconds(300));
    auto log = v1::LogService::NewStub(d_.Channel("root"));
    AppendOk(*log, RecentActions("c", "rep-1", 1));
  });
  HttpReply first = Fetch({.url = sse_url, .headers = {cookie}, .until = [](const std::string& b) {
                             return CountSseEvents(b) >= 2;
                           }});
  appender.join();
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.headers["content-type"], "text/event-stream");
  std::vector<SseEvent> events = SseEvents(first.body);
  ASSERT_EQ(events.size(), 2u) << first.body;
  EXPECT_TRUE(absl::StrContains(events[0].data, R"("reason":"SUBSCRIBED")"));
  EXPECT_TRUE(absl::StrContains(events[1].data, R"("reason":"COMMIT")")) << events[1].data;
  // Seqs 1..8 hold the org and the first actions: the commit is seq 9.
  EXPECT_EQ(events[0].id, "8");
  EXPECT_EQ(events[1].id, "9");
  // Dropped, then back with Last-Event-ID after a commit it missed: the missed change, resumed.
  auto log = v1::LogService::NewStub(d_.Channel("root"));
  AppendOk(*log, RecentActions("d", "rep-0", 1));
  HttpReply resumed = Fetch({.url = sse_url,
                             .headers = {cookie, "Last-Event-ID: " + events[1].id},
                             .until = [](const std::string& b) { return CountSseEvents(b) >= 1; }});
  events = SseEvents(resumed.body);
  ASSERT_GE(events.size(), 1u) << resumed.body;
  EXPECT_TRUE(absl::StrContains(events[0].data, R"("reason":"RESUMED")")) << events[0].data;
  EXPECT_EQ(events[0].id, "10");
  // The cookie also carries unary calls (same origin, JSON only), until the session is deleted.
  EXPECT_EQ(
      PostJson(port_, "/salestrack.v1.LeaderboardService/GetLeaderboard", kMonthBoard, {cookie})
          .status,
      200);
  HttpReply logout = Fetch({.method = "DELETE",
                            .url = absl::StrCat("http://127.0.0.1:", port_, "/session"),
                            .headers = {cookie}});
  EXPECT_EQ(logout.status, 204);
  ASSERT_EQ(logout.set_cookies.size(), 1u);
  EXPECT_TRUE(absl::StrContains(logout.set_cookies[0], "Max-Age=0"));
}

TEST_F(HttpTest, ShutdownEndsEventStreamsWithAnErrorEventAndExitsCleanly) {
  HttpReply login = Fetch({.method = "POST",
                           .url = absl::StrCat("http://127.0.0.1:", port_, "/session"),
                           .headers = Bearer("tv")});
  const std::string cookie =
      "Cookie: " + login.set_cookies.at(0).substr(0, login.set_cookies[0].find(';'));
  std::thread stopper([&] {
    absl::SleepFor(absl::Milliseconds(500));
    EXPECT_EQ(d_.daemon().Stop(), 0);
  });
  HttpReply r = Fetch(
      {.url = absl::StrCat("http://127.0.0.1:", port_,
                           "/sse/salestrack.v1.LeaderboardService/SubscribeLeaderboard?message=",
                           "%7B%22board%22%3A%7B%22unitId%22%3A%22north%22%2C%22metric%22%3A%22"
                           "actions%22%2C%22period%22%3A%7B%22kind%22%3A%22MONTH%22%7D%7D%7D"),
       .headers = {cookie}});
  stopper.join();
  EXPECT_TRUE(r.error.empty()) << r.error;  // The chunked body ended properly.
  std::vector<SseEvent> events = SseEvents(r.body);
  ASSERT_GE(events.size(), 2u) << r.body;
  EXPECT_EQ(events.back().event, "error");
  EXPECT_TRUE(absl::StrContains(events.back().data, R"("code":"unavailable")"))
      << events.back().data;
}

// A connection that sends `text` and then nothing (a slow client).
int SendAndStall(int port, const std::string& text) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  return fd;
}

// An EventSource's GET of the north board on a socket of its own, read as the events come.
class RawSse {
 public:
  RawSse(int port, const std::string& token) {
    fd_ = SendAndStall(
        port,
        absl::StrCat("GET /sse/salestrack.v1.LeaderboardService/SubscribeLeaderboard?message=",
                     "%7B%22board%22%3A%7B%22unitId%22%3A%22north%22%2C%22metric%22%3A%22"
                     "actions%22%2C%22period%22%3A%7B%22kind%22%3A%22MONTH%22%7D%7D%7D",
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n",
                     "Authorization: Bearer ", token, "\r\n\r\n"));
  }
  ~RawSse() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  // Reads until what came holds `want` after `from`, at most `timeout`; true if it does.
  bool ReadUntil(const std::string& want, absl::Duration timeout, size_t from = 0) {
    const absl::Time deadline = absl::Now() + timeout;
    while (text.find(want, from) == std::string::npos) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return false;
      timeval tv = absl::ToTimeval(left);
      setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char buf[4096];
      const ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) return text.find(want, from) != std::string::npos;
      text.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  std::string text;

 private:
  int fd_ = -1;
};

// Board streams are written by one thread (http/board_fanout.h): every subscriber gets each
// commit, the stream cap holds, and a client that leaves frees its place at once (its hang-up is
// seen; no write or heartbeat has to fail first: the heartbeat here is 15 s).
TEST(HttpStreamsTest, ManySubscribersGetEachCommitAndALeavingOneFreesItsPlaceAtOnce) {
  KeyedDaemon d("http_limits { num_threads: 16 max_streams: 12 }\n", {{"root", "admin"}},
                {"--http_listen=127.0.0.1:0"});
  const int port = d.daemon().http_port();
  auto log = v1::LogService::NewStub(d.Channel("root"));
  AppendOk(*log, {UnitDef("north", ""), RepDef("r0", "rep-0", "north", true),
                  RepDef("r1", "rep-1", "north", true)});
  AppendOk(*log, RecentActions("a", "rep-0", 2));
  std::vector<std::unique_ptr<RawSse>> subscribers;
  for (int i = 0; i < 12; ++i) {
    subscribers.push_back(std::make_unique<RawSse>(port, d.token("root")));
    ASSERT_TRUE(subscribers.back()->ReadUntil(R"("reason":"SUBSCRIBED")", absl::Seconds(10)))
        << i << ": " << subscribers.back()->text;
  }
  RawSse over(port, d.token("root"));
  ASSERT_TRUE(over.ReadUntil("event: error", absl::Seconds(10))) << over.text;
  EXPECT_TRUE(absl::StrContains(over.text, "resource_exhausted")) << over.text;

  AppendOk(*log, RecentActions("b", "rep-1", 1));  // Seq 6.
  for (auto& s : subscribers) {
    const size_t from = s->text.size();
    ASSERT_TRUE(s->ReadUntil(R"("reason":"COMMIT")", absl::Seconds(10), from)) << s->text;
    EXPECT_TRUE(absl::StrContains(s->text.substr(from), "id: 6\ndata: ")) << s->text;
  }
  // The same bytes for all: one message, printed once.
  auto event_of = [](const std::string& text) {
    const size_t at = text.find("id: 6");
    return text.substr(at, text.find("\n\n", at) - at);
  };
  EXPECT_EQ(event_of(subscribers[0]->text), event_of(subscribers[11]->text));

  subscribers.back()->Close();
  absl::SleepFor(absl::Milliseconds(200));
  RawSse again(port, d.token("root"));
  ASSERT_TRUE(again.ReadUntil("data: ", absl::Seconds(10))) << again.text;
  EXPECT_TRUE(absl::StrContains(again.text, R"("reason":"SUBSCRIBED")")) << again.text;
}

TEST(HttpStreamsTest, AnIdleEventStreamGetsHeartbeats) {
  KeyedDaemon d("http_limits { heartbeat_seconds: 1 }\n", {{"root", "admin"}},
                {"--http_listen=127.0.0.1:0"});
  auto log = v1::LogService::NewStub(d.Channel("root"));
  AppendOk(*log, {UnitDef("north", ""), RepDef("r0", "rep-0", "north", true)});
  RawSse s(d.daemon().http_port(), d.token("root"));
  ASSERT_TRUE(s.ReadUntil(R"("reason":"SUBSCRIBED")", absl::Seconds(10))) << s.text;
  const absl::Time start = absl::Now();
  const size_t from = s.text.size();
  ASSERT_TRUE(s.ReadUntil(": heartbeat\n\n", absl::Seconds(5), from)) << s.text;
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(500));
  ASSERT_TRUE(s.ReadUntil(": heartbeat\n\n", absl::Seconds(5), s.text.size())) << s.text;
}

TEST(HttpLimitsTest, SlowUploadsCannotPinMoreThanTheBodyBudget) {
  KeyedDaemon d("http_limits { max_body_bytes: 1024 request_timeout_seconds: 5 }\n",
                {{"root", "admin"}}, {"--http_listen=127.0.0.1:0"});
  const int port = d.daemon().http_port();
  // Eight uploads announce a full body each and send none of it: the budget (8 bodies) is held.
  const std::string stalled = absl::StrCat(
      "POST /salestrack.v1.LogService/Append HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: 1024\r\n\r\n");
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) fds.push_back(SendAndStall(port, stalled));
  absl::SleepFor(absl::Milliseconds(300));
  HttpReply refused = PostJson(port, "/salestrack.v1.LogService/GetLogInfo", std::string(600, ' '),
                               {"Authorization: Bearer " + d.token("root")});
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_TRUE(absl::StrContains(refused.body, "http_limits.max_body_bytes")) << refused.body;
  EXPECT_FALSE(refused.headers["retry-after-ms"].empty());
  // Small calls still pass, and once the stalled uploads are gone the budget is back.
  for (int fd : fds) close(fd);
  absl::SleepFor(absl::Milliseconds(300));
  HttpReply after = PostJson(port, "/salestrack.v1.LogService/GetLogInfo", std::string(600, ' '),
                             {"Authorization: Bearer " + d.token("root")});
  EXPECT_EQ(after.status, 200) << after.body;
}

TEST(HttpConfigTest, OffUnlessConfiguredAndLimitsAreChecked) {
  TempDir dir;
  {
    Daemon plain(dir.Sub("data"));
    EXPECT_EQ(plain.http_port(), 0);
  }
  const std::string conf = dir.Sub("bad.conf");
  {
    std::ofstream out(conf);
    out << "http_listen_address: \"127.0.0.1:0\"\n"
        << "http_limits { num_threads: 16 max_streams: 15 }\n";
  }
  std::string err;
  EXPECT_EQ(RunDaemonToExit({"--data_dir=" + dir.Sub("data2"), "--config=" + conf}, &err), 2);
  EXPECT_TRUE(absl::StrContains(err,
                                "http_limits.max_streams: 15 leaves fewer than 4 of "
                                "http_limits.num_threads (16)"))
      << err;
}

}  // namespace
}  // namespace salestrack::testing
