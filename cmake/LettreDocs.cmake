# The API reference: Doxygen over include/lettre (docs/Doxyfile.in), into
# <build>/docs/html. The target runs doxygen only: it compiles nothing, so
# it does not depend on the library. Undocumented public declarations are
# warnings, and warnings fail the target (WARN_AS_ERROR = FAIL_ON_WARNINGS).
find_package(Doxygen)
if(NOT DOXYGEN_FOUND)
  # Asked for explicitly: refused rather than quietly left out.
  message(FATAL_ERROR "LETTRE_BUILD_DOCS=ON needs doxygen, which was not found: "
                      "install it (Debian: apt-get install doxygen) or set LETTRE_BUILD_DOCS=OFF")
endif()

set(LETTRE_DOCS_OUTPUT "${PROJECT_BINARY_DIR}/docs")
configure_file("${PROJECT_SOURCE_DIR}/docs/Doxyfile.in" "${LETTRE_DOCS_OUTPUT}/Doxyfile" @ONLY)
file(GLOB_RECURSE lettre_public_headers CONFIGURE_DEPENDS
     "${PROJECT_SOURCE_DIR}/include/lettre/*.hpp")
file(GLOB lettre_doc_pages CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md"
     "${PROJECT_SOURCE_DIR}/docs/*.dox")
# A stamp written only when doxygen succeeds: doxygen writes the HTML even
# when it then fails on warnings, and a failed run must not count as done.
set(lettre_docs_stamp "${LETTRE_DOCS_OUTPUT}/lettre_docs.stamp")
add_custom_command(
  OUTPUT "${lettre_docs_stamp}"
  COMMAND "${DOXYGEN_EXECUTABLE}" "${LETTRE_DOCS_OUTPUT}/Doxyfile"
  COMMAND "${CMAKE_COMMAND}" -E touch "${lettre_docs_stamp}"
  DEPENDS "${LETTRE_DOCS_OUTPUT}/Doxyfile" ${lettre_public_headers} ${lettre_doc_pages}
          "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/CHANGELOG.md"
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
  COMMENT "lettre: API reference (doxygen) into ${LETTRE_DOCS_OUTPUT}/html"
  VERBATIM)
add_custom_target(lettre_docs DEPENDS "${lettre_docs_stamp}")

