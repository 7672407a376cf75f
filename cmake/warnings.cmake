# warren_warnings(target): the warning set for our own code. Third-party headers are SYSTEM
# includes, so these flags never fire on Boost, spdlog or gtest.
function(warren_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
    # GCC 12 reports false positives at -O2 inside std::string: -Wrestrict (GCC PR 105651) and
    # -Wmaybe-uninitialized on std::optional<std::string> members (GCC PR 107138 and kin),
    # more so with the sanitizers on; and -Wmismatched-new-delete where it inlines an Asio
    # coroutine frame's operator new (aligned_alloc) next to its sized delete (seen under ASan
    # in tools/perf). All are clean on our code with GCC 13 and clang.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
        target_compile_options(${target} PRIVATE -Wno-restrict -Wno-maybe-uninitialized
                               -Wno-mismatched-new-delete)
    endif()
    if(WARREN_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
