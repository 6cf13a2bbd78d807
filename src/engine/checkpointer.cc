#include "engine/checkpointer.h"

#include "absl/time/time.h"
#include "spdlog/spdlog.h"

namespace salestrack::engine {
namespace {

// How often the thread compares the applied seq with the checkpoint's.
constexpr absl::Duration kPoll = absl::Milliseconds(250);

}  // namespace

Checkpointer::Checkpointer(Views* views, uint64_t every_events)
    : views_(views), every_events_(every_events) {
  if (every_events_ > 0) thread_ = std::thread([this] { Run(); });
}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
  Write("stop");
}

void Checkpointer::Run() {
  while (!stop_.WaitForNotificationWithTimeout(kPoll)) {
    if (views_->applied_seq() - views_->checkpoint_seq() >= every_events_) Write("events");
  }
}

void Checkpointer::Write(const char* why) {
  if (views_->applied_seq() == views_->checkpoint_seq()) return;
  absl::StatusOr<Views::CheckpointFigures> f = views_->Checkpoint();
  if (!f.ok()) {
    spdlog::warn("event=views_checkpoint_failed after={} error=\"{}\"", why, f.status().ToString());
  }
}

}  // namespace salestrack::engine
