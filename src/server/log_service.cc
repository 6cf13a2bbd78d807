#include "server/log_service.h"

#include "salestrack/event_error.h"
#include "server/append_stream_reactor.h"
#include "server/grpc_status.h"
#include "server/read_events_reactor.h"
#include "server/rejected_reactor.h"

namespace salestrack::server {

void ToAppendError(const absl::Status& status, v1::AppendError* error) {
  error->set_code(static_cast<int>(ToGrpcCode(status.code())));
  error->set_message(std::string(status.message()));
  std::optional<EventErrorLocation> location = GetEventErrorLocation(status);
  error->set_event_index(location ? location->event_index : -1);
  if (location) error->set_field(location->field);
}

absl::Status CheckAppend(const Principal& who, const store::Events& events, const Views& views) {
  if (who.role == Role::kAdmin || who.role == Role::kConnector) return absl::OkStatus();
  return views.Read([&](const Projector& p) { return CheckAppendScope(who, events, p.org()); });
}

grpc::ServerUnaryReactor* LogServiceImpl::Append(grpc::CallbackServerContext* context,
                                                 const v1::AppendRequest* request,
                                                 v1::AppendResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Principal> who = auth_->Authorize(*context, methods::kAppend);
  absl::Status s = who.ok() ? CheckAppend(*who, request->events(), *views_) : who.status();
  if (s.ok()) s = ValidateBatch(request->events(), clock_->Now(), options_.validation);
  if (!s.ok()) {
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
  absl::StatusOr<Principal> who = auth_->Authorize(*context, methods::kAppendStream);
  if (!who.ok()) {
    return new RejectedReactor<grpc::ServerBidiReactor<v1::AppendRequest, v1::AppendStreamResponse>>(
        who.status());
  }
  return new AppendStreamReactor(
      sequencer_, clock_, options_.validation, options_.max_stream_in_flight,
      [who = *who, views = views_](const store::Events& events) {
        return CheckAppend(who, events, *views);
      });
}

grpc::ServerWriteReactor<v1::ReadEventsResponse>* LogServiceImpl::ReadEvents(
    grpc::CallbackServerContext* context, const v1::ReadEventsRequest* request) {
  absl::StatusOr<Principal> who = auth_->Authorize(*context, methods::kReadEvents);
  if (!who.ok()) {
    return new RejectedReactor<grpc::ServerWriteReactor<v1::ReadEventsResponse>>(who.status());
  }
  return new ReadEventsReactor(store_, sequencer_, *request);
}

}  // namespace salestrack::server
