// Broker, the facade: definitions export and import (RabbitMQ's /api/definitions semantics).
// Import is planned before anything changes: every item is checked against the broker and the
// document itself, and the first bad one is the answer ("permissions[2]: ..."); then the plan is
// applied in dependency order (users, vhosts, permissions, exchanges, queues, bindings), keeping
// what exists, and what still fails is reported after the rest went in.

#include <algorithm>

#include "server/authorization.hpp"
#include "server/broker.hpp"
#include "server/core.hpp"
#include "server/names.hpp"
#include "server/queue.hpp"
#include "server/vhost.hpp"
#include "server/view_builders.hpp"

namespace warren::server {

namespace {

Error item_error(std::string_view section, std::size_t index, const Error& error) {
    return Error{Errc::bad_request,
                 std::string(section) + "[" + std::to_string(index) + "]: " + error.reason};
}

Error bad(std::string reason) {
    return Error{Errc::bad_request, std::move(reason)};
}

// The export of one vhost: what a user declared and can declare again.
void export_vhost(const Vhost& vhost, Definitions& out) {
    for (const auto& [name, exchange] : vhost.exchanges()) {
        if (name.empty() || is_reserved_name(name)) {
            continue; // the built-in exchanges exist in every vhost
        }
        out.exchanges.emplace_back(vhost.name(), exchange.spec);
    }
    for (const auto& [name, queue] : vhost.queues()) {
        if (queue->owner() == 0) { // an exclusive queue belongs to a live connection
            out.queues.emplace_back(vhost.name(), queue->spec());
        }
    }
    std::vector<BindingView> bindings;
    for (const auto& [name, exchange] : vhost.exchanges()) {
        if (name.empty()) {
            continue; // the implicit default-exchange binding of every queue
        }
        for (const auto& b : vhost.router().bindings_from(name)) {
            if (b.destination.kind == routing::Destination::Kind::queue) {
                auto queue = vhost.find_queue(b.destination.name);
                if (queue && queue->owner() != 0) {
                    continue;
                }
            }
            bindings.push_back(BindingView{vhost.name(), binding_spec(b)});
        }
    }
    sort_bindings(bindings);
    out.bindings.insert(out.bindings.end(), std::make_move_iterator(bindings.begin()),
                        std::make_move_iterator(bindings.end()));
}

// The checks of an import that need the broker, in the document's order.
Result<void> plan_import(const Core& core, const Definitions& doc, bool whole) {
    std::vector<std::string> known_vhosts;
    for (const Vhost* v : core.vhosts()) {
        known_vhosts.push_back(v->name());
    }
    auto vhost_known = [&](std::string_view name) {
        return std::find(known_vhosts.begin(), known_vhosts.end(), name) != known_vhosts.end();
    };
    if (whole) {
        for (std::size_t i = 0; i < doc.users.size(); ++i) {
            if (auto user = make_user(doc.users[i]); !user) {
                return item_error("users", i, user.error());
            }
        }
        for (std::size_t i = 0; i < doc.vhosts.size(); ++i) {
            const std::string& name = doc.vhosts[i];
            if (auto ok = check_name("vhost", name); !ok || name.empty()) {
                return item_error("vhosts", i,
                                  ok ? bad("a vhost name cannot be empty") : ok.error());
            }
            known_vhosts.push_back(name);
        }
        for (std::size_t i = 0; i < doc.permissions.size(); ++i) {
            const Permission& p = doc.permissions[i];
            const bool user_known =
                core.users().find_user(p.user) != nullptr ||
                std::any_of(doc.users.begin(), doc.users.end(),
                            [&](const UserSpec& u) { return u.name == p.user; });
            if (!user_known || !vhost_known(p.vhost)) {
                return item_error(
                    "permissions", i,
                    bad("vhost_or_user_not_found: user '" + p.user + "', vhost '" + p.vhost + "'"));
            }
            if (auto ok = UserDirectory::check_regexes(p); !ok) {
                return item_error("permissions", i, ok.error());
            }
        }
    }
    auto no_vhost = [&](std::string_view section, std::size_t i,
                        const std::string& vhost) -> Result<void> {
        if (vhost_known(vhost)) {
            return {};
        }
        return item_error(section, i, bad("no vhost '" + vhost + "'"));
    };
    for (std::size_t i = 0; i < doc.exchanges.size(); ++i) {
        const auto& [vhost, spec] = doc.exchanges[i];
        if (auto ok = no_vhost("exchanges", i, vhost); !ok) {
            return ok;
        }
        if (!routing::parse_exchange_type(spec.type)) {
            return item_error("exchanges", i, bad("unknown exchange type '" + spec.type + "'"));
        }
        if (auto ok = check_name("exchange", spec.name); !ok) {
            return item_error("exchanges", i, ok.error());
        }
    }
    for (std::size_t i = 0; i < doc.queues.size(); ++i) {
        const auto& [vhost, spec] = doc.queues[i];
        if (auto ok = no_vhost("queues", i, vhost); !ok) {
            return ok;
        }
        if (auto ok = check_name("queue", spec.name); !ok || spec.name.empty()) {
            return item_error("queues", i, ok ? bad("a queue name cannot be empty") : ok.error());
        }
    }
    for (std::size_t i = 0; i < doc.bindings.size(); ++i) {
        if (auto ok = no_vhost("bindings", i, doc.bindings[i].vhost); !ok) {
            return ok;
        }
    }
    return {};
}

} // namespace

Result<Definitions> Broker::export_definitions(const Principal& who,
                                               std::optional<std::string_view> vhost) const {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    Definitions out;
    if (vhost) {
        const Vhost* v = core_->find_vhost(*vhost);
        if (v == nullptr) {
            return make_error(Errc::not_found, "no vhost '" + std::string(*vhost) + "'");
        }
        export_vhost(*v, out);
        return out;
    }
    for (const User* user : core_->users().users()) {
        out.users.push_back(UserSpec{user->name, user->tags, std::nullopt, user->password_hash,
                                     user->hashing_algorithm});
    }
    for (const Vhost* v : core_->vhosts()) {
        out.vhosts.push_back(v->name());
        export_vhost(*v, out);
    }
    for (const Permission* p : core_->users().permissions()) {
        out.permissions.push_back(*p);
    }
    return out;
}

Result<void> Broker::import_definitions(const Principal& who, const Definitions& doc,
                                        std::optional<std::string_view> vhost) {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    if (vhost && core_->find_vhost(*vhost) == nullptr) {
        return make_error(Errc::not_found, "no vhost '" + std::string(*vhost) + "'");
    }
    const bool whole = !vhost;
    if (auto planned = plan_import(*core_, doc, whole); !planned) {
        return planned.error();
    }
    std::vector<std::string> failures;
    auto failed = [&](std::string what, const Error& error) {
        failures.push_back(std::move(what) + ": " + error.reason);
    };
    UserDirectory& users = core_->users();
    if (whole) {
        for (const UserSpec& spec : doc.users) {
            if (auto user = make_user(spec)) {
                users.put_user(std::move(*user));
            }
        }
        for (const auto& name : doc.vhosts) {
            auto declared = core_->declare_vhost(name);
            if (!declared) {
                failed("vhost '" + name + "'", declared.error());
            } else if (*declared == Declared::created &&
                       users.find_permission(who.name, name) == nullptr) {
                // As RabbitMQ gives a vhost's creator every permission on it.
                (void)users.set_permission(Permission{who.name, name, ".*", ".*", ".*"});
            }
        }
        for (const auto& permission : doc.permissions) {
            if (auto set = users.set_permission(permission); !set) {
                failed("permission of '" + permission.user + "' on '" + permission.vhost + "'",
                       set.error());
            }
        }
    }
    auto exists = [](const Error& e) { return e.code == Errc::precondition_failed; };
    for (const auto& [in, spec] : doc.exchanges) {
        if (is_reserved_name(spec.name)) {
            continue; // the built-in exchanges exist in every vhost
        }
        if (auto declared = core_->declare_exchange(in, spec);
            !declared && !exists(declared.error())) {
            failed("exchange '" + spec.name + "' in vhost '" + in + "'", declared.error());
        }
    }
    for (const auto& [in, spec] : doc.queues) {
        // As RabbitMQ's import: an exported server-named queue ("amq.gen-...") comes back.
        if (auto declared = core_->declare_queue(in, spec, 0, true);
            !declared && !exists(declared.error())) {
            failed("queue '" + spec.name + "' in vhost '" + in + "'", declared.error());
        }
    }
    for (const auto& [in, binding] : doc.bindings) {
        if (auto bound = core_->bind(in, routing_binding(binding)); !bound) {
            failed("binding '" + binding.source + "' -> '" + binding.destination + "' in vhost '" +
                       in + "'",
                   bound.error());
        }
    }
    if (!failures.empty()) {
        std::string reason = "imported all but " + std::to_string(failures.size()) + " item(s): ";
        for (std::size_t i = 0; i < failures.size(); ++i) {
            reason += (i == 0 ? "" : "; ") + failures[i];
        }
        return make_error(Errc::bad_request, std::move(reason));
    }
    return {};
}

} // namespace warren::server
