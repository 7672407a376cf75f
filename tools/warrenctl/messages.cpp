#include "tools/warrenctl/messages.hpp"

#include <ostream>

#include "common/base64.hpp"
#include "common/utf8.hpp"

namespace warren::ctl {

namespace json = boost::json;

json::object publish_body(std::string_view routing_key, std::string_view payload,
                          const json::object& properties) {
    json::object props = properties;
    props["delivery_mode"] = 2;
    json::object body;
    body["properties"] = std::move(props);
    body["routing_key"] = routing_key;
    if (is_valid_utf8(payload)) {
        body["payload"] = payload;
        body["payload_encoding"] = "string";
    } else {
        body["payload"] = base64_encode(payload);
        body["payload_encoding"] = "base64";
    }
    return body;
}

void write_payload_line(std::ostream& out, const json::object& message) {
    const json::value* payload = message.if_contains("payload");
    const json::value* encoding = message.if_contains("payload_encoding");
    std::string_view text = payload && payload->is_string()
                                ? std::string_view(payload->get_string())
                                : std::string_view();
    if (encoding && encoding->is_string() && encoding->get_string() == "base64") {
        // Padding optional, as warrenctl has always read payloads.
        if (auto bytes = base64_decode(text, Base64Padding::optional)) {
            out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
            out << '\n';
            return;
        }
    }
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out << '\n';
}

} // namespace warren::ctl
