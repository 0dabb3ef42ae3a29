"""Attribution: who a model call is for and which task it belongs to, carried by contextvars.

asyncio tasks copy the context they are created in, so calls made in tasks started inside ``task()`` are
attributed to it. Threads do not (before Python 3.14 a new thread starts with an empty context): start
them with ``propagate(fn)``, ``tollgate.Thread`` or ``tollgate.ThreadPoolExecutor``, which run the work in
a copy of the context it was handed over in.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import functools
import inspect
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._uuid7 import uuid7

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class TaskContext:
    name: str
    task_id: str
    customer: str | None = None
    feature: str | None = None
    session_id: str | None = None
    trace_id: str | None = None
    metadata: Mapping[str, str] | None = None
    #: Failed calls of this task by call fingerprint, so their repeat is marked ``retry_of``.
    failures: dict[str, str] = field(default_factory=dict)
    #: The metadata its events carry: ``task_name`` and the task's own.
    wire_metadata: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.wire_metadata = {"task_name": self.name, **(self.metadata or {})}


_current: contextvars.ContextVar[TaskContext | None] = contextvars.ContextVar("tollgate_task", default=None)
current_task = _current.get


class task:
    """Runs code as a task: every model call inside (however deep, in asyncio tasks too) is attributed to it.

    ``with tollgate.task("resolve-ticket", customer="acme", feature="support"):`` (also ``async with``, and
    ``@tollgate.task(...)`` on a function, sync or async: each call is then one run of the task). Each run
    gets a fresh UUIDv7 ``task_id`` unless one is given; a nested task inherits what it does not override.
    """

    def __init__(
        self,
        name: str,
        *,
        customer: str | None = None,
        feature: str | None = None,
        session_id: str | None = None,
        trace_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        task_id: str | None = None,
    ) -> None:
        self._args = (name, customer, feature, session_id, trace_id, metadata, task_id)
        self._tokens: list[contextvars.Token[TaskContext | None]] = []

    def _context(self) -> TaskContext:
        name, customer, feature, session_id, trace_id, metadata, task_id = self._args
        parent = _current.get()
        return TaskContext(
            name=name,
            task_id=task_id or uuid7(),
            customer=customer if customer is not None else parent and parent.customer,
            feature=feature if feature is not None else parent and parent.feature,
            session_id=session_id if session_id is not None else parent and parent.session_id,
            trace_id=trace_id if trace_id is not None else parent and parent.trace_id,
            metadata=metadata if metadata is not None else parent and parent.metadata,
        )

    def __enter__(self) -> TaskContext:
        context = self._context()
        self._tokens.append(_current.set(context))
        return context

    def __exit__(self, *exc: object) -> None:
        _current.reset(self._tokens.pop())

    async def __aenter__(self) -> TaskContext:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__()

    def __call__(self, fn: F) -> F:
        args = self._args
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*a: Any, **kw: Any) -> Any:
                with _fresh(args):
                    return await fn(*a, **kw)

            return run_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def run(*a: Any, **kw: Any) -> Any:
            with _fresh(args):
                return fn(*a, **kw)

        return run  # type: ignore[return-value]


def _fresh(args: tuple[Any, ...]) -> task:
    name, customer, feature, session_id, trace_id, metadata, task_id = args
    return task(
        name,
        customer=customer,
        feature=feature,
        session_id=session_id,
        trace_id=trace_id,
        metadata=metadata,
        task_id=task_id,
    )


def propagate(fn: F) -> F:
    """``fn`` bound to the current context: calls it makes in another thread belong to the current task.

    ``threading.Thread(target=tollgate.propagate(work))``, ``executor.submit(tollgate.propagate(fn), x)``,
    ``loop.run_in_executor(None, tollgate.propagate(fn))``. Each call runs in its own copy of the context
    (a Context cannot be entered by two threads at once), so one bound function may run in many threads.
    """
    captured = contextvars.copy_context()

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        return captured.copy().run(fn, *args, **kwargs)

    return run  # type: ignore[return-value]


class Thread(threading.Thread):
    """A ``threading.Thread`` that runs in the context it was created in (so in the enclosing task)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tollgate_context = contextvars.copy_context()

    def run(self) -> None:
        self._tollgate_context.run(super().run)


class ThreadPoolExecutor(concurrent.futures.ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` whose work runs in the context it was submitted from."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        return super().submit(propagate(fn), *args, **kwargs)
