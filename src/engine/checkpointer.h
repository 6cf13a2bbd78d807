// Checkpointer: keeps the views' checkpoint (Views::Checkpoint) near the log's head, so a restart
// replays little: a thread writes one whenever `every_events` records have been applied since the
// last, and Stop() writes a last one once the writer has stopped, so a clean restart replays none.
#ifndef SALESTRACK_ENGINE_CHECKPOINTER_H_
#define SALESTRACK_ENGINE_CHECKPOINTER_H_

#include <cstdint>
#include <thread>

#include "absl/synchronization/notification.h"
#include "engine/views.h"

namespace salestrack::engine {

class Checkpointer {
 public:
  // `every_events` 0: only Stop() writes one. `views` must outlive this.
  Checkpointer(Views* views, uint64_t every_events);
  ~Checkpointer();  // Stop()s.
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Ends the thread and writes the final checkpoint (failures are logged: the next start then
  // replays more). Call after the writer has stopped. Idempotent.
  void Stop();

 private:
  void Run();
  void Write(const char* why);

  Views* const views_;
  const uint64_t every_events_;
  absl::Notification stop_;
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_CHECKPOINTER_H_
