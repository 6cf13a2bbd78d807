#include "store/time_zone_binding.h"

#include "absl/strings/str_cat.h"
#include "salestrack/status_macros.h"

namespace salestrack::store {

absl::StatusOr<TimeZoneChoice> ChooseTimeZone(const std::optional<std::string>& stored,
                                              uint64_t head, const TimeZoneRequest& request,
                                              const std::string& dir) {
  TimeZoneChoice choice;
  if (!stored) {
    choice.name = request.zone.empty() ? kDefaultTimeZone : request.zone;
    choice.store = true;
  } else if (request.zone.empty() || request.zone == *stored) {
    choice.name = *stored;
  } else if (head == 0 || request.reproject) {
    choice.name = request.zone;
    choice.store = true;
    choice.previous = *stored;
    choice.reprojected = head > 0;
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", dir, " holds figures computed in time zone \"", *stored,
        "\", but this start asks for \"", request.zone,
        "\" (--time_zone or the config's time_zone): its day, week, month, quarter and year "
        "figures would change. Start without a time zone (the data directory's is used) or with \"",
        *stored, "\"; to re-project every figure under \"", request.zone,
        "\", add --reproject_time_zone (see docs/data-safety.md)"));
  }
  if (!absl::LoadTimeZone(choice.name, &choice.zone)) {
    return absl::FailedPreconditionError(
        absl::StrCat("time zone \"", choice.name, "\" of data directory ", dir,
                     " is not one this machine knows (is tzdata installed?)"));
  }
  return choice;
}

absl::StatusOr<TimeZoneChoice> BindTimeZone(LogStore& store, const TimeZoneRequest& request) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, store.ReadMeta(kTimeZoneKey));
  ASSIGN_OR_RETURN(TimeZoneChoice choice,
                   ChooseTimeZone(stored, store.head_at_open(), request, store.dir()));
  if (choice.store) RETURN_IF_ERROR(store.WriteMeta(kTimeZoneKey, choice.name));
  return choice;
}

}  // namespace salestrack::store
