#include "signal/protocol/sample_message.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include <string>

#include "signal/protocol/livekit_agent_dispatch.pb.h"
#include "signal/protocol/livekit_egress.pb.h"
#include "signal/protocol/livekit_metrics.pb.h"
#include "signal/protocol/livekit_models.pb.h"
#include "signal/protocol/livekit_room.pb.h"
#include "signal/protocol/livekit_rtc.pb.h"

namespace auralink::signal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Well-known types have JSON forms with their own rules; give them values both mappings accept.
bool FillWellKnown(Message* message, int value) {
  const std::string& name = message->GetDescriptor()->full_name();
  if (name != "google.protobuf.Timestamp" && name != "google.protobuf.Duration") return false;
  const Reflection* reflection = message->GetReflection();
  const auto* descriptor = message->GetDescriptor();
  reflection->SetInt64(message, descriptor->FindFieldByName("seconds"), 1700000000 + value);
  reflection->SetInt32(message, descriptor->FindFieldByName("nanos"), 1000 * (value % 1000));
  return true;
}

void AddOrSetScalar(Message* message, const FieldDescriptor* field, int value) {
  const Reflection* r = message->GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      repeated ? r->AddInt32(message, field, -value) : r->SetInt32(message, field, -value);
      break;
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t v = -(int64_t{1} << 40) - value;  // beyond 2^32 so 64-bit handling is exercised
      repeated ? r->AddInt64(message, field, v) : r->SetInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32:
      repeated ? r->AddUInt32(message, field, 4000000000u + value)
               : r->SetUInt32(message, field, 4000000000u + value);
      break;
    case FieldDescriptor::CPPTYPE_UINT64: {
      const uint64_t v = (uint64_t{1} << 50) + value;
      repeated ? r->AddUInt64(message, field, v) : r->SetUInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
      repeated ? r->AddDouble(message, field, value + 0.5)
               : r->SetDouble(message, field, value + 0.5);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      repeated ? r->AddFloat(message, field, value + 0.25f)
               : r->SetFloat(message, field, value + 0.25f);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      repeated ? r->AddBool(message, field, true) : r->SetBool(message, field, true);
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* type = field->enum_type();
      // A non-zero value where there is one, so it is not skipped as a default.
      const auto* enum_value =
          type->value(type->value_count() > 1 ? 1 + value % (type->value_count() - 1) : 0);
      repeated ? r->AddEnum(message, field, enum_value) : r->SetEnum(message, field, enum_value);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string text;
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        text = std::string("\x00\xff\x7f", 3) + std::to_string(value);
      } else {
        text = field->name() + "-" + std::to_string(value) + "-\xc3\xa9";  // "é": UTF-8 survives
      }
      repeated ? r->AddString(message, field, text) : r->SetString(message, field, text);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
}

void Fill(Message* message, int seed, int depth) {
  if (FillWellKnown(message, seed)) return;
  const auto* descriptor = message->GetDescriptor();
  const Reflection* r = message->GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const auto* oneof = field->real_containing_oneof();
    if (oneof != nullptr && oneof->field(seed % oneof->field_count()) != field) continue;
    const int value = seed * 100 + field->number();
    if (field->is_map()) {
      for (int k = 0; k < 2; ++k) {
        Message* entry = r->AddMessage(message, field);
        const auto* entry_type = entry->GetDescriptor();
        AddOrSetScalar(entry, entry_type->map_key(), value + k);
        const FieldDescriptor* map_value = entry_type->map_value();
        if (map_value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          if (depth > 0)
            Fill(entry->GetReflection()->MutableMessage(entry, map_value), seed + k, depth - 1);
        } else {
          AddOrSetScalar(entry, map_value, value + k);
        }
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (depth <= 0) continue;
      if (field->is_repeated()) {
        for (int k = 0; k < 2; ++k) Fill(r->AddMessage(message, field), seed + k, depth - 1);
      } else {
        Fill(r->MutableMessage(message, field), seed, depth - 1);
      }
    } else if (field->is_repeated()) {
      AddOrSetScalar(message, field, value);
      AddOrSetScalar(message, field, value + 1);
    } else {
      AddOrSetScalar(message, field, value);
    }
  }
}

void CollectTypes(const google::protobuf::Descriptor* type,
                  std::vector<const google::protobuf::Descriptor*>* types) {
  if (type->options().map_entry()) return;
  types->push_back(type);
  for (int i = 0; i < type->nested_type_count(); ++i) CollectTypes(type->nested_type(i), types);
}

}  // namespace

void FillSampleMessage(Message* message, int seed, int depth) { Fill(message, seed, depth); }

std::vector<const google::protobuf::Descriptor*> AllLivekitMessageTypes() {
  const google::protobuf::FileDescriptor* files[] = {
      livekit::RoomAgentDispatch::descriptor()->file(),
      livekit::RoomCompositeEgressRequest::descriptor()->file(),
      livekit::MetricsBatch::descriptor()->file(),
      livekit::Room::descriptor()->file(),
      livekit::CreateRoomRequest::descriptor()->file(),
      livekit::SignalRequest::descriptor()->file(),
  };
  std::vector<const google::protobuf::Descriptor*> types;
  for (const auto* file : files) {
    for (int i = 0; i < file->message_type_count(); ++i)
      CollectTypes(file->message_type(i), &types);
  }
  return types;
}

}  // namespace auralink::signal
