# PlatformIO pre-build script: regenerate the engine's C sources (wasm2c output, wasm bytes) from build/piwip.wasm.
import subprocess
Import("env")  # noqa: F821 (PlatformIO SCons global)
subprocess.check_call(["make", "-C", "..", "gen"], cwd=env.subst("$PROJECT_DIR"))  # noqa: F821
