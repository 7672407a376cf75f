// queue create | delete | describe | purge | list, and get.

#include <iostream>

#include <boost/json.hpp>

#include "tools/client/server_url.hpp"
#include "tools/warrenctl/commands.hpp"
#include "tools/warrenctl/messages.hpp"
#include "tools/warrenctl/output.hpp"

namespace warren::ctl {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

std::string queue_path(const Context& ctx, std::string_view name) {
    return "/api/queues/" + ctx.vhost_segment() + "/" + client::encode_segment(name);
}

std::string queue_subject(const Context& ctx, std::string_view name) {
    return "queue '" + std::string(name) + "' in " + ctx.vhost_phrase();
}

void print_done(Context& ctx, const std::string& name, std::string_view what) {
    if (ctx.json()) {
        print_json(std::cout, json::object{{"queue", name},
                                           {"vhost", ctx.settings().vhost},
                                           {std::string(what), true}});
    } else {
        std::cout << "queue '" << name << "' " << what << '\n';
    }
}

} // namespace

void queue_create(Context& ctx) {
    const Invocation& inv = ctx.invocation();
    const std::string name = *inv.arg(0);
    json::object arguments;
    for (const auto& arg : inv.values("arg")) {
        auto kv = parse_queue_argument(arg).value(); // checked by the parser
        arguments[kv.first] = std::move(kv.second);
    }
    json::object body{{"durable", !inv.has("transient")},
                      {"auto_delete", inv.has("auto-delete")},
                      {"arguments", std::move(arguments)}};
    auto response =
        ctx.call(http::verb::put, queue_path(ctx, name), json::serialize(body), ctx.vhost_phrase());
    const bool created = response.status == 201;
    if (ctx.json()) {
        print_json(
            std::cout,
            json::object{{"queue", name}, {"vhost", ctx.settings().vhost}, {"created", created}});
    } else {
        std::cout << "queue '" << name << "' "
                  << (created ? "created" : "already exists, unchanged") << '\n';
    }
}

void queue_delete(Context& ctx) {
    const Invocation& inv = ctx.invocation();
    const std::string name = *inv.arg(0);
    std::string path = queue_path(ctx, name);
    std::string query;
    if (inv.has("if-empty")) {
        query += "if-empty=true";
    }
    if (inv.has("if-unused")) {
        query += std::string(query.empty() ? "" : "&") + "if-unused=true";
    }
    if (!query.empty()) {
        path += "?" + query;
    }
    ctx.call(http::verb::delete_, path, {}, queue_subject(ctx, name));
    print_done(ctx, name, "deleted");
}

void queue_purge(Context& ctx) {
    const std::string name = *ctx.invocation().arg(0);
    ctx.call(http::verb::delete_, queue_path(ctx, name) + "/contents", {},
             queue_subject(ctx, name));
    print_done(ctx, name, "purged");
}

void queue_describe(Context& ctx) {
    const std::string name = *ctx.invocation().arg(0);
    const std::string path = queue_path(ctx, name);
    json::value queue = ctx.get_json(path, queue_subject(ctx, name));
    json::value bindings = ctx.get_json(path + "/bindings", queue_subject(ctx, name));
    if (ctx.json()) {
        queue.as_object()["bindings"] = bindings;
        print_json(std::cout, queue);
        return;
    }
    print_fields(std::cout, {
                                {"name", cell(queue, "name")},
                                {"vhost", cell(queue, "vhost")},
                                {"durable", cell(queue, "durable")},
                                {"auto_delete", cell(queue, "auto_delete")},
                                {"exclusive", cell(queue, "exclusive")},
                                {"arguments", cell(queue, "arguments")},
                                {"messages", cell(queue, "messages")},
                                {"messages_ready", cell(queue, "messages_ready")},
                                {"messages_unacknowledged", cell(queue, "messages_unacknowledged")},
                                {"consumers", cell(queue, "consumers")},
                                {"published", cell(queue, "message_stats.publish")},
                                {"delivered", cell(queue, "message_stats.deliver_get")},
                                {"acked", cell(queue, "message_stats.ack")},
                                {"redelivered", cell(queue, "message_stats.redeliver")},
                            });
    std::cout << "\nbindings (routed here from):\n";
    std::vector<Row> rows;
    for (const auto& b : bindings.as_array()) {
        rows.push_back(
            {exchange_display(cell(b, "source")), cell(b, "routing_key"), cell(b, "arguments")});
    }
    print_table(std::cout, {"SOURCE", "ROUTING KEY", "ARGUMENTS"}, rows);
}

void queue_list(Context& ctx) {
    json::value list = ctx.get_json("/api/queues/" + ctx.vhost_segment(), ctx.vhost_phrase());
    if (ctx.json()) {
        print_json(std::cout, list);
        return;
    }
    std::vector<Row> rows;
    for (const auto& q : list.as_array()) {
        rows.push_back({cell(q, "name"), cell(q, "messages"), cell(q, "messages_ready"),
                        cell(q, "messages_unacknowledged"), cell(q, "consumers"),
                        cell(q, "durable")});
    }
    print_table(std::cout, {"NAME", "MESSAGES", "READY", "UNACKED", "CONSUMERS", "DURABLE"}, rows);
}

void queue_get(Context& ctx) {
    const Invocation& inv = ctx.invocation();
    const std::string name = *inv.arg(0);
    const std::uint64_t count =
        inv.value("count") ? parse_count(*inv.value("count"), "count").value() : 1;
    json::object body{{"count", count},
                      {"ackmode", inv.has("requeue") ? "ack_requeue_true" : "ack_requeue_false"},
                      {"encoding", "auto"}};
    auto response = ctx.call(http::verb::post, queue_path(ctx, name) + "/get",
                             json::serialize(body), queue_subject(ctx, name));
    json::value messages = json::parse(response.body);
    if (ctx.json()) {
        print_json(std::cout, messages);
        return;
    }
    if (messages.as_array().empty()) {
        std::cerr << "warrenctl: queue '" << name << "' has no ready messages\n";
        return;
    }
    for (const auto& m : messages.as_array()) {
        write_payload_line(std::cout, m.as_object());
    }
}

} // namespace warren::ctl
