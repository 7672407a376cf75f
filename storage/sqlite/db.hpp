#pragma once

// Thin RAII over the SQLite C API: Db owns a connection, Statement a prepared statement (reset
// and cleared on every use, so cached statements are reused safely). Failures are
// warren::Error values with SQLite's message in the reason: Errc::resource_alarm "disk full: ..."
// for SQLITE_FULL, Errc::internal otherwise.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "common/error.hpp"

namespace warren::storage::sqlite {

// The Error for SQLite result code `rc` (extended codes allowed).
Error sqlite_error(int rc, std::string reason);

class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Binding (1-based, as SQLite counts). Text and blobs are copied only if `transient`.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view text);
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind_null(int index);

    // Steps once: true while a row is available, false when done. Errors become Error.
    Result<bool> step();
    // Runs to completion (for statements returning no rows).
    Result<void> run();
    void reset();

    std::int64_t column_int(int index) const;
    std::string_view column_text(int index) const;
    std::string_view column_blob(int index) const;
    bool column_is_null(int index) const;

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

class Db {
public:
    // `vfs`: a registered VFS name, or null for SQLite's default.
    static Result<Db> open(const std::string& path, bool read_only = false,
                           const char* vfs = nullptr);
    Db() = default;
    ~Db();
    Db(Db&& other) noexcept;
    Db& operator=(Db&& other) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    Result<void> exec(const char* sql);
    Result<Statement> prepare(std::string_view sql);
    sqlite3* handle() const { return db_; }
    Error error(std::string_view what) const;

private:
    explicit Db(sqlite3* db) : db_(db) {}
    sqlite3* db_ = nullptr;
};

} // namespace warren::storage::sqlite
