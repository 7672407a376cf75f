#include "amqp/codec/methods.hpp"

#include <utility>

#include "amqp/codec/frame.hpp"
#include "amqp/codec/reply_codes.hpp"

namespace warren::amqp {
namespace {

// Decodes the fields of the alternative whose ids match, trying each in turn (the compiler
// folds the chain into comparisons).
template <std::size_t... I>
bool decode_alternative(std::uint16_t class_id, std::uint16_t method_id, WireReader& reader,
                        std::optional<Method>& out, std::index_sequence<I...>) {
    const auto try_one = [&]<std::size_t N>(std::integral_constant<std::size_t, N>) {
        using M = std::variant_alternative_t<N, Method>;
        if (M::kClass != class_id || M::kMethod != method_id) {
            return false;
        }
        M method;
        method.fields(reader);
        out.emplace(std::move(method));
        return true;
    };
    return (try_one(std::integral_constant<std::size_t, I>{}) || ...);
}

bool known_class(std::uint16_t class_id) {
    switch (class_id) {
    case 10:
    case 20:
    case 40:
    case 50:
    case 60:
    case 85:
    case 90:
        return true;
    default:
        return false;
    }
}

} // namespace

DecodedMethod decode_method(std::string_view payload) {
    DecodedMethod decoded;
    WireReader reader(payload);
    std::uint16_t class_id = 0;
    std::uint16_t method_id = 0;
    reader.short_(class_id);
    reader.short_(method_id);
    decoded.error.class_id = class_id;
    decoded.error.method_id = method_id;
    if (reader.failed()) {
        decoded.error.reply_code = reply::kFrameError;
        decoded.error.text = "method frame too short";
        return decoded;
    }
    std::optional<Method> method;
    if (!decode_alternative(class_id, method_id, reader, method,
                            std::make_index_sequence<std::variant_size_v<Method>>{})) {
        // RabbitMQ: an unknown class or method id is a command it does not know.
        decoded.error.reply_code =
            known_class(class_id) ? reply::kCommandInvalid : reply::kNotImplemented;
        decoded.error.text =
            "unknown method " + std::to_string(class_id) + "." + std::to_string(method_id);
        return decoded;
    }
    if (reader.failed()) {
        decoded.error.reply_code = reply::kSyntaxError;
        decoded.error.text =
            "cannot decode " + std::string(name_of(*method)) + ": " + reader.reason();
        return decoded;
    }
    decoded.method = std::move(method);
    return decoded;
}

void append_method(std::string& out, std::uint16_t channel, const Method& method) {
    const std::size_t start = begin_frame(out, FrameType::method, channel);
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            put_u16(out, M::kClass);
            put_u16(out, M::kMethod);
            WireWriter writer(out);
            // fields() is one list for both directions; the writer only reads the members.
            const_cast<M&>(m).fields(writer);
        },
        method);
    end_frame(out, start);
}

std::uint16_t class_id_of(const Method& method) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kClass; }, method);
}

std::uint16_t method_id_of(const Method& method) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kMethod; }, method);
}

std::string_view name_of(const Method& method) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kName; }, method);
}

namespace reply {

const char* name(std::uint16_t code) {
    switch (code) {
    case kSuccess:
        return "OK";
    case kContentTooLarge:
        return "CONTENT_TOO_LARGE";
    case kNoRoute:
        return "NO_ROUTE";
    case kNoConsumers:
        return "NO_CONSUMERS";
    case kConnectionForced:
        return "CONNECTION_FORCED";
    case kInvalidPath:
        return "INVALID_PATH";
    case kAccessRefused:
        return "ACCESS_REFUSED";
    case kNotFound:
        return "NOT_FOUND";
    case kResourceLocked:
        return "RESOURCE_LOCKED";
    case kPreconditionFailed:
        return "PRECONDITION_FAILED";
    case kFrameError:
        return "FRAME_ERROR";
    case kSyntaxError:
        return "SYNTAX_ERROR";
    case kCommandInvalid:
        return "COMMAND_INVALID";
    case kChannelError:
        return "CHANNEL_ERROR";
    case kUnexpectedFrame:
        return "UNEXPECTED_FRAME";
    case kResourceError:
        return "RESOURCE_ERROR";
    case kNotAllowed:
        return "NOT_ALLOWED";
    case kNotImplemented:
        return "NOT_IMPLEMENTED";
    case kInternalError:
        return "INTERNAL_ERROR";
    default:
        return "UNKNOWN";
    }
}

} // namespace reply
} // namespace warren::amqp
