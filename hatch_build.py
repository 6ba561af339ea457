"""Build hook: compile the Cython kernels (entityres/text/_kernels.pyx, entityres/gazetteer/_index.pyx,
entityres/resolve/_decode.pyx), the mention detector, linker, matcher and index build (entityres/resolve/mentions.pyx,
link.pyx, entityres/gazetteer/match.pyx, index.pyx: Python, compiled as it is) and the text layer's modules (normalize,
langs, transliterate, keys, name_parts, similarity: compiled from their .py, which Python imports only where
the extension is missing) into the wheel, then make the cache
files of the bundled data that the package ships (``entityres/_prebuilt``).

Runs for ``pip install .`` and ``pip install -e .`` alike; the extension is put beside its source,
so an editable install imports it from the source tree. Cython and setuptools (for its compiler driver)
are build requirements in pyproject.toml.

The shipped cache files (the bundled gazetteer loaded, its index, the word-frequency tables) spare a
fresh install the index compile of its first start (issue 10). They are made by the package's own
code (:func:`entityres.cache.prebuild`) in a child process, run on the files laid out as they will be
installed, so that their names carry the installed build's digest; a file of another build (other
code, other versions of the libraries whose output is cached) is never read, only compiled again as
without it. The hook asks for the runtime dependencies to run it (pyproject.toml); when it fails, the
package is built without the files.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PREBUILT = "entityres/_prebuilt"  # entityres.cache.PREBUILT
BUNDLED = ("data/gazetteer", "entityres/gazetteer_data")  # as force-included in pyproject.toml
EXTENSIONS = {"entityres.text._kernels": "entityres/text/_kernels.pyx",
              "entityres.gazetteer._index": "entityres/gazetteer/_index.pyx",
              "entityres.resolve._decode": "entityres/resolve/_decode.pyx",
              # Python as it reads, compiled: the interpreter's dispatch was a tenth of resolve(),
              # about a twentieth of match() and a tenth of an index build
              "entityres.resolve.mentions": "entityres/resolve/mentions.pyx",
              "entityres.resolve.link": "entityres/resolve/link.pyx",
              "entityres.gazetteer.match": "entityres/gazetteer/match.pyx",
              "entityres.gazetteer.index": "entityres/gazetteer/index.pyx",
              # The text layer, compiled from its .py as it reads (the docs are generated from that
              # source): a new word's path through it is most of an index build's Python
              "entityres.text.normalize": "entityres/text/normalize.py",
              "entityres.text.langs": "entityres/text/langs.py",
              "entityres.text.transliterate": "entityres/text/transliterate.py",
              "entityres.text.keys": "entityres/text/keys.py",
              "entityres.text.name_parts": "entityres/text/name_parts.py",
              "entityres.text.similarity": "entityres/text/similarity.py"}


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
            command.parallel = os.cpu_count() or 1  # the modules compiled side by side (translating them is quick)
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
        self._prebuild(root, version == "editable", built, build_data)

    def _prebuild(self, root: Path, editable: bool, built: list[Path], build_data: dict) -> None:
        """The shipped cache files: in the source tree for an editable install (it imports the
        package from there), else made from a copy laid out as the wheel installs it."""
        out = root / PREBUILT if editable else root / "build" / "prebuilt"
        shutil.rmtree(out, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix="entityres-build-") as tmp:
            if editable:
                package_root = root
            else:
                package_root = Path(tmp) / "package"
                # What the wheel holds: no stale extension of another build or Python beside this one's
                shutil.copytree(root / "entityres", package_root / "entityres",
                                ignore=shutil.ignore_patterns("__pycache__", "*.c", "*.so", "*.pyd", Path(PREBUILT).name))
                for extension in built:
                    shutil.copy(root / extension, package_root / extension)
                shutil.copytree(root / BUNDLED[0], package_root / BUNDLED[1])
            made = Path(tmp) / "cache"
            made.mkdir(mode=0o700)
            # The package goes first on the child's path, after pip's build environment has set it up:
            # its sitecustomize drops every path the installing venv's .pth files name, and an
            # editable install's names this source tree (so PYTHONPATH alone lost it).
            env = {**os.environ, "ENTITYRES_CACHE_DIR": str(made), "PYTHONDONTWRITEBYTECODE": "1"}
            code = "import sys; sys.path.insert(0, sys.argv[1]); from entityres.cache import prebuild; prebuild()"
            done = subprocess.run([sys.executable, "-c", code, str(package_root)],
                                  env=env, cwd=tmp, capture_output=True, text=True)
            files = sorted(made.glob("*.msgpack"))
            if done.returncode != 0 or not files:
                self.app.display_warning("entityres: the bundled data's cache files were not made (the first start "
                                         f"compiles them instead):\n{done.stderr[-2000:]}")
                return
            out.mkdir(parents=True)
            for f in files:
                shutil.copy(f, out / f.name)
        if not editable:
            build_data["force_include"].update({str(f): f"{PREBUILT}/{f.name}" for f in sorted(out.iterdir())})
