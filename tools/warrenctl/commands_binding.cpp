// bind | unbind | binding list. A binding has no name: unbind finds the one with the given key
// and arguments among those between source and destination and deletes it by its properties_key.

#include <iostream>

#include <boost/json.hpp>

#include "tools/client/server_url.hpp"
#include "tools/warrenctl/commands.hpp"
#include "tools/warrenctl/output.hpp"

namespace warren::ctl {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

struct BindingTarget {
    std::string source;
    std::string destination;
    bool to_exchange = false;
    std::string key;
    json::object arguments;
};

BindingTarget target_of(const Context& ctx) {
    const Invocation& inv = ctx.invocation();
    BindingTarget t{
        *inv.arg(0), *inv.arg(1), inv.has("to-exchange"), inv.value("key").value_or(""), {}};
    for (const auto& arg : inv.values("arg")) {
        auto kv = parse_key_value(arg, "arg").value(); // checked by the parser
        t.arguments[kv.first] = std::move(kv.second);
    }
    return t;
}

std::string between_path(const Context& ctx, const BindingTarget& t) {
    return "/api/bindings/" + ctx.vhost_segment() + "/e/" + exchange_segment(t.source) +
           (t.to_exchange ? "/e/" + exchange_segment(t.destination)
                          : "/q/" + client::encode_segment(t.destination));
}

std::string describe(const BindingTarget& t) {
    return "binding from exchange '" + t.source + "' to " +
           (t.to_exchange ? "exchange '" : "queue '") + t.destination + "' with key '" + t.key +
           "'";
}

// Which end of the binding is missing, for a clear not-found message.
[[noreturn]] void throw_missing_end(Context& ctx, const BindingTarget& t) {
    const std::string vhost = ctx.vhost_segment();
    if (!ctx.exists("/api/vhosts/" + vhost)) {
        throw Failure{kExitNotFound, "not_found: no " + ctx.vhost_phrase()};
    }
    if (!ctx.exists("/api/exchanges/" + vhost + "/" + exchange_segment(t.source))) {
        throw Failure{kExitNotFound,
                      "not_found: no exchange '" + t.source + "' in " + ctx.vhost_phrase()};
    }
    const std::string kind = t.to_exchange ? "exchange" : "queue";
    throw Failure{kExitNotFound,
                  "not_found: no " + kind + " '" + t.destination + "' in " + ctx.vhost_phrase()};
}

} // namespace

void bind(Context& ctx) {
    const BindingTarget t = target_of(ctx);
    json::object body{{"routing_key", t.key}, {"arguments", t.arguments}};
    auto response =
        ctx.http().request(http::verb::post, between_path(ctx, t), json::serialize(body));
    if (response.status == 404) {
        throw_missing_end(ctx, t);
    }
    if (response.status < 200 || response.status >= 300) {
        throw failure_of(response, {});
    }
    if (ctx.json()) {
        print_json(std::cout,
                   json::object{{"source", t.source},
                                {"destination", t.destination},
                                {"destination_type", t.to_exchange ? "exchange" : "queue"},
                                {"routing_key", t.key},
                                {"arguments", t.arguments},
                                {"vhost", ctx.settings().vhost}});
    } else {
        std::cout << "bound " << (t.to_exchange ? "exchange '" : "queue '") << t.destination
                  << "' to exchange '" << t.source << "' with key '" << t.key << "'\n";
    }
}

void unbind(Context& ctx) {
    const BindingTarget t = target_of(ctx);
    const std::string path = between_path(ctx, t);
    auto response = ctx.http().request(http::verb::get, path);
    if (response.status == 404) {
        throw_missing_end(ctx, t);
    }
    if (response.status != 200) {
        throw failure_of(response, {});
    }
    json::value list = json::parse(response.body);
    std::optional<std::string> props;
    for (const auto& b : list.as_array()) {
        const auto& o = b.as_object();
        if (cell(b, "routing_key") == t.key && o.contains("arguments") &&
            o.at("arguments") == json::value(t.arguments)) {
            props = cell(b, "properties_key");
            break;
        }
    }
    if (!props) {
        throw Failure{kExitNotFound, "not_found: no " + describe(t) + " in " + ctx.vhost_phrase()};
    }
    ctx.call(http::verb::delete_, path + "/" + client::encode_segment(*props), {},
             describe(t) + " in " + ctx.vhost_phrase());
    if (ctx.json()) {
        print_json(std::cout, json::object{{"source", t.source},
                                           {"destination", t.destination},
                                           {"routing_key", t.key},
                                           {"deleted", true}});
    } else {
        std::cout << "unbound " << (t.to_exchange ? "exchange '" : "queue '") << t.destination
                  << "' from exchange '" << t.source << "' (key '" << t.key << "')\n";
    }
}

void binding_list(Context& ctx) {
    json::value list = ctx.get_json("/api/bindings/" + ctx.vhost_segment(), ctx.vhost_phrase());
    if (ctx.json()) {
        print_json(std::cout, list);
        return;
    }
    std::vector<Row> rows;
    for (const auto& b : list.as_array()) {
        rows.push_back({exchange_display(cell(b, "source")), cell(b, "destination"),
                        cell(b, "destination_type"), cell(b, "routing_key"), cell(b, "arguments")});
    }
    print_table(std::cout, {"SOURCE", "DESTINATION", "TYPE", "ROUTING KEY", "ARGUMENTS"}, rows);
}

} // namespace warren::ctl
