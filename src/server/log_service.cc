#include "server/log_service.h"

#include <optional>

#include "salestrack/event_error.h"
#include "server/append_stream_reactor.h"
#include "server/grpc_status.h"
#include "server/raw_call.h"
#include "server/read_events_reactor.h"
#include "server/rejected_reactor.h"

namespace salestrack::server {

void ToAppendError(const absl::Status& status, v1::AppendError* error) {
  error->set_code(static_cast<int>(ToGrpcCode(status.code())));
  error->set_message(std::string(status.message()));
  std::optional<EventErrorLocation> location = GetEventErrorLocation(status);
  error->set_event_index(location ? location->event_index : -1);
  if (location) error->set_field(location->field);
  if (std::optional<absl::Duration> after = engine::RetryAfter(status)) {
    error->set_retry_after_ms(static_cast<uint32_t>(engine::RetryAfterMs(*after)));
  }
  if (std::optional<size_t> max = MaxBatchEventsHint(status)) {
    error->set_max_batch_events(static_cast<uint32_t>(*max));
  }
}

grpc::ServerUnaryReactor* LogServiceImpl::Append(grpc::CallbackServerContext* context,
                                                 const grpc::ByteBuffer* raw_request,
                                                 grpc::ByteBuffer* raw_response) {
  // The order of raw_call.h: key, bytes, then admission and validation.
  absl::StatusOr<Principal> who = Authorize(*engine_, *context, methods::kAppend);
  // Not counted in the append metrics: its events are not read.
  if (!who.ok()) return FinishUnary(context, who.status());
  // The request's bytes count against the key's and the daemon's budgets until it is answered; a
  // full budget refuses it at once, which frees it.
  const std::string key = who->name;
  const size_t bytes = raw_request->Length();
  engine::AppendBudget* budget = &engine_->append_budget();
  if (absl::Status full = budget->TryCharge(key, bytes); !full.ok()) {
    metrics_->AppendAnswered(0, full);
    return FinishUnary(context, full);
  }
  // Lives until the commit's answer (the sequencer reads its events until then).
  auto request = std::make_unique<v1::AppendRequest>();
  engine::AppendAdmission admission = engine_->Appender(*who, methods::kAppend);
  absl::Status s = ParseRequest(*raw_request, request.get());
  if (s.ok()) s = admission.Admit(request->events());
  const size_t events = request->events_size();
  if (!s.ok()) {
    budget->Release(key, bytes);
    metrics_->AppendAnswered(events, s);
    return FinishUnary(context, s);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const store::Events* batch = &request->events();
  admission.Submit(
      batch, [reactor, raw_response, events, bytes, key, budget, metrics = metrics_,
              request = std::move(request)](absl::StatusOr<store::AppendResult> result) mutable {
        request.reset();  // Committed or refused: the events are no longer needed.
        budget->Release(key, bytes);
        metrics->AppendAnswered(events, result);
        if (!result.ok()) {
          reactor->Finish(ToGrpcStatus(result.status()));
          return;
        }
        v1::AppendResponse response;
        response.mutable_seqs()->Add(result->seqs.begin(), result->seqs.end());
        response.set_duplicates(result->duplicates);
        reactor->Finish(ToGrpcStatus(SerializeReply(response, raw_response)));
      });
  return reactor;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* LogServiceImpl::AppendStream(
    grpc::CallbackServerContext* context) {
  absl::StatusOr<Principal> who = Authorize(*engine_, *context, methods::kAppendStream);
  if (!who.ok()) {
    return new RejectedReactor<grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>>(
        who.status());
  }
  AppendStreamShared shared{.max_in_flight = options_.max_stream_in_flight,
                            .max_bytes = options_.max_stream_bytes,
                            .metrics = metrics_,
                            .budget = &engine_->append_budget(),
                            .watch = watch_};
  return new AppendStreamReactor(shared, context, who->name,
                                 engine_->Appender(*who, methods::kAppendStream));
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* LogServiceImpl::ReadEvents(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  using Rejected = RejectedReactor<grpc::ServerWriteReactor<grpc::ByteBuffer>>;
  absl::StatusOr<Principal> who = Authorize(*engine_, *context, methods::kReadEvents);
  if (!who.ok()) return new Rejected(who.status());
  v1::ReadEventsRequest request;
  if (absl::Status s = ParseRequest(*raw_request, &request); !s.ok()) return new Rejected(s);
  absl::StatusOr<std::unique_ptr<engine::LogReader>> reader = engine_->ReadEvents(*who, request);
  if (!reader.ok()) return new Rejected(reader.status(), context);
  return new ReadEventsReactor(*std::move(reader), context, watch_);
}

grpc::ServerUnaryReactor* LogServiceImpl::GetLogInfo(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return ServeUnary(*engine_, methods::kGetLogInfo, context, request, response, engine_,
                    &engine::Engine::GetLogInfo);
}

}  // namespace salestrack::server
