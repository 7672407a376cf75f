#include "server/message_decoder.hpp"

#include "common/properties_json.hpp"

namespace warren::server {

Result<Properties> MessageDecoder::properties(std::string_view text) {
    if (!has_last_ || text != last_text_) {
        auto parsed = parse_properties(text);
        if (!parsed) {
            return parsed.error();
        }
        last_ = std::move(*parsed);
        last_text_.assign(text);
        has_last_ = true;
    }
    return last_;
}

Result<MessagePtr> MessageDecoder::decode(storage::MessageRecord&& record) {
    auto props = properties(record.properties);
    if (!props) {
        return props.error();
    }
    return std::make_shared<const Message>(Message{std::move(record.exchange),
                                                   std::move(record.routing_key), std::move(*props),
                                                   std::move(record.body)});
}

} // namespace warren::server
