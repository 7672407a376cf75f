#include "tools/perf/amqp_wire.hpp"

#include <algorithm>

#include "amqp/codec/content.hpp"
#include "amqp/codec/methods.hpp"
#include "amqp/codec/wire.hpp"

namespace warren::perf {

namespace {

// The first byte where `a` and `b` differ (they have one length).
std::size_t first_difference(const std::string& a, const std::string& b) {
    return static_cast<std::size_t>(std::mismatch(a.begin(), a.end(), b.begin()).first - a.begin());
}

} // namespace

Template amqp_publish(const PerfOptions& options, std::uint32_t frame_max) {
    Template t;
    const std::size_t group_width =
        options.groups > 0 ? std::to_string(options.groups - 1).size() : 0;
    // The frames with each slot (stamp, message id, group key) filled with one character.
    const auto render = [&](char stamp, char id, char group) {
        std::string out;
        amqp::BasicPublish publish;
        publish.exchange = options.exchange;
        publish.routing_key = options.key();
        publish.mandatory = true;
        amqp::append_method(out, 1, publish);
        Properties properties;
        properties.delivery_mode = options.persistent ? 2 : 1;
        if (options.message_ids) {
            properties.message_id = std::string(kStampBytes, id);
        }
        if (options.groups > 0) {
            properties.headers["g"] = "g" + std::string(group_width, group);
        }
        std::string body(std::max(options.size, kStampBytes), 'x');
        std::fill_n(body.begin(), kStampBytes, stamp);
        amqp::append_content(out, 1, properties, body, frame_max);
        return out;
    };
    // Where the slots are is whatever the codec made of them: found by rendering each with
    // another character and comparing, rather than by re-deriving the frame layout here.
    t.text = render('0', '0', '0');
    t.stamp_at = first_difference(t.text, render('1', '0', '0'));
    if (options.message_ids) {
        t.id_at = first_difference(t.text, render('0', '1', '0'));
    }
    if (options.groups > 0) {
        t.group_at = first_difference(t.text, render('0', '0', '1'));
        t.group_width = group_width;
        t.groups = options.groups;
    }
    return t;
}

bool method_ids(std::string_view payload, std::uint16_t& class_id, std::uint16_t& method_id) {
    if (payload.size() < 4) {
        return false;
    }
    class_id = amqp::get_u16(payload);
    method_id = amqp::get_u16(payload.substr(2));
    return true;
}

std::optional<std::uint64_t> content_body_size(std::string_view payload) {
    // class id, weight, body size (spec 4.2.6.1).
    if (payload.size() < 12) {
        return std::nullopt;
    }
    return amqp::get_u64(payload.substr(4));
}

} // namespace warren::perf
