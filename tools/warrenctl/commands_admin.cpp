// overview, whoami, vhost list|create|delete, users list|create|delete,
// permissions list|set|clear, definitions export|import.

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <boost/json.hpp>

#include "tools/client/server_url.hpp"
#include "tools/warrenctl/commands.hpp"
#include "tools/warrenctl/output.hpp"

namespace warren::ctl {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

// A 404 here means a server without the endpoint.
constexpr std::string_view kDefinitionsEndpoint = "/api/definitions endpoint on this server";

// A done-line for people, or {"<kind>": name, "<what>": true} for scripts.
void print_done(Context& ctx, std::string_view kind, const std::string& name, std::string_view what,
                bool flag = true) {
    if (ctx.json()) {
        print_json(std::cout, json::object{{std::string(kind), name}, {std::string(what), flag}});
    } else {
        std::cout << kind << " '" << name << "' " << what << '\n';
    }
}

// RabbitMQ 3.10 lists tags as an array; older versions as "a,b".
std::string tags_cell(const json::value& user) {
    const json::value* tags = user.is_object() ? user.as_object().if_contains("tags") : nullptr;
    if (tags == nullptr) {
        return "";
    }
    if (tags->is_array()) {
        std::string out;
        for (const auto& t : tags->as_array()) {
            out += (out.empty() ? "" : ",") + cell(t);
        }
        return out;
    }
    return cell(*tags);
}

std::string user_path(std::string_view name) {
    return "/api/users/" + client::encode_segment(name);
}

std::string permission_path(const Context& ctx, std::string_view user) {
    return "/api/permissions/" + ctx.vhost_segment() + "/" + client::encode_segment(user);
}

// The vhost's permissions: RabbitMQ's GET /api/vhosts/{vhost}/permissions, else the per-user
// endpoint of DESIGN.md for every user.
json::array vhost_permissions(Context& ctx) {
    auto response =
        ctx.http().request(http::verb::get, "/api/vhosts/" + ctx.vhost_segment() + "/permissions");
    if (response.status == 200) {
        json::value v = json::parse(response.body);
        if (v.is_array()) {
            return v.as_array();
        }
    }
    if (!ctx.exists("/api/vhosts/" + ctx.vhost_segment())) {
        throw Failure{kExitNotFound, "not_found: no " + ctx.vhost_phrase()};
    }
    json::array out;
    json::value users = ctx.get_json("/api/users", {});
    for (const auto& user : users.as_array()) {
        const std::string name = cell(user, "name");
        auto p = ctx.http().request(http::verb::get, permission_path(ctx, name));
        if (p.status == 200) {
            out.push_back(json::parse(p.body));
        } else if (p.status != 404) {
            throw failure_of(p, {});
        }
    }
    return out;
}

std::string read_file(const std::string& path) {
    if (path == "-") {
        return std::string(std::istreambuf_iterator<char>(std::cin), {});
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Failure{kExitError, "cannot read '" + path + "'"};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

void overview(Context& ctx) {
    json::value o = ctx.get_json("/api/overview", {});
    if (ctx.json()) {
        print_json(std::cout, o);
        return;
    }
    std::string listeners;
    if (const auto* l = o.as_object().if_contains("listeners"); l && l->is_array()) {
        for (const auto& item : l->as_array()) {
            listeners += (listeners.empty() ? "" : ", ") + cell(item, "protocol") + " " +
                         cell(item, "ip_address") + ":" + cell(item, "port");
        }
    }
    print_fields(std::cout,
                 {
                     {"server", ctx.settings().url.display()},
                     {"product", cell(o, "product_name") + " " + cell(o, "product_version")},
                     {"node", cell(o, "node")},
                     {"listeners", listeners},
                     {"exchanges", cell(o, "object_totals.exchanges")},
                     {"queues", cell(o, "object_totals.queues")},
                     {"connections", cell(o, "object_totals.connections")},
                     {"consumers", cell(o, "object_totals.consumers")},
                     {"messages", cell(o, "queue_totals.messages")},
                     {"messages_ready", cell(o, "queue_totals.messages_ready")},
                     {"messages_unacknowledged", cell(o, "queue_totals.messages_unacknowledged")},
                     {"published", cell(o, "message_stats.publish")},
                     {"delivered", cell(o, "message_stats.deliver_get")},
                 });
}

void whoami(Context& ctx) {
    json::value me = ctx.get_json("/api/whoami", {});
    if (ctx.json()) {
        print_json(std::cout, me);
        return;
    }
    print_fields(std::cout, {{"name", cell(me, "name")}, {"tags", tags_cell(me)}});
}

void vhost_list(Context& ctx) {
    json::value list = ctx.get_json("/api/vhosts", {});
    if (ctx.json()) {
        print_json(std::cout, list);
        return;
    }
    std::vector<Row> rows;
    for (const auto& v : list.as_array()) {
        rows.push_back({cell(v, "name"), cell(v, "messages"), cell(v, "description")});
    }
    print_table(std::cout, {"NAME", "MESSAGES", "DESCRIPTION"}, rows);
}

void vhost_create(Context& ctx) {
    const std::string name = *ctx.invocation().arg(0);
    auto response =
        ctx.call(http::verb::put, "/api/vhosts/" + client::encode_segment(name), "{}", {});
    if (response.status == 201) {
        print_done(ctx, "vhost", name, "created");
    } else {
        print_done(ctx, "vhost", name, ctx.json() ? "created" : "already exists", false);
    }
}

void vhost_delete(Context& ctx) {
    const std::string name = *ctx.invocation().arg(0);
    ctx.call(http::verb::delete_, "/api/vhosts/" + client::encode_segment(name), {},
             "vhost '" + name + "'");
    print_done(ctx, "vhost", name, "deleted");
}

void users_list(Context& ctx) {
    json::value list = ctx.get_json("/api/users", {});
    if (ctx.json()) {
        print_json(std::cout, list);
        return;
    }
    std::vector<Row> rows;
    for (const auto& u : list.as_array()) {
        rows.push_back({cell(u, "name"), tags_cell(u)});
    }
    print_table(std::cout, {"NAME", "TAGS"}, rows);
}

void users_create(Context& ctx) {
    const Invocation& inv = ctx.invocation();
    const std::string name = *inv.arg(0);
    json::object body{{"password", *inv.value("password")},
                      {"tags", inv.value("tags").value_or("")}};
    auto response = ctx.call(http::verb::put, user_path(name), json::serialize(body), {});
    if (response.status == 201) {
        print_done(ctx, "user", name, "created");
    } else {
        print_done(ctx, "user", name, ctx.json() ? "created" : "updated", false);
    }
}

void users_delete(Context& ctx) {
    const std::string name = *ctx.invocation().arg(0);
    ctx.call(http::verb::delete_, user_path(name), {}, "user '" + name + "'");
    print_done(ctx, "user", name, "deleted");
}

void permissions_list(Context& ctx) {
    json::array list = vhost_permissions(ctx);
    if (ctx.json()) {
        print_json(std::cout, list);
        return;
    }
    std::vector<Row> rows;
    for (const auto& p : list) {
        rows.push_back({cell(p, "user"), cell(p, "configure"), cell(p, "write"), cell(p, "read")});
    }
    print_table(std::cout, {"USER", "CONFIGURE", "WRITE", "READ"}, rows);
}

void permissions_set(Context& ctx) {
    const Invocation& inv = ctx.invocation();
    const std::string user = *inv.arg(0);
    // None given: full access. Some given: the others grant nothing ("").
    const bool any = inv.has("configure") || inv.has("write") || inv.has("read");
    const std::string fallback = any ? "" : ".*";
    json::object body{{"configure", inv.value("configure").value_or(fallback)},
                      {"write", inv.value("write").value_or(fallback)},
                      {"read", inv.value("read").value_or(fallback)}};
    ctx.call(http::verb::put, permission_path(ctx, user), json::serialize(body),
             "user '" + user + "' or " + ctx.vhost_phrase());
    if (ctx.json()) {
        body["user"] = user;
        body["vhost"] = ctx.settings().vhost;
        print_json(std::cout, body);
    } else {
        std::cout << "permissions of '" << user << "' in " << ctx.vhost_phrase()
                  << " set: configure '" << cell(body.at("configure")) << "' write '"
                  << cell(body.at("write")) << "' read '" << cell(body.at("read")) << "'\n";
    }
}

void permissions_clear(Context& ctx) {
    const std::string user = *ctx.invocation().arg(0);
    ctx.call(http::verb::delete_, permission_path(ctx, user), {},
             "permissions for user '" + user + "' in " + ctx.vhost_phrase());
    if (ctx.json()) {
        print_json(
            std::cout,
            json::object{{"user", user}, {"vhost", ctx.settings().vhost}, {"cleared", true}});
    } else {
        std::cout << "permissions of '" << user << "' in " << ctx.vhost_phrase() << " cleared\n";
    }
}

void definitions_export(Context& ctx) {
    auto response = ctx.call(http::verb::get, "/api/definitions", {}, kDefinitionsEndpoint);
    std::string body = response.body;
    if (body.empty() || body.back() != '\n') {
        body += '\n';
    }
    if (auto file = ctx.invocation().arg(0); file && *file != "-") {
        std::ofstream out(*file, std::ios::binary | std::ios::trunc);
        out << body;
        out.close();
        if (!out) {
            throw Failure{kExitError, "cannot write '" + *file + "'"};
        }
        if (!ctx.json()) {
            std::cout << "definitions written to '" << *file << "'\n";
        }
        return;
    }
    std::cout << body;
}

void definitions_import(Context& ctx) {
    const std::string file = *ctx.invocation().arg(0);
    const std::string body = read_file(file);
    boost::system::error_code ec;
    json::parse(body, ec);
    if (ec) {
        throw Failure{kExitError, "'" + file + "' is not JSON: " + ec.message()};
    }
    ctx.call(http::verb::post, "/api/definitions", body, kDefinitionsEndpoint);
    if (ctx.json()) {
        print_json(std::cout, json::object{{"imported", true}});
    } else {
        std::cout << "definitions imported from '" << file << "'\n";
    }
}

} // namespace warren::ctl
