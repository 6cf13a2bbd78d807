#include "http/response.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "civetweb.h"
#include "http/connect_status.h"
#include "http/framing.h"

namespace salestrack::http {
namespace {

void StartHeaders(mg_connection* conn, int status, absl::string_view content_type,
                  const Headers& headers) {
  mg_response_header_start(conn, status);
  const std::string type(content_type);
  if (!type.empty()) mg_response_header_add(conn, "Content-Type", type.c_str(), -1);
  mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
  bool cache_set = false;
  for (const auto& [name, value] : headers) {
    cache_set = cache_set || name == "Cache-Control";
    mg_response_header_add(conn, name.c_str(), value.c_str(), static_cast<int>(value.size()));
  }
  if (!cache_set) mg_response_header_add(conn, "Cache-Control", "no-store", -1);
}

}  // namespace

int SendResponse(mg_connection* conn, int status, absl::string_view content_type,
                 absl::string_view body, const Headers& headers, bool head_only) {
  StartHeaders(conn, status, content_type, headers);
  const std::string length = absl::StrCat(body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_send(conn);
  if (!head_only && !body.empty()) mg_write(conn, body.data(), body.size());
  return status;
}

int SendConnectError(mg_connection* conn, const absl::Status& status, Headers headers) {
  for (auto& hint : HintHeaders(status)) headers.push_back(std::move(hint));
  return SendResponse(conn, HttpStatusOf(status.code()), "application/json",
                      ConnectErrorJson(status), headers);
}

void StartChunked(mg_connection* conn, absl::string_view content_type, const Headers& headers) {
  StartHeaders(conn, 200, content_type, headers);
  mg_response_header_add(conn, "Transfer-Encoding", "chunked", -1);
  mg_response_header_send(conn);
}

bool WriteChunk(mg_connection* conn, absl::string_view data) {
  if (data.empty()) return true;  // An empty chunk would end the body.
  // One write per chunk (size line, data, CRLF), where mg_send_chunk makes three.
  const std::string chunk = Chunk(data);
  return mg_write(conn, chunk.data(), chunk.size()) == static_cast<int>(chunk.size());
}

void EndChunks(mg_connection* conn) { mg_write(conn, "0\r\n\r\n", 5); }

namespace {

// The port of an IPv4 or IPv6 socket address.
int PortOf(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}

// Whether the address is `v4` or `v6` (the one not null).
bool AddressIs(const sockaddr_storage& a, const in_addr* v4, const in6_addr* v6) {
  if (a.ss_family == AF_INET && v4 != nullptr) {
    return reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr == v4->s_addr;
  }
  if (a.ss_family == AF_INET6 && v6 != nullptr) {
    return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr, v6, sizeof *v6) == 0;
  }
  return false;
}

}  // namespace

int ConnectionSocket(const mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr || info->is_ssl) return -1;
  in_addr v4{};
  in6_addr v6{};
  const bool is_v4 = inet_pton(AF_INET, info->remote_addr, &v4) == 1;
  const bool is_v6 = !is_v4 && inet_pton(AF_INET6, info->remote_addr, &v6) == 1;
  if (!is_v4 && !is_v6) return -1;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (dirent* entry = readdir(dir)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == dirfd(dir)) continue;
    sockaddr_storage peer{}, local{};
    socklen_t peer_len = sizeof peer, local_len = sizeof local;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (PortOf(peer) != info->remote_port ||
        !AddressIs(peer, is_v4 ? &v4 : nullptr, is_v6 ? &v6 : nullptr)) {
      continue;
    }
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        PortOf(local) != info->server_port) {
      continue;
    }
    found = fd;
    break;
  }
  closedir(dir);
  return found;
}

}  // namespace salestrack::http
