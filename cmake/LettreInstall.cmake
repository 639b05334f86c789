include(CMakePackageConfigHelpers)
set(LETTRE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lettre)

install(TARGETS lettre EXPORT lettre-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/lettre DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/lettre/export.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lettre)
install(EXPORT lettre-targets NAMESPACE lettre:: DESTINATION ${LETTRE_CMAKE_DIR})
if(TARGET lettre-cli)
  install(TARGETS lettre-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
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

configure_file(cmake/lettre.pc.in ${PROJECT_BINARY_DIR}/lettre.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/lettre.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
