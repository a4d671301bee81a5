"""infoplane: stream neural-network activations and training metrics to the infoplaned daemon.

    from infoplane import Monitor

    with Monitor(run="my-run") as monitor:
        monitor.log_scalars(step, loss=loss)
        monitor.log_frame(step, layers={"fc1": h1}, inputs=x, labels=y)

PyTorch forward hooks live in `infoplane.torch` (imported only when used).
"""

__version__ = "0.1.0"

from ._address import ADDRESS_ENV, DEFAULT_ADDRESS  # noqa: E402
from .monitor import Monitor  # noqa: E402
from .stats import MonitorStats  # noqa: E402

__all__ = ["Monitor", "MonitorStats", "DEFAULT_ADDRESS", "ADDRESS_ENV", "__version__"]
