"""``TollgateCallbackHandler(tollgate)``: a LangChain callback handler metering every chat model and LLM call
it sees, from the ``usage_metadata`` of the result. Pass it where LangChain takes callbacks:
``model.invoke(messages, config={"callbacks": [handler]})`` or ``ChatOpenAI(callbacks=[handler])``.

langchain-core is not imported: the handler implements the callback interface LangChain documents
(``on_chat_model_start``, ``on_llm_start``, ``on_llm_end``, ``on_llm_error`` and the ``ignore_*`` /
``raise_error`` / ``run_inline`` attributes its callback manager reads). Attribution comes from the enclosing
``tollgate.task()``: LangChain runs a sync handler of an async chain in its executor with a copy of the
context, so the task is seen there too.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .._errors import BudgetExceeded
from ..normalise._counts import get
from ..normalise.langchain import normalise_langchain
from ._observer import CallObserver

if TYPE_CHECKING:
    from .._client import Tollgate


def _provider(ls_provider: Any) -> str:
    """LangChain's provider names (``ls_provider``) as Tollgate's."""
    name = ls_provider if isinstance(ls_provider, str) else "unknown"
    if name in ("amazon_bedrock", "bedrock_converse", "bedrock"):
        return "bedrock"
    if name.startswith("google"):
        return "google"
    if name == "mistralai":
        return "mistral"
    return name


def _noop(*args: Any, **kwargs: Any) -> None:
    return None


class TollgateCallbackHandler:
    ignore_llm = False
    ignore_chat_model = False
    ignore_chain = True
    ignore_agent = True
    ignore_retriever = True
    ignore_retry = True
    ignore_custom_event = True
    # Not inline: in async chains LangChain runs this sync handler in a thread, so a budget check never
    # blocks the event loop.
    run_inline = False

    def __init__(self, tollgate: Tollgate) -> None:
        self._tollgate = tollgate
        self._runs: dict[UUID, CallObserver] = {}
        self._lock = threading.Lock()
        # With the budget guard on, its refusal must reach the chain: LangChain re-raises only then.
        self.raise_error = tollgate.guards_calls

    def __getattr__(self, name: str) -> Any:
        # Every other callback LangChain may send (on_llm_new_token, on_text, on_stream_event, …): nothing to do.
        if name.startswith("on_"):
            return _noop
        raise AttributeError(name)

    def on_chat_model_start(
        self, serialized: Any, messages: Any, *, run_id: UUID, metadata: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        self._start(
            run_id, {"messages": _plain(messages), "invocation_params": kwargs.get("invocation_params")}, metadata
        )

    def on_llm_start(
        self,
        serialized: Any,
        prompts: list[str],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._start(run_id, {"prompts": prompts, "invocation_params": kwargs.get("invocation_params")}, metadata)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            observer = self._runs.pop(run_id, None)
        if observer is None:
            return
        try:
            generations = get(response, "generations") or [[]]
            first = generations[0][0] if generations and generations[0] else None
            message = get(first, "message")
            usage = get(message, "usage_metadata")
            meta = get(message, "response_metadata") or {}
            model = get(meta, "model_name") or get(meta, "model") or get(meta, "modelId")
            observer.succeed(
                None if usage is None else normalise_langchain(usage), model if isinstance(model, str) else None
            )
        except Exception as error:  # noqa: BLE001 - metering never breaks the chain
            observer.succeed(None)
            self._tollgate._report(error)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            observer = self._runs.pop(run_id, None)
        if observer is not None:
            observer.fail(error)

    def _start(self, run_id: UUID, params: dict[str, Any], metadata: dict[str, Any] | None) -> None:
        metadata = metadata or {}
        try:
            model = metadata.get("ls_model_name")
            observer = CallObserver(
                self._tollgate,
                _provider(metadata.get("ls_provider")),
                "langchain",
                params,
                model if isinstance(model, str) else None,
            )
        except Exception as error:  # noqa: BLE001
            return self._tollgate._report(error)
        with self._lock:
            self._runs[run_id] = observer
        try:
            observer.guard()
        except BudgetExceeded:
            with self._lock:
                self._runs.pop(run_id, None)
            raise


def _plain(messages: Any) -> Any:
    """Chat messages as what identifies the call (their type and content), for the retry fingerprint."""
    try:
        return [[(get(m, "type"), get(m, "content")) for m in batch] for batch in messages]
    except TypeError:
        return repr(messages)
