"""`njit`: numba's njit, compiled (or loaded from numba's on-disk cache) at a kernel's first call.

A process that never calls a kernel never imports numba. That matters for small runs: numba's
import, its first call in a process (loading the cached kernels, and importing scipy.linalg for its
BLAS check) cost ~0.7 CPU s, and every pool worker and the `sift` process would pay it for kernels
that the small-input paths (`dedup.minhash`, `dedup.lsh`) do not run.

A kernel may call other kernels: at its first call, the kernels it names are compiled first and
put in its module's globals in place of their lazy wrappers, so numba sees compiled functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_COMPILED: set[str] = set()  # the kernels this process has compiled or loaded


class LazyKernel:
    """A function numba compiles at its first call; `py_func` is the function itself, uncompiled."""

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = py_func
        self.options = options
        self._compiled: Callable[..., Any] | None = None
        self.__name__ = py_func.__name__
        self.__doc__ = py_func.__doc__
        self.__wrapped__ = py_func

    def compiled(self) -> Callable[..., Any]:
        if self._compiled is None:
            import numba

            module_globals = self.py_func.__globals__
            for name in self.py_func.__code__.co_names:
                if isinstance(callee := module_globals.get(name), LazyKernel) and callee is not self:
                    module_globals[name] = callee.compiled()
            self._compiled = numba.njit(**self.options)(self.py_func)
            if module_globals.get(self.__name__) is self:  # later calls from Python skip this wrapper
                module_globals[self.__name__] = self._compiled
            _COMPILED.add(self.__name__)
        return self._compiled

    def __call__(self, *args: Any) -> Any:
        return self.compiled()(*args)


def njit(**options: Any) -> Callable[[Callable[..., Any]], LazyKernel]:
    """`@njit(cache=True, nogil=True)` as with numba, compiled at the first call."""

    def wrap(py_func: Callable[..., Any]) -> LazyKernel:
        return LazyKernel(py_func, options)

    return wrap


def kernels_started() -> bool:
    """Whether this process already paid numba's start-up (then a compiled kernel costs it little more)."""
    return bool(_COMPILED)
