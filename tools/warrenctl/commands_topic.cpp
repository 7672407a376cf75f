// topic create | describe | list | delete (DESIGN.md section 9): Kafka's kafka-topics, over the
// management API. A topic is an x-consistent-hash exchange with the argument x-partitions and
// its partition streams NAME-0 .. NAME-N-1 bound to it with weight 1; the server routes a key
// (x-partition-key header, else the routing key) to one partition and serves consumer groups.

#include <algorithm>
#include <iostream>

#include <boost/json.hpp>

#include "tools/client/server_url.hpp"
#include "tools/warrenctl/commands.hpp"
#include "tools/warrenctl/output.hpp"
#include "tools/warrenctl/topics.hpp"

namespace warren::ctl {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

std::string topic_subject(const Context& ctx, std::string_view name) {
    return "topic '" + std::string(name) + "' in " + ctx.vhost_phrase();
}

std::string stream_path(const Context& ctx, std::string_view name) {
    return "/api/streams/" + ctx.vhost_segment() + "/" + client::encode_segment(name);
}

// The retention a topic's streams were declared with, from the first one.
json::object retention_of(Context& ctx, const std::vector<std::string>& partitions) {
    json::object out;
    if (partitions.empty()) {
        return out;
    }
    json::value queue = ctx.get_json("/api/queues/" + ctx.vhost_segment() + "/" +
                                         client::encode_segment(partitions.front()),
                                     "queue '" + partitions.front() + "'");
    if (const auto* args = queue.as_object().if_contains("arguments");
        args != nullptr && args->is_object()) {
        for (const char* key : {"x-max-age", "x-max-length-bytes"}) {
            if (const auto* v = args->as_object().if_contains(key)) {
                out[key] = *v;
            }
        }
    }
    return out;
}

} // namespace

void topic_create(Context& ctx) {
    const Invocation& inv = ctx.invocation();
    const std::string name = *inv.arg(0);
    const std::uint64_t partitions =
        inv.value("partitions") ? parse_count(*inv.value("partitions"), "partitions").value() : 1;
    json::object stream_arguments{{"x-queue-type", "stream"}};
    if (auto age = inv.value("max-age")) {
        stream_arguments["x-max-age"] = *age;
    }
    if (auto size = inv.value("max-bytes")) {
        stream_arguments["x-max-length-bytes"] = *parse_size(*size);
    }
    // The streams first: a topic whose exchange exists has its partitions.
    for (std::uint64_t i = 0; i < partitions; ++i) {
        const std::string stream = partition_name(name, i);
        ctx.call(http::verb::put,
                 "/api/queues/" + ctx.vhost_segment() + "/" + client::encode_segment(stream),
                 json::serialize(json::object{{"durable", true}, {"arguments", stream_arguments}}),
                 ctx.vhost_phrase());
    }
    json::object exchange{{"type", "x-consistent-hash"},
                          {"durable", true},
                          {"arguments", json::object{{"x-partitions", partitions}}}};
    auto created =
        ctx.call(http::verb::put,
                 "/api/exchanges/" + ctx.vhost_segment() + "/" + client::encode_segment(name),
                 json::serialize(exchange), ctx.vhost_phrase());
    for (std::uint64_t i = 0; i < partitions; ++i) {
        ctx.call(http::verb::post,
                 "/api/bindings/" + ctx.vhost_segment() + "/e/" + client::encode_segment(name) +
                     "/q/" + client::encode_segment(partition_name(name, i)),
                 R"({"routing_key":"1"})", topic_subject(ctx, name));
    }
    if (ctx.json()) {
        print_json(std::cout, json::object{{"topic", name},
                                           {"vhost", ctx.settings().vhost},
                                           {"partitions", partitions},
                                           {"created", created.status == 201}});
    } else {
        std::cout << "topic '" << name << "' "
                  << (created.status == 201 ? "created" : "already exists, unchanged") << " with "
                  << partitions << (partitions == 1 ? " partition\n" : " partitions\n");
    }
}

void topic_describe(Context& ctx) {
    const std::string name = *ctx.invocation().arg(0);
    const auto partitions = topic_partitions(ctx, name);
    if (!partitions) {
        throw Failure{kExitNotFound, "not_found: no " + topic_subject(ctx, name)};
    }
    json::array streams;
    for (const auto& p : *partitions) {
        json::value summary = ctx.get_json(stream_path(ctx, p), "stream '" + p + "'");
        summary.as_object()["name"] = p;
        streams.push_back(std::move(summary));
    }
    const json::object retention = retention_of(ctx, *partitions);
    if (ctx.json()) {
        print_json(std::cout, json::object{{"topic", name},
                                           {"vhost", ctx.settings().vhost},
                                           {"partitions", streams},
                                           {"retention", retention}});
        return;
    }
    std::cout << "Topic: " << name << "\tPartitions: " << partitions->size()
              << "\tRetention: " << (retention.empty() ? "none" : json::serialize(retention))
              << "\n\n";
    std::vector<Row> rows;
    std::vector<Row> consumers;
    for (const auto& s : streams) {
        const bool empty = s.at("messages") == 0;
        rows.push_back({cell(s, "name"), empty ? "-" : cell(s, "first_offset"),
                        empty ? "-" : cell(s, "last_offset"), cell(s, "messages"), cell(s, "bytes"),
                        cell(s, "segments")});
        for (const auto& c : s.at("consumers").as_array()) {
            consumers.push_back(
                {cell(c, "name"), cell(s, "name"), cell(c, "offset"), cell(c, "lag")});
        }
    }
    print_table(std::cout, {"PARTITION", "FIRST", "LAST", "MESSAGES", "BYTES", "SEGMENTS"}, rows);
    std::cout << '\n';
    if (consumers.empty()) {
        std::cout << "consumers: none with a stored offset\n";
        return;
    }
    std::sort(consumers.begin(), consumers.end());
    print_table(std::cout, {"CONSUMER", "PARTITION", "OFFSET", "LAG"}, consumers);
}

void topic_list(Context& ctx) {
    json::value list = ctx.get_json("/api/exchanges/" + ctx.vhost_segment(), ctx.vhost_phrase());
    json::array topics;
    std::vector<Row> rows;
    for (const auto& e : list.as_array()) {
        const auto* args = e.as_object().if_contains("arguments");
        const json::value* partitions = args != nullptr && args->is_object()
                                            ? args->as_object().if_contains("x-partitions")
                                            : nullptr;
        if (e.at("type") != "x-consistent-hash" || partitions == nullptr) {
            continue;
        }
        topics.push_back({{"name", e.at("name")}, {"partitions", *partitions}});
        rows.push_back({cell(e, "name"), cell(*partitions)});
    }
    if (ctx.json()) {
        print_json(std::cout, topics);
        return;
    }
    print_table(std::cout, {"TOPIC", "PARTITIONS"}, rows);
}

void topic_delete(Context& ctx) {
    const std::string name = *ctx.invocation().arg(0);
    const auto partitions = topic_partitions(ctx, name);
    if (!partitions) {
        throw Failure{kExitNotFound, "not_found: no " + topic_subject(ctx, name)};
    }
    ctx.call(http::verb::delete_,
             "/api/exchanges/" + ctx.vhost_segment() + "/" + client::encode_segment(name), {},
             topic_subject(ctx, name));
    for (const auto& p : *partitions) {
        ctx.call(http::verb::delete_,
                 "/api/queues/" + ctx.vhost_segment() + "/" + client::encode_segment(p), {},
                 "stream '" + p + "'");
    }
    if (ctx.json()) {
        print_json(
            std::cout,
            json::object{{"topic", name}, {"vhost", ctx.settings().vhost}, {"deleted", true}});
    } else {
        std::cout << "topic '" << name << "' deleted with its " << partitions->size()
                  << (partitions->size() == 1 ? " partition\n" : " partitions\n");
    }
}

} // namespace warren::ctl
