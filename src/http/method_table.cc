#include "http/method_table.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace salestrack::http {

const Method* MethodTable::Find(absl::string_view name) const {
  auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

absl::Status MethodTable::CheckComplete() const {
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* service_name :
       {"salestrack.v1.LogService", "salestrack.v1.KpiService", "salestrack.v1.AdminService",
        "salestrack.v1.LeaderboardService"}) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(service_name);
    if (service == nullptr) {
      return absl::InternalError(absl::StrCat(service_name, " is not in the descriptor pool"));
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string name =
          absl::StrCat("/", service->full_name(), "/", service->method(i)->name());
      if (!methods_.contains(name)) {
        return absl::InternalError(absl::StrCat("the HTTP front door has no entry for ", name));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace salestrack::http
