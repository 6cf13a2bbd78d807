#include "server/log_service.h"

#include "salestrack/event_error.h"
#include "server/append_stream_reactor.h"
#include "server/grpc_status.h"
#include "server/read_events_reactor.h"

namespace salestrack::server {

void ToAppendError(const absl::Status& status, v1::AppendError* error) {
  error->set_code(static_cast<int>(ToGrpcCode(status.code())));
  error->set_message(std::string(status.message()));
  std::optional<EventErrorLocation> location = GetEventErrorLocation(status);
  error->set_event_index(location ? location->event_index : -1);
  if (location) error->set_field(location->field);
}

grpc::ServerUnaryReactor* LogServiceImpl::Append(grpc::CallbackServerContext* context,
                                                 const v1::AppendRequest* request,
                                                 v1::AppendResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status s = ValidateBatch(request->events(), clock_->Now(), options_.validation);
      !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  // The request and response live until Finish, which runs after the commit.
  sequencer_->Submit(&request->events(),
                     [reactor, response](absl::StatusOr<store::AppendResult> result) {
                       if (!result.ok()) {
                         reactor->Finish(ToGrpcStatus(result.status()));
                         return;
                       }
                       response->mutable_seqs()->Add(result->seqs.begin(), result->seqs.end());
                       response->set_duplicates(result->duplicates);
                       reactor->Finish(grpc::Status::OK);
                     });
  return reactor;
}

grpc::ServerBidiReactor<v1::AppendRequest, v1::AppendStreamResponse>* LogServiceImpl::AppendStream(
    grpc::CallbackServerContext* context) {
  return new AppendStreamReactor(sequencer_, clock_, options_.validation,
                                 options_.max_stream_in_flight);
}

grpc::ServerWriteReactor<v1::ReadEventsResponse>* LogServiceImpl::ReadEvents(
    grpc::CallbackServerContext* context, const v1::ReadEventsRequest* request) {
  return new ReadEventsReactor(store_, sequencer_, *request);
}

}  // namespace salestrack::server
