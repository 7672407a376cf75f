#include "tools/warrenctl/topics.hpp"

#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "tools/client/server_url.hpp"

namespace warren::ctl {

namespace json = boost::json;

std::string partition_name(std::string_view topic, std::uint64_t index) {
    return std::string(topic) + "-" + std::to_string(index);
}

std::optional<std::vector<std::string>> topic_partitions(Context& ctx, std::string_view name) {
    const std::string path =
        "/api/exchanges/" + ctx.vhost_segment() + "/" + client::encode_segment(name);
    const auto found = name.empty() ? std::nullopt : ctx.find_json(path);
    if (!found) {
        return std::nullopt;
    }
    const std::string subject = "exchange '" + std::string(name) + "'";
    const json::value& exchange = *found;
    const auto* args = exchange.as_object().if_contains("arguments");
    if (exchange.at("type") != "x-consistent-hash" || args == nullptr || !args->is_object() ||
        !args->as_object().contains("x-partitions")) {
        return std::nullopt;
    }
    std::set<std::string> seen;
    std::vector<std::string> out;
    const json::value bindings = ctx.get_json(path + "/bindings/source", subject);
    for (const auto& b : bindings.as_array()) {
        if (b.at("destination_type") == "queue") {
            std::string queue(b.at("destination").as_string());
            if (seen.insert(queue).second) {
                out.push_back(std::move(queue));
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return out;
}

} // namespace warren::ctl
