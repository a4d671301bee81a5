"""`import infoplane` never imports torch; infoplane.torch fails only where it is used, clearly."""

import subprocess
import sys

from conftest import PACKAGE_ROOT


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=str(PACKAGE_ROOT), capture_output=True, text=True, timeout=120)


def test_importing_infoplane_does_not_import_torch():
    result = _run("import sys, infoplane, infoplane.monitor; print('torch' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_watch_without_torch_says_how_to_get_it():
    # sys.modules['torch'] = None makes `import torch` fail as if it were not installed.
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import infoplane.torch as it\n"  # importing the module itself works
        "try:\n"
        "    it.watch(object(), ['x'], None, None, every=1, monitor=None)\n"
        "except it.TorchUnavailableError as e:\n"
        "    print('ERR', e)\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ERR infoplane.torch.watch needs PyTorch")
    assert "pip install torch" in result.stdout


def test_the_framework_callbacks_without_their_framework_say_how_to_get_it():
    # The callbacks are optional extras: their modules fail to import, saying what to install.
    for module, blocked, hint in (("infoplane.lightning", ("lightning", "pytorch_lightning"), "pip install lightning"),
                                  ("infoplane.transformers", ("transformers",), "pip install transformers")):
        code = (f"import sys\nfor name in {blocked!r}: sys.modules[name] = None\n"
                f"try:\n    import {module}\nexcept ImportError as e:\n    print('ERR', e)\n")
        result = _run(code)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"ERR {module} needs") and hint in result.stdout, result.stdout
