#include "server/undecodable.h"

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/wire_format_lite.h"

namespace salestrack::server {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// protobuf's default recursion limit (CodedInputStream::default_recursion_limit_).
constexpr int kMaxDepth = 100;

// The result of a walk: nullopt while everything decodes.
using Problem = std::optional<UndecodableField>;

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : absl::StrCat(path, ".", name);
}

// A packed run of scalars (one length-delimited field): every element must be whole.
Problem CheckPacked(const FieldDescriptor& field, absl::string_view payload,
                    const std::string& at) {
  const WireFormatLite::WireType wire =
      WireFormatLite::WireTypeForFieldType(static_cast<WireFormatLite::FieldType>(field.type()));
  if (wire == WireFormatLite::WIRETYPE_VARINT) {
    CodedInputStream in(reinterpret_cast<const uint8_t*>(payload.data()),
                        static_cast<int>(payload.size()));
    uint64_t v;
    while (in.CurrentPosition() < static_cast<int>(payload.size())) {
      if (!in.ReadVarint64(&v)) {
        return UndecodableField{at, "a packed list ends inside a number (truncated?)"};
      }
    }
    return std::nullopt;
  }
  const size_t width = wire == WireFormatLite::WIRETYPE_FIXED32 ? 4 : 8;
  if (payload.size() % width != 0) {
    return UndecodableField{
        at, absl::StrCat("a packed list of ", payload.size(), " bytes is not a whole number of ",
                         width, "-byte values (truncated?)")};
  }
  return std::nullopt;
}

// Walks one message's bytes; `path` names the message.
Problem Walk(const Descriptor& type, absl::string_view bytes, const std::string& path, int depth) {
  if (depth > kMaxDepth) {
    return UndecodableField{path,
                            absl::StrCat("messages are nested more than ", kMaxDepth, " deep")};
  }
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  absl::flat_hash_map<int, int> seen;  // Field number -> elements so far (repeated fields).
  const int size = static_cast<int>(bytes.size());
  while (in.CurrentPosition() < size) {
    const int at_byte = in.CurrentPosition();
    uint32_t tag = in.ReadTag();
    if (tag == 0) {
      return UndecodableField{path, absl::StrCat("malformed or truncated field tag at byte ",
                                                 at_byte, " of ", type.full_name())};
    }
    const int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    if (number == 0) return UndecodableField{path, "field number 0 is not allowed"};
    const FieldDescriptor* field = type.FindFieldByNumber(number);
    std::string name = field != nullptr ? field->name() : absl::StrCat("#", number);
    if (field != nullptr && field->is_repeated() && !field->is_packable()) {
      absl::StrAppend(&name, "[", seen[number]++, "]");
    }
    const std::string at = Join(path, name);
    switch (WireFormatLite::GetTagWireType(tag)) {
      case WireFormatLite::WIRETYPE_VARINT: {
        uint64_t v;
        if (!in.ReadVarint64(&v)) return UndecodableField{at, "malformed or truncated number"};
        break;
      }
      case WireFormatLite::WIRETYPE_FIXED64: {
        uint64_t v;
        if (!in.ReadLittleEndian64(&v)) return UndecodableField{at, "truncated 8-byte value"};
        break;
      }
      case WireFormatLite::WIRETYPE_FIXED32: {
        uint32_t v;
        if (!in.ReadLittleEndian32(&v)) return UndecodableField{at, "truncated 4-byte value"};
        break;
      }
      case WireFormatLite::WIRETYPE_LENGTH_DELIMITED: {
        uint32_t length;
        if (!in.ReadVarint32(&length)) {
          return UndecodableField{at, "malformed or truncated length"};
        }
        const int left = size - in.CurrentPosition();
        if (length > static_cast<uint32_t>(left)) {
          return UndecodableField{at, absl::StrCat("declares ", length, " bytes but only ", left,
                                                   " are left (truncated?)")};
        }
        absl::string_view payload = bytes.substr(in.CurrentPosition(), length);
        in.Skip(static_cast<int>(length));
        if (field == nullptr) break;  // Kept as an unknown field, unchecked.
        if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
          if (Problem p = Walk(*field->message_type(), payload, at, depth + 1)) return p;
        } else if (field->type() == FieldDescriptor::TYPE_STRING &&
                   field->file()->syntax() == FileDescriptor::SYNTAX_PROTO3 &&
                   !google::protobuf::internal::IsStructurallyValidUTF8(
                       payload.data(), static_cast<int>(payload.size()))) {
          return UndecodableField{at, "is not valid UTF-8 (a string field must be UTF-8 text)"};
        } else if (field->is_packable()) {
          if (Problem p = CheckPacked(*field, payload, at)) return p;
        }
        break;
      }
      case WireFormatLite::WIRETYPE_START_GROUP:
        if (!WireFormatLite::SkipField(&in, tag)) {
          return UndecodableField{at, "malformed or unterminated group"};
        }
        break;
      case WireFormatLite::WIRETYPE_END_GROUP:
        return UndecodableField{at, "an end-group tag without its start"};
      default:
        return UndecodableField{
            at, absl::StrCat("unknown wire type ", WireFormatLite::GetTagWireType(tag))};
    }
  }
  return std::nullopt;
}

}  // namespace

UndecodableField FindUndecodableField(const Descriptor& type, absl::string_view bytes) {
  if (Problem p = Walk(type, bytes, "", 0)) return *std::move(p);
  return UndecodableField{"", "rejected by the protobuf parser (no field found at fault)"};
}

std::optional<uint64_t> FindTopLevelVarint(absl::string_view bytes, int field_number) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  std::optional<uint64_t> found;
  while (uint32_t tag = in.ReadTag()) {
    if (static_cast<int>(WireFormatLite::GetTagFieldNumber(tag)) == field_number &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t v;
      if (!in.ReadVarint64(&v)) break;
      found = v;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      break;
    }
  }
  return found;
}

}  // namespace salestrack::server
