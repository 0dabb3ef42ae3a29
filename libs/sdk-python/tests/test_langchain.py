"""The LangChain callback handler. langchain-core cannot be installed from this machine's package index (its
dependency langchain-protocol is missing), so the handler is driven here as LangChain's callback manager
drives it (keyword arguments, run ids, ``ignore_*`` / ``raise_error`` checks, a thread with a copy of the
context for async chains) with results shaped like LangChain's ``LLMResult`` / ``ChatGeneration`` /
``AIMessage`` (their documented fields)."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

import tollgate
from tollgate import BudgetExceeded, Tollgate, TollgateCallbackHandler

from .fake_ingest import FakeIngest
from .launched import Api
from .stored import one, stored_usage


def llm_result(usage_metadata: dict[str, Any] | None, model_name: str) -> Any:
    """An LLMResult with one ChatGeneration whose AIMessage carries usage_metadata and response_metadata."""
    message = SimpleNamespace(
        type="ai", content="Hello", usage_metadata=usage_metadata, response_metadata={"model_name": model_name}
    )
    return SimpleNamespace(generations=[[SimpleNamespace(text="Hello", message=message)]], llm_output=None)


HUMAN = [[SimpleNamespace(type="human", content="Draft a reply")]]
ANTHROPIC_META = {"ls_provider": "anthropic", "ls_model_name": "claude-haiku-4-5", "ls_model_type": "chat"}
# LangChain's usage_metadata for the fake Anthropic reply: totals include their details.
USAGE = {
    "input_tokens": 4525,
    "output_tokens": 410,
    "total_tokens": 4935,
    "input_token_details": {
        "cache_read": 3000,
        "cache_creation": 1500,
        "ephemeral_5m_input_tokens": 1000,
        "ephemeral_1h_input_tokens": 500,
    },
}


def dispatch(handler: Any, event: str, ignore: str | None, *args: Any, **kwargs: Any) -> None:
    """What langchain_core.callbacks.manager.handle_event does for one handler."""
    if ignore is None or not getattr(handler, ignore):
        try:
            getattr(handler, event)(*args, **kwargs)
        except Exception:
            if handler.raise_error:
                raise


def test_chat_model_calls_are_metered_from_usage_metadata(api: Api, client: Tollgate, customer: str) -> None:
    handler = TollgateCallbackHandler(client)
    with tollgate.task("draft-reply", customer=customer, feature="inbox") as run:
        run_id = uuid.uuid4()
        dispatch(
            handler,
            "on_chat_model_start",
            "ignore_chat_model",
            {},
            HUMAN,
            run_id=run_id,
            parent_run_id=None,
            tags=[],
            metadata=ANTHROPIC_META,
            invocation_params={"model": "claude-haiku-4-5"},
        )
        dispatch(handler, "on_llm_new_token", "ignore_llm", "Hel", run_id=run_id)
        dispatch(handler, "on_text", None, "Hello", run_id=run_id)
        dispatch(handler, "on_llm_end", "ignore_llm", llm_result(USAGE, "claude-haiku-4-5-20251001"), run_id=run_id)
        completion = uuid.uuid4()
        dispatch(
            handler,
            "on_llm_start",
            "ignore_llm",
            {},
            ["Say hi"],
            run_id=completion,
            metadata={"ls_provider": "amazon_bedrock", "ls_model_name": "amazon.nova-micro-v1:0"},
        )
        dispatch(
            handler,
            "on_llm_end",
            "ignore_llm",
            llm_result({"input_tokens": 8, "output_tokens": 3}, ""),
            run_id=completion,
        )
    assert client.flush(10)
    events = api.events(customer)
    chat, text = one(events, provider="anthropic"), one(events, provider="bedrock")
    assert (chat["provider"], chat["model"], chat["status"], chat["task_id"], chat["feature"]) == (
        "anthropic",
        "claude-haiku-4-5-20251001",
        "success",
        run.task_id,
        "inbox",
    )
    assert chat["usage"] == stored_usage(
        input_tokens=25, cache_read_tokens=3000, cache_write_tokens=1000, cache_write_1h_tokens=500, output_tokens=410
    )
    assert (text["provider"], text["model"], text["usage"]) == (
        "bedrock",
        "amazon.nova-micro-v1:0",
        stored_usage(input_tokens=8, output_tokens=3),
    )
    assert handler.ignore_chain and handler.ignore_agent  # chains and tools are not model calls


def test_an_error_then_the_same_call_again_is_a_retry_and_missing_usage_is_flagged(
    api: Api, client: Tollgate, customer: str
) -> None:
    handler = TollgateCallbackHandler(client)
    with tollgate.task("draft-reply", customer=customer):
        failed_run, retry_run, bare_run = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        for run_id in (failed_run, retry_run, bare_run):
            dispatch(
                handler, "on_chat_model_start", "ignore_chat_model", {}, HUMAN, run_id=run_id, metadata=ANTHROPIC_META
            )
            if run_id == failed_run:
                dispatch(handler, "on_llm_error", "ignore_llm", TimeoutError("read timeout"), run_id=run_id)
            else:
                dispatch(
                    handler,
                    "on_llm_end",
                    "ignore_llm",
                    llm_result(USAGE if run_id == retry_run else None, "claude-haiku-4-5"),
                    run_id=run_id,
                )
    assert client.flush(10)
    events = api.events(customer)
    failed, retried, bare = (
        one(events, status="error"),
        one(events, status="success"),
        one(events, status="usage_unknown"),
    )
    assert (failed["status"], failed["metadata"]["error"], failed["usage"]) == (
        "error",
        "TimeoutError",
        stored_usage(requests=0),
    )
    assert (retried["status"], retried["retry_of"]) == ("success", failed["transaction_id"])
    assert (bare["status"], bare["metadata"]["usage_unknown"]) == ("usage_unknown", "absent")


def test_an_async_chain_runs_the_handler_in_a_thread_with_the_task_still_seen(
    api: Api, client: Tollgate, customer: str
) -> None:
    handler = TollgateCallbackHandler(client)
    assert handler.run_inline is False

    async def chain() -> str:
        loop = asyncio.get_running_loop()
        run_id = uuid.uuid4()
        # langchain_core's _ahandle_event_for_handler for a sync handler that is not run_inline:
        for event, args in (
            ("on_chat_model_start", ({}, HUMAN)),
            ("on_llm_end", (llm_result(USAGE, "claude-haiku-4-5"),)),
        ):
            call = functools.partial(
                contextvars.copy_context().run, getattr(handler, event), *args, run_id=run_id, metadata=ANTHROPIC_META
            )
            await loop.run_in_executor(None, call)
        return run_id.hex

    async def agent() -> str:
        async with tollgate.task("async-chain", customer=customer) as run:
            await chain()
        return run.task_id

    task_id = asyncio.run(agent())
    assert client.flush(10)
    (event,) = api.events(customer)
    assert (event["task_id"], event["external_customer_id"]) == (task_id, customer)


def test_with_the_budget_guard_a_refused_customer_never_reaches_the_model(ingest: FakeIngest) -> None:
    ingest.entitlements["broke"] = {"allowed": False, "reason": "spend_cap_reached"}
    ingest.entitlements["fine"] = {"allowed": True}
    guarded = Tollgate("k", ingest.url, flush_at_exit=False, budget_guard=True)
    handler = TollgateCallbackHandler(guarded)
    assert (
        handler.raise_error is True
        and TollgateCallbackHandler(Tollgate("k", ingest.url, flush_at_exit=False)).raise_error is False
    )
    with tollgate.task("draft", customer="broke"), pytest.raises(BudgetExceeded):
        dispatch(
            handler, "on_chat_model_start", "ignore_chat_model", {}, HUMAN, run_id=uuid.uuid4(), metadata=ANTHROPIC_META
        )
    with tollgate.task("draft", customer="fine"):
        run_id = uuid.uuid4()
        dispatch(handler, "on_chat_model_start", "ignore_chat_model", {}, HUMAN, run_id=run_id, metadata=ANTHROPIC_META)
        dispatch(handler, "on_llm_end", "ignore_llm", llm_result(USAGE, "claude-haiku-4-5"), run_id=run_id)
    assert guarded.shutdown(5)
    assert [e["external_customer_id"] for e in ingest.stored.values()] == ["fine"]
