# Conan 2 recipe for lettre. docs/packaging.md shows how it is built and
# tested (`conan create . -nr` with Debian's libraries as [platform_requires]).
#
# Options map onto lettre's CMake components (docs/cmake.md):
#   with_smtp  lettre::smtp  the SMTP client and Asio transports (Boost)
#   with_mx    lettre::mx    DNS resolver and direct MX delivery (c-ares)
# lettre::message (messages, DKIM, local transports) is always built. Each
# component declares its own requirements, so that a consumer linking only
# lettre::message gets no Boost and no c-ares.
import os
import re

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load, rmdir

required_conan_version = ">=2.0.15"

# The dependencies' components (Conan Center's names) and the libraries each
# stands for when the profile takes its package from the system
# ([platform_requires]; see _platform_dependencies).
_PLATFORM_LIBS = {
    "openssl::ssl": ["ssl"],
    "openssl::crypto": ["crypto"],
    "fmt::fmt": ["fmt"],
    "libidn2::libidn2": ["idn2"],
    "c-ares::cares": ["cares"],
    "boost::headers": [],
}


class LettreConan(ConanFile):
    name = "lettre"
    description = "Build, sign and send email from C++"
    license = "MIT"
    topics = ("email", "smtp", "dkim", "mime")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {
        "shared": [True, False],
        "fPIC": [True, False],
        "with_smtp": [True, False],
        "with_mx": [True, False],
    }
    default_options = {
        "shared": False,
        "fPIC": True,
        "with_smtp": True,
        "with_mx": True,
    }
    exports_sources = ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*")

    def set_version(self):
        # One version, the one in CMakeLists.txt's project().
        text = load(self, os.path.join(self.recipe_folder, "CMakeLists.txt"))
        match = re.search(r"project\(lettre VERSION (\d+\.\d+\.\d+)", text)
        if not match:
            raise ConanInvalidConfiguration("no `project(lettre VERSION x.y.z` in CMakeLists.txt")
        self.version = match.group(1)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def validate(self):
        check_min_cppstd(self, 20)
        if self.options.with_mx and not self.options.with_smtp:
            raise ConanInvalidConfiguration(
                "lettre: with_mx=True needs with_smtp=True (lettre::mx delivers through "
                "lettre::smtp); set -o lettre/*:with_smtp=True or -o lettre/*:with_mx=False")

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        self.requires("openssl/[>=3.0 <4]")
        self.requires("fmt/[>=9 <13]")
        self.requires("libidn2/[>=2.3 <3]")
        if self.options.with_smtp:
            # lettre's SMTP headers include Boost.Asio.
            self.requires("boost/[>=1.81 <2]", transitive_headers=True)
        if self.options.with_mx:
            self.requires("c-ares/[>=1.18 <2]")

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["LETTRE_WITH_SMTP"] = bool(self.options.with_smtp)
        tc.cache_variables["LETTRE_WITH_MX"] = bool(self.options.with_mx)
        tc.cache_variables["LETTRE_INSTALL"] = True
        for part in ("TESTS", "EXAMPLES", "BENCH", "CLI"):
            tc.cache_variables[f"LETTRE_BUILD_{part}"] = False
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        CMake(self).install()
        # Consumers get CMakeDeps' files, generated from package_info().
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "lettre")
        self.cpp_info.set_property("cmake_target_name", "lettre::lettre")
        platform = self._platform_dependencies()

        message = self._component("message", ["openssl::crypto", "libidn2::libidn2", "fmt::fmt"],
                                  platform)
        if not self.options.shared:
            message.defines = ["LETTRE_STATIC_DEFINE"]
        if self.options.with_smtp:
            smtp = self._component("smtp", ["message", "boost::headers", "openssl::ssl",
                                            "openssl::crypto", "fmt::fmt"], platform)
            smtp.system_libs.append("pthread")
        if self.options.with_mx:
            self._component("mx", ["smtp", "c-ares::cares", "openssl::ssl", "openssl::crypto",
                                   "fmt::fmt"], platform)

    def _platform_dependencies(self):
        """The direct dependencies that the profile takes from the system
        ([platform_requires]): Conan lists them among the requirements but
        hides them from self.dependencies[...], and CMakeDeps generates
        nothing for them (no files, no targets) and fails on a component
        that requires one (conan-io/docs#3908). So a component names them
        as system libraries instead, which also puts them on a static
        lettre's link line. Conan refuses components whose requirements
        leave out a direct dependency, unless they name no other package
        at all, so it is all or none."""
        direct = {r.ref.name for r, _ in self.dependencies.items() if r.direct and not r.build}
        platform = {name for name in direct if name not in self.dependencies}
        if platform and platform != direct:
            raise ConanInvalidConfiguration(
                f"lettre: {', '.join(sorted(platform))} come from [platform_requires] and "
                f"{', '.join(sorted(direct - platform))} from Conan packages; this Conan cannot "
                "declare lettre's components over such a mix (conan-io/docs#3908). Take all of "
                "OpenSSL, Boost, c-ares, {fmt} and libidn2 from the platform, or none")
        return platform

    def _component(self, name, requires, platform):
        component = self.cpp_info.components[name]
        component.set_property("cmake_target_name", f"lettre::{name}")
        component.libs = [f"lettre_{name}"]
        for requirement in requires:
            if requirement.split("::")[0] not in platform:
                component.requires.append(requirement)
            elif not self.options.shared:
                component.system_libs.extend(_PLATFORM_LIBS[requirement])
        return component
