"""Build hook: compile the Cython kernels (entityres/text/_kernels.pyx, entityres/resolve/_decode.pyx) into the wheel.

Runs for ``pip install .`` and ``pip install -e .`` alike; the extension is put beside its source,
so an editable install imports it from the source tree. Cython and setuptools (for its compiler driver)
are build requirements in pyproject.toml.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EXTENSIONS = {"entityres.text._kernels": "entityres/text/_kernels.pyx",
              "entityres.resolve._decode": "entityres/resolve/_decode.pyx"}


class KernelsBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        from Cython.Build import cythonize
        from setuptools import Distribution, Extension

        # Scores must equal the pure-Python rules' to the bit: no fused multiply-add.
        args = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]
        extensions = [Extension(name, [source], extra_compile_args=args) for name, source in EXTENSIONS.items()]
        root = Path(self.root).resolve()
        cwd = os.getcwd()
        os.chdir(root)
        try:
            dist = Distribution({"name": "entityres", "ext_modules": cythonize(extensions, quiet=True)})
            command = dist.get_command_obj("build_ext")
            command.build_temp = command.build_lib = str(root / "build" / "kernels")
            command.ensure_finalized()
            command.run()
            built = []
            for name in EXTENSIONS:
                compiled = Path(command.get_ext_fullpath(name))
                target = compiled.relative_to(command.build_lib)
                # Beside the sources (an editable install imports it there), by rename: a process
                # that has the old one loaded keeps its copy intact.
                shutil.copy(compiled, f"{target}.tmp")
                os.replace(f"{target}.tmp", target)
                built.append(target)
        finally:
            os.chdir(cwd)
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        build_data["artifacts"].extend(p.as_posix() for p in built)
