#include "storage/sqlite/wal_vfs.hpp"

#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

#include <sqlite3.h>

namespace warren::storage::sqlite {
namespace {

constexpr int kFrameHeaderBytes = 24;
// Past this, write what is gathered: the unix VFS writes at most 128 KiB - 1 in one call.
constexpr std::size_t kMaxGathered = 120u << 10;

sqlite3_vfs* base_vfs = nullptr;
sqlite3_vfs gathering_vfs;

// A WAL file: our header, then the base VFS's file object (at `real`).
struct WalFile {
    sqlite3_file base; // pMethods = &kWalMethods
    sqlite3_file* real;
    std::string* gathered; // bytes to write at `offset`
    sqlite3_int64 offset;
    bool commit_frame; // the last write was the header of a commit frame
};

int flush(WalFile* f) {
    if (f->gathered->empty()) {
        return SQLITE_OK;
    }
    const int rc = f->real->pMethods->xWrite(f->real, f->gathered->data(),
                                             static_cast<int>(f->gathered->size()), f->offset);
    f->gathered->clear();
    return rc;
}

WalFile* wal(sqlite3_file* file) {
    return reinterpret_cast<WalFile*>(file);
}

int wal_close(sqlite3_file* file) {
    WalFile* f = wal(file);
    const int flushed = flush(f);
    const int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    delete f->gathered;
    f->gathered = nullptr;
    return flushed != SQLITE_OK ? flushed : rc;
}

int wal_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
    WalFile* f = wal(file);
    if (int rc = flush(f); rc != SQLITE_OK) {
        return rc;
    }
    return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int wal_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    WalFile* f = wal(file);
    std::string& g = *f->gathered;
    if (!g.empty() && (offset != f->offset + static_cast<sqlite3_int64>(g.size()) ||
                       g.size() + static_cast<std::size_t>(amount) > kMaxGathered)) {
        if (int rc = flush(f); rc != SQLITE_OK) {
            return rc;
        }
    }
    if (g.empty()) {
        f->offset = offset;
    }
    g.append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
    if (amount == kFrameHeaderBytes) {
        // A frame header: bytes 4..7 hold the database size after a commit, 0 otherwise.
        std::uint32_t commit_size = 0;
        std::memcpy(&commit_size, static_cast<const char*>(data) + 4, sizeof commit_size);
        f->commit_frame = commit_size != 0;
        return SQLITE_OK;
    }
    if (f->commit_frame) {
        // The commit frame's page: the transaction's frames are all here. Write them now, so
        // that an error fails this commit and the WAL index never points past the file.
        f->commit_frame = false;
        return flush(f);
    }
    return SQLITE_OK;
}

int wal_truncate(sqlite3_file* file, sqlite3_int64 size) {
    WalFile* f = wal(file);
    if (int rc = flush(f); rc != SQLITE_OK) {
        return rc;
    }
    return f->real->pMethods->xTruncate(f->real, size);
}

int wal_sync(sqlite3_file* file, int flags) {
    WalFile* f = wal(file);
    if (int rc = flush(f); rc != SQLITE_OK) {
        return rc;
    }
    return f->real->pMethods->xSync(f->real, flags);
}

int wal_file_size(sqlite3_file* file, sqlite3_int64* size) {
    WalFile* f = wal(file);
    if (int rc = flush(f); rc != SQLITE_OK) {
        return rc;
    }
    return f->real->pMethods->xFileSize(f->real, size);
}

int wal_lock(sqlite3_file* file, int level) {
    WalFile* f = wal(file);
    if (int rc = flush(f); rc != SQLITE_OK) {
        return rc;
    }
    return f->real->pMethods->xLock(f->real, level);
}

int wal_unlock(sqlite3_file* file, int level) {
    WalFile* f = wal(file);
    if (int rc = flush(f); rc != SQLITE_OK) {
        return rc;
    }
    return f->real->pMethods->xUnlock(f->real, level);
}

int wal_check_reserved_lock(sqlite3_file* file, int* out) {
    WalFile* f = wal(file);
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

int wal_file_control(sqlite3_file* file, int op, void* arg) {
    WalFile* f = wal(file);
    if (int rc = flush(f); rc != SQLITE_OK) {
        return rc;
    }
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

int wal_sector_size(sqlite3_file* file) {
    WalFile* f = wal(file);
    return f->real->pMethods->xSectorSize(f->real);
}

int wal_device_characteristics(sqlite3_file* file) {
    WalFile* f = wal(file);
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

// Version 1: SQLite calls the shared-memory and mmap methods on the database file only.
const sqlite3_io_methods kWalMethods = {
    1,
    wal_close,
    wal_read,
    wal_write,
    wal_truncate,
    wal_sync,
    wal_file_size,
    wal_lock,
    wal_unlock,
    wal_check_reserved_lock,
    wal_file_control,
    wal_sector_size,
    wal_device_characteristics,
    nullptr, // xShmMap...
    nullptr,
    nullptr,
    nullptr,
    nullptr, // xFetch
    nullptr,
};

int gathering_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags,
                   int* out_flags) {
    if ((flags & SQLITE_OPEN_WAL) == 0) {
        return base_vfs->xOpen(base_vfs, name, file, flags, out_flags); // straight through
    }
    auto* f = reinterpret_cast<WalFile*>(file);
    f->base.pMethods = nullptr;
    f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(WalFile));
    const int rc = base_vfs->xOpen(base_vfs, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        if (f->real->pMethods != nullptr) {
            f->real->pMethods->xClose(f->real);
        }
        return rc;
    }
    f->gathered = new (std::nothrow) std::string();
    if (f->gathered == nullptr) {
        f->real->pMethods->xClose(f->real);
        return SQLITE_NOMEM;
    }
    f->offset = 0;
    f->commit_frame = false;
    f->base.pMethods = &kWalMethods;
    return SQLITE_OK;
}

} // namespace

const char* gathering_wal_vfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        base_vfs = sqlite3_vfs_find(nullptr);
        gathering_vfs = *base_vfs;
        gathering_vfs.zName = "warren-wal";
        gathering_vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + base_vfs->szOsFile;
        gathering_vfs.xOpen = gathering_open;
        gathering_vfs.pNext = nullptr;
        sqlite3_vfs_register(&gathering_vfs, 0);
    });
    return gathering_vfs.zName;
}

} // namespace warren::storage::sqlite
