// DeadLetters: what the engine's dead-letter methods (AdminService.ListDeadLetters,
// RetryDeadLetters) call. The notifier (src/notify/, a layer above the engine) implements it and
// the daemon hands it to Engine::SetDeadLetters, so access is still decided in the engine.
#ifndef SALESTRACK_ENGINE_DEAD_LETTERS_H_
#define SALESTRACK_ENGINE_DEAD_LETTERS_H_

#include "absl/status/status.h"
#include "salestrack/v1/kpi_service.pb.h"

namespace salestrack::engine {

class DeadLetters {
 public:
  virtual ~DeadLetters() = default;
  // Errors name the request field (e.g. an unknown rule).
  virtual absl::Status List(const v1::ListDeadLettersRequest& request,
                            v1::ListDeadLettersResponse* response) = 0;
  virtual absl::Status Retry(const v1::RetryDeadLettersRequest& request,
                             v1::RetryDeadLettersResponse* response) = 0;
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_DEAD_LETTERS_H_
