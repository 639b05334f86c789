# Configures, builds and runs one consumer project in a fresh directory, then
# checks its command lines. Run with cmake -P by tests/cmake/CMakeLists.txt:
#
#   SOURCE_DIR BINARY_DIR GENERATOR MAKE_PROGRAM BUILD_TYPE  the project
#   ARGS             extra configure arguments, |-separated
#   EXPECT_FAILURE   configuring must fail with output matching this regex
#   LINK_MATCHES     the program's link line must match this regex
#   LINK_REJECTS     ... and must not match this one
#   COMPILE_REJECTS  no compile line of the build may match this regex
cmake_minimum_required(VERSION 3.25)

function(fail)
  string(JOIN "" text ${ARGN})
  message(FATAL_ERROR "${text}")
endfunction()

file(REMOVE_RECURSE "${BINARY_DIR}")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} -G ${GENERATOR}
          -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM} -DCMAKE_BUILD_TYPE=${BUILD_TYPE} ${args}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(DEFINED EXPECT_FAILURE)
  if(rc EQUAL 0)
    fail("configuring succeeded; it should have failed with: ${EXPECT_FAILURE}")
  endif()
  if(NOT "${out}${err}" MATCHES "${EXPECT_FAILURE}")
    fail("configuring failed, but without a message matching: ${EXPECT_FAILURE}")
  endif()
  return()
endif()
if(NOT rc EQUAL 0)
  fail("configuring ${SOURCE_DIR} failed")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  fail("building ${SOURCE_DIR} failed")
endif()
execute_process(COMMAND ${BINARY_DIR}/consumer RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  fail("the consumer program failed (${rc})")
endif()

# The command lines: `ninja -t commands`, or the Makefiles' link.txt and
# flags.make files.
set(link_line "")
set(compile_lines "")
if(GENERATOR STREQUAL "Ninja")
  execute_process(COMMAND ${MAKE_PROGRAM} -C ${BINARY_DIR} -t commands consumer
                  OUTPUT_VARIABLE commands RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("ninja -t commands failed")
  endif()
  string(REPLACE "\n" ";" commands "${commands}")
  foreach(line IN LISTS commands)
    if(line MATCHES " -o consumer( |$)")
      set(link_line "${line}")
    elseif(line MATCHES " -c ")
      string(APPEND compile_lines "${line}\n")
    endif()
  endforeach()
else()
  file(READ ${BINARY_DIR}/CMakeFiles/consumer.dir/link.txt link_line)
  file(GLOB_RECURSE flag_files ${BINARY_DIR}/*flags.make)
  foreach(f IN LISTS flag_files)
    file(READ ${f} text)
    string(APPEND compile_lines "${text}\n")
  endforeach()
endif()
if(link_line STREQUAL "")
  fail("no link line found for the consumer")
endif()
message("link line: ${link_line}")

if(DEFINED LINK_MATCHES AND NOT link_line MATCHES "${LINK_MATCHES}")
  fail("the link line does not match ${LINK_MATCHES}")
endif()
if(DEFINED LINK_REJECTS AND link_line MATCHES "${LINK_REJECTS}")
  fail("the link line names ${CMAKE_MATCH_0} (it must not match ${LINK_REJECTS})")
endif()
if(DEFINED COMPILE_REJECTS)
  if(compile_lines STREQUAL "")
    fail("no compile line found")
  endif()
  string(REGEX MATCH "[^\n]*${COMPILE_REJECTS}[^\n]*" bad "${compile_lines}")
  if(bad)
    fail("a compile line matches ${COMPILE_REJECTS}: ${bad}")
  endif()
endif()
