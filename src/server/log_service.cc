#include "server/log_service.h"

#include "absl/strings/str_cat.h"
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
  if (std::optional<absl::Duration> after = RetryAfter(status)) {
    error->set_retry_after_ms(static_cast<uint32_t>(RetryAfterMs(*after)));
  }
  if (std::optional<size_t> max = MaxBatchEventsHint(status)) {
    error->set_max_batch_events(static_cast<uint32_t>(*max));
  }
}

absl::Status AdmitAppend(const Principal& who, const store::Events& events, const Views& views,
                         RateLimiter& limiter) {
  if (who.role != Role::kAdmin && who.role != Role::kConnector) {
    absl::Status in_scope =
        views.Read([&](const Projector& p) { return CheckAppendScope(who, events, p.org()); });
    if (!in_scope.ok()) return in_scope;
  }
  return limiter.Take(who, events.size());
}

grpc::ServerUnaryReactor* LogServiceImpl::Append(grpc::CallbackServerContext* context,
                                                 const v1::AppendRequest* request,
                                                 v1::AppendResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const size_t events = request->events_size();
  absl::StatusOr<Principal> who = auth_->Authorize(*context, methods::kAppend);
  absl::Status s =
      who.ok() ? AdmitAppend(*who, request->events(), *views_, *limiter_) : who.status();
  if (s.ok()) s = ValidateBatch(request->events(), clock_->Now(), options_.validation);
  if (!s.ok()) {
    metrics_->AppendAnswered(events, s);
    reactor->Finish(ToGrpcStatus(s, context));
    return reactor;
  }
  // The request and response live until Finish, which runs after the commit.
  sequencer_->Submit(&request->events(),
                     [reactor, response, events, metrics = metrics_](
                         absl::StatusOr<store::AppendResult> result) {
                       metrics->AppendAnswered(events, result);
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
      sequencer_, clock_, options_.validation, options_.max_stream_in_flight, metrics_,
      [who = *who, views = views_, limiter = limiter_](const store::Events& events) {
        return AdmitAppend(who, events, *views, *limiter);
      });
}

grpc::ServerWriteReactor<v1::ReadEventsResponse>* LogServiceImpl::ReadEvents(
    grpc::CallbackServerContext* context, const v1::ReadEventsRequest* request) {
  absl::StatusOr<Principal> who = auth_->Authorize(*context, methods::kReadEvents);
  if (!who.ok()) {
    return new RejectedReactor<grpc::ServerWriteReactor<v1::ReadEventsResponse>>(who.status());
  }
  if (request->follow()) {
    // Counted up here and down when the stream ends (ReadEventsReactor::OnDone).
    if (followers_.fetch_add(1) >= options_.max_log_followers) {
      followers_.fetch_sub(1);
      absl::Status full = absl::ResourceExhaustedError(absl::StrCat(
          "this daemon serves at most ", options_.max_log_followers,
          " live ReadEvents streams (limits.max_log_followers); retry later"));
      SetRetryAfter(&full, kFullRetryAfter);
      return new RejectedReactor<grpc::ServerWriteReactor<v1::ReadEventsResponse>>(full, context);
    }
    return new ReadEventsReactor(store_, sequencer_, *request, &followers_);
  }
  return new ReadEventsReactor(store_, sequencer_, *request, nullptr);
}

grpc::ServerUnaryReactor* LogServiceImpl::GetLogInfo(grpc::CallbackServerContext* context,
                                                     const v1::GetLogInfoRequest* /*request*/,
                                                     v1::GetLogInfoResponse* response) {
  if (auto who = auth_->Authorize(*context, methods::kGetLogInfo); !who.ok()) {
    return FinishUnary(context, who.status());
  }
  response->set_head_seq(sequencer_->committed_seq());
  response->set_time_zone(views_->zone().name());
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace salestrack::server
