# Builds and runs one program per lettre component the package was built
# with, each linked to that component's target only.
import os

from conan import ConanFile
from conan.errors import ConanException
from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeToolchain, cmake_layout


class LettreTestConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    generators = "CMakeDeps"
    test_type = "explicit"

    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        cmake_layout(self)

    def _components(self):
        options = self.dependencies["lettre"].options
        return ["message"] + (["smtp"] if options.with_smtp else []) + \
            (["mx"] if options.with_mx else [])

    def generate(self):
        self._check_component_requirements()
        tc = CMakeToolchain(self)
        tc.cache_variables["LETTRE_TEST_COMPONENTS"] = ";".join(self._components())
        tc.generate()

    def _check_component_requirements(self):
        """lettre::message must pull neither Boost nor c-ares nor the other
        layers, lettre::smtp not c-ares: as Conan packages (requires) or as
        libraries from the system (system_libs)."""
        components = self.dependencies["lettre"].cpp_info.components
        forbidden = {"message": ("boost", "c-ares", "cares", "smtp", "mx"),
                     "smtp": ("c-ares", "cares", "mx")}
        for name, names in forbidden.items():
            if name not in components:
                continue
            needs = components[name].requires + components[name].system_libs
            for need in needs:
                if need.split("::")[0] in names:
                    raise ConanException(f"lettre::{name} needs {need}; it must need none of "
                                         f"{', '.join(names)} (it has {needs})")
            self.output.info(f"lettre::{name} needs {needs}")

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self):
        if not can_run(self):
            return
        for component in self._components():
            program = os.path.join(self.cpp.build.bindir, f"test_{component}")
            self.run(program, env="conanrun")
