#pragma once

// The "warren-wal" VFS: SQLite's default VFS, except that writes to a WAL file are gathered and
// handed to the kernel in one pwrite per run of frames. SQLite writes each WAL frame as two
// calls (a 24-byte header, then the page), so a commit of 12 pages costs 24 system calls, and
// every header write touches a page-cache page the next write touches again; on the writer
// thread that was about a third of its CPU.
//
// Ordering and errors stay SQLite's: the gathered bytes are written before the write that
// completes a commit frame returns (so a failed pwrite fails that commit, as before, and nothing
// is published in the WAL index that is not in the file), and before any other call on the file
// (read, sync, truncate, size, lock, close). Only the writer connection opens its database with
// it; other files pass straight through.
//
// Thread: registration is once per process (std::call_once); a file is used by one connection.

namespace warren::storage::sqlite {

// Registers the VFS (once) and returns its name for sqlite3_open_v2.
const char* gathering_wal_vfs();

} // namespace warren::storage::sqlite
