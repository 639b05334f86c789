# The API reference: Doxygen over include/lettre (docs/Doxyfile.in), into
# <build>/docs/html. The target runs doxygen only: it compiles nothing, so
# it does not depend on the library. Undocumented public declarations are
# warnings, and warnings fail the target (WARN_AS_ERROR = FAIL_ON_WARNINGS).
find_package(Doxygen)
if(NOT DOXYGEN_FOUND)
  message(STATUS "lettre: doxygen not found, the API reference (lettre_docs) is skipped")
  return()
endif()
set(LETTRE_DOCS_OUTPUT "${PROJECT_BINARY_DIR}/docs")
configure_file("${PROJECT_SOURCE_DIR}/docs/Doxyfile.in" "${LETTRE_DOCS_OUTPUT}/Doxyfile" @ONLY)
file(GLOB_RECURSE lettre_public_headers CONFIGURE_DEPENDS
     "${PROJECT_SOURCE_DIR}/include/lettre/*.hpp")
add_custom_command(
  OUTPUT "${LETTRE_DOCS_OUTPUT}/html/index.html"
  COMMAND "${DOXYGEN_EXECUTABLE}" "${LETTRE_DOCS_OUTPUT}/Doxyfile"
  DEPENDS "${LETTRE_DOCS_OUTPUT}/Doxyfile" ${lettre_public_headers}
          "${PROJECT_SOURCE_DIR}/README.md"
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
  COMMENT "lettre: API reference (doxygen) into ${LETTRE_DOCS_OUTPUT}/html"
  VERBATIM)
add_custom_target(lettre_docs DEPENDS "${LETTRE_DOCS_OUTPUT}/html/index.html")
