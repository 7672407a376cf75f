// exchange create | delete | describe | list.

#include <iostream>

#include <boost/json.hpp>

#include "tools/client/server_url.hpp"
#include "tools/warrenctl/commands.hpp"
#include "tools/warrenctl/output.hpp"

namespace warren::ctl {

namespace json = boost::json;
namespace http = boost::beast::http;

std::string exchange_segment(std::string_view name) {
    return name.empty() ? std::string("amq.default") : client::encode_segment(name);
}

namespace {

std::string exchange_path(const Context& ctx, std::string_view name) {
    return "/api/exchanges/" + ctx.vhost_segment() + "/" + exchange_segment(name);
}

std::string exchange_subject(const Context& ctx, std::string_view name) {
    return "exchange '" + std::string(name) + "' in " + ctx.vhost_phrase();
}

void print_bindings(const json::value& bindings) {
    if (bindings.as_array().empty()) {
        std::cout << "bindings:    none\n";
        return;
    }
    std::cout << "\nbindings (this exchange routes to):\n";
    std::vector<Row> rows;
    for (const auto& b : bindings.as_array()) {
        rows.push_back({cell(b, "destination"), cell(b, "destination_type"), cell(b, "routing_key"),
                        cell(b, "arguments")});
    }
    print_table(std::cout, {"DESTINATION", "TYPE", "ROUTING KEY", "ARGUMENTS"}, rows);
}

} // namespace

void exchange_create(Context& ctx) {
    const Invocation& inv = ctx.invocation();
    const std::string name = *inv.arg(0);
    json::object arguments;
    if (auto ae = inv.value("alternate-exchange")) {
        arguments["alternate-exchange"] = *ae;
    }
    json::object body{{"type", inv.value("type").value_or("direct")},
                      {"durable", !inv.has("transient")},
                      {"auto_delete", inv.has("auto-delete")},
                      {"internal", inv.has("internal")},
                      {"arguments", std::move(arguments)}};
    auto response = ctx.call(http::verb::put, exchange_path(ctx, name), json::serialize(body),
                             ctx.vhost_phrase());
    const bool created = response.status == 201;
    if (ctx.json()) {
        print_json(std::cout, json::object{{"exchange", name},
                                           {"vhost", ctx.settings().vhost},
                                           {"created", created}});
    } else {
        std::cout << "exchange '" << name << "' "
                  << (created ? "created" : "already exists, unchanged") << '\n';
    }
}

void exchange_delete(Context& ctx) {
    const std::string name = *ctx.invocation().arg(0);
    std::string path = exchange_path(ctx, name);
    if (ctx.invocation().has("if-unused")) {
        path += "?if-unused=true";
    }
    ctx.call(http::verb::delete_, path, {}, exchange_subject(ctx, name));
    if (ctx.json()) {
        print_json(
            std::cout,
            json::object{{"exchange", name}, {"vhost", ctx.settings().vhost}, {"deleted", true}});
    } else {
        std::cout << "exchange '" << name << "' deleted\n";
    }
}

void exchange_describe(Context& ctx) {
    const std::string name = *ctx.invocation().arg(0);
    const std::string path = exchange_path(ctx, name);
    json::value exchange = ctx.get_json(path, exchange_subject(ctx, name));
    json::value bindings = ctx.get_json(path + "/bindings/source", exchange_subject(ctx, name));
    if (ctx.json()) {
        exchange.as_object()["bindings"] = bindings;
        print_json(std::cout, exchange);
        return;
    }
    print_fields(std::cout, {
                                {"name", exchange_display(cell(exchange, "name"))},
                                {"vhost", cell(exchange, "vhost")},
                                {"type", cell(exchange, "type")},
                                {"durable", cell(exchange, "durable")},
                                {"auto_delete", cell(exchange, "auto_delete")},
                                {"internal", cell(exchange, "internal")},
                                {"arguments", cell(exchange, "arguments")},
                                {"publish_in", cell(exchange, "message_stats.publish_in")},
                                {"publish_out", cell(exchange, "message_stats.publish_out")},
                            });
    print_bindings(bindings);
}

void exchange_list(Context& ctx) {
    json::value list = ctx.get_json("/api/exchanges/" + ctx.vhost_segment(), ctx.vhost_phrase());
    if (ctx.json()) {
        print_json(std::cout, list);
        return;
    }
    std::vector<Row> rows;
    for (const auto& e : list.as_array()) {
        rows.push_back({exchange_display(cell(e, "name")), cell(e, "type"), cell(e, "durable"),
                        cell(e, "auto_delete"), cell(e, "internal")});
    }
    print_table(std::cout, {"NAME", "TYPE", "DURABLE", "AUTO_DELETE", "INTERNAL"}, rows);
}

} // namespace warren::ctl
