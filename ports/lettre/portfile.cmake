# lettre's components are the port's features (docs/cmake.md):
#   core  lettre::message  messages, DKIM, file/stub/sendmail transports
#   smtp  lettre::smtp     SMTP client, Asio transports (Boost)
#   mx    lettre::mx       DNS resolver, direct MX delivery (c-ares)
#
# Source: a lettre checkout named by LETTRE_SOURCE_DIR (a triplet variable,
# or the environment variable passed through with
# VCPKG_KEEP_ENV_VARS=LETTRE_SOURCE_DIR), as scripts/check-packaging.sh does;
# otherwise the release archive of v${VERSION}, as in a registry.
# docs/packaging.md.
if(NOT DEFINED LETTRE_SOURCE_DIR AND DEFINED ENV{LETTRE_SOURCE_DIR})
  set(LETTRE_SOURCE_DIR "$ENV{LETTRE_SOURCE_DIR}")
endif()
if(DEFINED LETTRE_SOURCE_DIR)
  if(NOT EXISTS "${LETTRE_SOURCE_DIR}/CMakeLists.txt" OR NOT EXISTS "${LETTRE_SOURCE_DIR}/include/lettre")
    message(FATAL_ERROR "LETTRE_SOURCE_DIR=${LETTRE_SOURCE_DIR} is not a lettre checkout "
                        "(no CMakeLists.txt or include/lettre there); give the checkout's top directory")
  endif()
  set(SOURCE_PATH "${LETTRE_SOURCE_DIR}")
else()
  # A registry's copy of this port fills in the archive's SHA512 when the
  # release is published.
  set(LETTRE_RELEASE_SHA512 "")
  if(LETTRE_RELEASE_SHA512 STREQUAL "")
    message(FATAL_ERROR "lettre ${VERSION}: no release archive is pinned in this port yet; "
                        "build from a checkout: LETTRE_SOURCE_DIR=/path/to/lettre "
                        "VCPKG_KEEP_ENV_VARS=LETTRE_SOURCE_DIR vcpkg install ... (docs/packaging.md)")
  endif()
  vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO lettre/lettre-cpp
    REF "v${VERSION}"
    SHA512 "${LETTRE_RELEASE_SHA512}"
    HEAD_REF main)
endif()

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    smtp LETTRE_WITH_SMTP
    mx   LETTRE_WITH_MX)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DLETTRE_INSTALL=ON
    -DLETTRE_BUILD_TESTS=OFF
    -DLETTRE_BUILD_EXAMPLES=OFF
    -DLETTRE_BUILD_BENCH=OFF
    -DLETTRE_BUILD_CLI=OFF)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME lettre CONFIG_PATH lib/cmake/lettre)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
