# A user without CMake: installs lettre into one prefix, moves that prefix
# elsewhere, and builds and runs a program with only `pkg-config --cflags
# --libs lettre` from the moved place. Every path pkg-config prints must be
# under the moved prefix: not the configure-time CMAKE_INSTALL_PREFIX, not
# the first install prefix. Run with cmake -P by tests/cmake/CMakeLists.txt:
#
#   LETTRE_BINARY_DIR  lettre's build directory (to install from)
#   WORK_DIR           a scratch directory (emptied first)
#   PKG_CONFIG         the pkg-config program
#   CXX                the C++ compiler (LAUNCHER: an optional launcher)
#   SOURCE             the program to build
#   CONFIGURED_PREFIX  lettre's CMAKE_INSTALL_PREFIX
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    string(JOIN " " cmd ${ARGN})
    message(FATAL_ERROR "`${cmd}` failed (${rc}):\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(first "${WORK_DIR}/first-prefix")
set(moved "${WORK_DIR}/moved-prefix")
run(${CMAKE_COMMAND} --install ${LETTRE_BINARY_DIR} --prefix ${first})
file(RENAME "${first}" "${moved}")

file(GLOB_RECURSE pc_files "${moved}/*/lettre.pc")
list(LENGTH pc_files count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one installed lettre.pc under ${moved}, found: ${pc_files}")
endif()
get_filename_component(pc_dir "${pc_files}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")

run(${PKG_CONFIG} --variable=prefix lettre)
file(REAL_PATH "${out}" prefix)
if(NOT prefix STREQUAL moved)
  message(FATAL_ERROR "pkg-config says prefix=${out}, which is not the moved prefix ${moved}")
endif()
run(${PKG_CONFIG} --cflags lettre)
separate_arguments(cflags UNIX_COMMAND "${out}")
run(${PKG_CONFIG} --static --libs lettre)
separate_arguments(libs UNIX_COMMAND "${out}")
message("cflags: ${cflags}\nlibs: ${libs}")
foreach(flag IN LISTS cflags libs)
  if(flag MATCHES "^-[IL](.*)")
    file(REAL_PATH "${CMAKE_MATCH_1}" dir)
    string(FIND "${dir}/" "${moved}/" at)
    if(NOT at EQUAL 0)
      message(FATAL_ERROR "pkg-config names ${flag}, outside the moved prefix ${moved} "
                          "(configured prefix: ${CONFIGURED_PREFIX}; first install: ${first})")
    endif()
  endif()
endforeach()
if(NOT cflags MATCHES "-I" OR NOT libs MATCHES "-L")
  message(FATAL_ERROR "pkg-config printed no -I or no -L for lettre: ${cflags} ${libs}")
endif()

run(${LAUNCHER} ${CXX} -std=c++20 ${cflags} ${SOURCE} -o ${WORK_DIR}/consumer ${libs})
run(${PKG_CONFIG} --variable=libdir lettre)
set(ENV{LD_LIBRARY_PATH} "${out}")  # a shared lettre
run(${WORK_DIR}/consumer)
message("${out}")
