# Install rules: one export set per component (lettre-<component>-targets.cmake),
# the headers of the components built, the package config (which loads only
# the components asked for, see lettre-config.cmake.in), the find modules
# and a pkg-config file.
include(CMakePackageConfigHelpers)
set(LETTRE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lettre)

foreach(component IN LISTS LETTRE_COMPONENTS)
  install(TARGETS lettre_${component} EXPORT lettre-${component}-targets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT lettre-${component}-targets NAMESPACE lettre::
          DESTINATION ${LETTRE_CMAKE_DIR})
endforeach()
if(TARGET lettre-cli)
  install(TARGETS lettre-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# Headers by component. Paths under include/ of the smtp and mx layers; all
# others are lettre::message's. A new header of those layers either lives
# in one of these places or is added here.
set(LETTRE_SMTP_HEADERS_REGEX
    "/lettre/(smtp|transport/detail)(/|$)|/lettre/asio_error\\.hpp$|/lettre/transport/async_[^/]*$")
set(LETTRE_MX_HEADERS_REGEX
    "/lettre/dns(/|$)|/lettre/transport/(async_)?mx_[^/]*$")
set(excluded)
if(NOT LETTRE_WITH_MX)
  list(APPEND excluded REGEX "${LETTRE_MX_HEADERS_REGEX}" EXCLUDE)
endif()
if(NOT LETTRE_WITH_SMTP)
  list(APPEND excluded REGEX "${LETTRE_SMTP_HEADERS_REGEX}" EXCLUDE)
endif()
install(DIRECTORY include/lettre DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} ${excluded})
install(FILES ${PROJECT_BINARY_DIR}/include/lettre/export.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lettre)

# lettre-config.cmake learns which components exist and how they were built.
set(LETTRE_BUILT_COMPONENTS ${LETTRE_COMPONENTS})
if(BUILD_SHARED_LIBS)
  set(LETTRE_STATIC OFF)
else()
  set(LETTRE_STATIC ON)
endif()
configure_package_config_file(cmake/lettre-config.cmake.in
  ${PROJECT_BINARY_DIR}/lettre-config.cmake
  INSTALL_DESTINATION ${LETTRE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lettre-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/lettre-config.cmake
              ${PROJECT_BINARY_DIR}/lettre-config-version.cmake
              cmake/FindCAres.cmake cmake/FindIDN2.cmake
        DESTINATION ${LETTRE_CMAKE_DIR})

# pkg-config: one file, every component built (-llettre_mx -llettre_smtp
# -llettre_message, in link order).
set(LETTRE_PC_LIBS "")
set(LETTRE_PC_REQUIRES "openssl >= 3.0, fmt, libidn2")
foreach(component IN LISTS LETTRE_COMPONENTS)
  string(PREPEND LETTRE_PC_LIBS "-llettre_${component} ")
endforeach()
string(STRIP "${LETTRE_PC_LIBS}" LETTRE_PC_LIBS)
if(LETTRE_WITH_MX)
  string(APPEND LETTRE_PC_REQUIRES ", libcares")
endif()
# The static library's headers need the define that lettre-config.cmake's
# targets carry.
set(LETTRE_PC_CFLAGS "")
if(LETTRE_STATIC)
  set(LETTRE_PC_CFLAGS " -DLETTRE_STATIC_DEFINE")
endif()
# Relocatable: the prefix is found from the .pc file's own place
# (${pcfiledir}), so an install with `cmake --install --prefix /opt/x`, or a
# prefix moved or copied after installing, still names its own directories.
# Absolute install dirs (-DCMAKE_INSTALL_LIBDIR=/...) stay as given.
set(LETTRE_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${LETTRE_PC_DIR}")
  set(LETTRE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH LETTRE_PC_UP "/lettre-prefix/${LETTRE_PC_DIR}" "/lettre-prefix")
  string(REGEX REPLACE "/$" "" LETTRE_PC_UP "${LETTRE_PC_UP}")
  set(LETTRE_PC_PREFIX "\${pcfiledir}/${LETTRE_PC_UP}")
endif()
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(LETTRE_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(LETTRE_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
configure_file(cmake/lettre.pc.in ${PROJECT_BINARY_DIR}/lettre.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/lettre.pc DESTINATION ${LETTRE_PC_DIR})
