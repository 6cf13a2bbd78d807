// API tokens: bearer tokens that authenticate callers of salestrackd. The daemon's config holds
// only their SHA-256 (a leaked config does not leak a key); `salestrack new-key` makes a token and
// prints the config entry for it.
//
//   std::string token = NewApiToken();            // "st_" + 64 hex digits, 256 random bits
//   std::string hash = Sha256Hex(token);          // what the config stores
#ifndef SALESTRACK_AUTH_API_TOKEN_H_
#define SALESTRACK_AUTH_API_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace salestrack {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

// A new random token from the kernel's CSPRNG (getrandom); fails only if that fails.
absl::StatusOr<std::string> NewApiToken();

}  // namespace salestrack

#endif  // SALESTRACK_AUTH_API_TOKEN_H_
