# warren_warnings(target): the warning set for our own code. Third-party headers are SYSTEM
# includes, so these flags never fire on Boost, spdlog or gtest.
function(warren_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
    # GCC 12 reports false -Wrestrict positives inside std::string at -O2 (GCC PR 105651).
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
        target_compile_options(${target} PRIVATE -Wno-restrict)
    endif()
    if(WARREN_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
