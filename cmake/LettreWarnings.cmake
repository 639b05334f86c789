# Warnings for lettre's own targets only: dependencies' headers are SYSTEM.
# No -Wnull-dereference: GCC 12 at -O2/-O3 reports false positives inside
# libstdc++ (istreambuf_iterator, vector::insert) and Boost.Asio.
function(lettre_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wimplicit-fallthrough -Werror)
endfunction()
