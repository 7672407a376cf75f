#include "web/handlers/definitions_import.hpp"

#include <boost/json/array.hpp>
#include <spdlog/spdlog.h>

#include "web/json_codec.hpp"
#include "web/user_codec.hpp"

namespace warren::web {

namespace json = boost::json;

namespace {

Error item_error(std::string_view section, std::size_t index, const Error& error) {
    return Error{Errc::bad_request,
                 std::string(section) + "[" + std::to_string(index) + "]: " + error.reason};
}

// The items of an optional array section.
Result<const json::array*> section(const json::object& doc, std::string_view key) {
    static const json::array kEmpty;
    const json::value* v = doc.if_contains(key);
    if (v == nullptr || v->is_null()) {
        return &kEmpty;
    }
    if (!v->is_array()) {
        return make_error(Errc::bad_request, "'" + std::string(key) + "' must be an array");
    }
    for (const auto& item : v->get_array()) {
        if (!item.is_object()) {
            return make_error(Errc::bad_request,
                              "every item of '" + std::string(key) + "' must be an object");
        }
    }
    return &v->get_array();
}

Result<std::string> string_field(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return make_error(Errc::bad_request, "'" + std::string(key) + "' must be a string");
    }
    return std::string(v->get_string());
}

// The vhost of an item: the path's in a per-vhost import, else the item's "vhost" field.
Result<std::string> vhost_of(const json::object& item, const std::string* path_vhost) {
    if (path_vhost != nullptr) {
        return *path_vhost;
    }
    return string_field(item, "vhost");
}

} // namespace

Result<server::Definitions> definitions_from_json(const json::object& doc,
                                                  const std::string* path_vhost) {
    server::Definitions out;
    if (path_vhost == nullptr) {
        auto users = section(doc, "users");
        if (!users) {
            return users.error();
        }
        for (std::size_t i = 0; i < (*users)->size(); ++i) {
            const json::object& o = (**users)[i].get_object();
            auto name = string_field(o, "name");
            if (!name) {
                return item_error("users", i, name.error());
            }
            auto user = user_spec_from_json(std::move(*name), o);
            if (!user) {
                return item_error("users", i, user.error());
            }
            out.users.push_back(std::move(*user));
        }
        auto vhosts = section(doc, "vhosts");
        if (!vhosts) {
            return vhosts.error();
        }
        for (std::size_t i = 0; i < (*vhosts)->size(); ++i) {
            auto name = string_field((**vhosts)[i].get_object(), "name");
            if (!name) {
                return item_error("vhosts", i, name.error());
            }
            out.vhosts.push_back(std::move(*name));
        }
        auto permissions = section(doc, "permissions");
        if (!permissions) {
            return permissions.error();
        }
        for (std::size_t i = 0; i < (*permissions)->size(); ++i) {
            const json::object& o = (**permissions)[i].get_object();
            auto user = string_field(o, "user");
            auto vhost = string_field(o, "vhost");
            if (!user || !vhost) {
                return item_error("permissions", i, !user ? user.error() : vhost.error());
            }
            auto permission = permission_from_json(*user, *vhost, o);
            if (!permission) {
                return item_error("permissions", i, permission.error());
            }
            out.permissions.push_back(std::move(*permission));
        }
    }
    auto exchanges = section(doc, "exchanges");
    if (!exchanges) {
        return exchanges.error();
    }
    for (std::size_t i = 0; i < (*exchanges)->size(); ++i) {
        const json::object& o = (**exchanges)[i].get_object();
        auto vhost = vhost_of(o, path_vhost);
        if (!vhost) {
            return item_error("exchanges", i, vhost.error());
        }
        auto name = string_field(o, "name");
        if (!name) {
            return item_error("exchanges", i, name.error());
        }
        auto spec = exchange_spec_from_json(std::move(*name), o);
        if (!spec) {
            return item_error("exchanges", i, spec.error());
        }
        out.exchanges.emplace_back(std::move(*vhost), std::move(*spec));
    }
    auto queues = section(doc, "queues");
    if (!queues) {
        return queues.error();
    }
    for (std::size_t i = 0; i < (*queues)->size(); ++i) {
        const json::object& o = (**queues)[i].get_object();
        auto vhost = vhost_of(o, path_vhost);
        if (!vhost) {
            return item_error("queues", i, vhost.error());
        }
        auto name = string_field(o, "name");
        if (!name) {
            return item_error("queues", i, name.error());
        }
        auto spec = queue_spec_from_json(std::move(*name), o);
        if (!spec) {
            return item_error("queues", i, spec.error());
        }
        out.queues.emplace_back(std::move(*vhost), std::move(*spec));
    }
    auto bindings = section(doc, "bindings");
    if (!bindings) {
        return bindings.error();
    }
    for (std::size_t i = 0; i < (*bindings)->size(); ++i) {
        const json::object& o = (**bindings)[i].get_object();
        auto vhost = vhost_of(o, path_vhost);
        if (!vhost) {
            return item_error("bindings", i, vhost.error());
        }
        auto source = string_field(o, "source");
        auto destination = string_field(o, "destination");
        auto type = string_field(o, "destination_type");
        if (!source || !destination || !type) {
            return item_error("bindings", i,
                              !source ? source.error()
                                      : (!destination ? destination.error() : type.error()));
        }
        if (*type != "queue" && *type != "exchange") {
            return item_error(
                "bindings", i,
                Error{Errc::bad_request, "'destination_type' must be \"queue\" or \"exchange\""});
        }
        auto body = binding_body_from_json(o);
        if (!body) {
            return item_error("bindings", i, body.error());
        }
        out.bindings.push_back(server::BindingView{
            std::move(*vhost),
            server::BindingSpec{std::move(*source), std::move(*destination), *type == "exchange",
                                std::move(body->routing_key), std::move(body->arguments)}});
    }
    for (std::string_view ignored : {"policies", "parameters", "topic_permissions"}) {
        const json::value* v = doc.if_contains(ignored);
        if (v != nullptr && v->is_array() && !v->get_array().empty()) {
            spdlog::warn("definitions import: '{}' is not supported by warren; {} item(s) ignored",
                         ignored, v->get_array().size());
        }
    }
    return out;
}

} // namespace warren::web
