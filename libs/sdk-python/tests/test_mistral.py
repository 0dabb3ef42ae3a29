"""Mistral: ``mistralai`` is not installable from this machine's package index, so ``instrument_mistral`` is
tested on a stand-in client with mistralai's documented surface (tests/mistral_standin.py) talking to the fake
LLM server's Mistral route (responses written from Mistral's API reference), delivering to the real api."""

from __future__ import annotations

import asyncio

import pytest

import tollgate
from tollgate import Tollgate

from .launched import Api, FakeLlm
from .mistral_standin import Mistral, SDKError
from .stored import one, stored_usage

MESSAGES = [{"role": "user", "content": "Summarise the ticket"}]
# The fake's default: 1800 prompt tokens (1536 read from the prompt cache), 250 completion.
MISTRAL = stored_usage(input_tokens=264, cache_read_tokens=1536, output_tokens=250)


def test_complete_and_stream_sync_and_async(api: Api, llm: FakeLlm, client: Tollgate, customer: str) -> None:
    mistral = tollgate.instrument_mistral(Mistral(api_key="fake", server_url=f"{llm.url}/mistral"), client)
    with tollgate.task("summarise", customer=customer) as run:
        reply = mistral.chat.complete(model="mistral-small-latest", messages=MESSAGES)
        with mistral.chat.stream(model="mistral-small-latest", messages=MESSAGES) as stream:
            chunks = [event.data for event in stream]

        async def from_async() -> None:
            await mistral.chat.complete_async(model="mistral-small-latest", messages=MESSAGES)
            async for _ in await mistral.chat.stream_async(model="mistral-small-latest", messages=MESSAGES):
                pass

        asyncio.run(from_async())
    assert reply.usage.prompt_tokens == 1800 and chunks[-1].usage.completion_tokens == 250
    assert client.flush(10)
    events = api.events(customer)
    assert [(e["provider"], e["model"], e["usage"], e["status"], e["task_id"]) for e in events] == [
        ("mistral", "mistral-small-latest", MISTRAL, "success", run.task_id)
    ] * 4


def test_a_failed_call_is_an_error_and_its_repeat_a_retry_of_it(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    mistral = tollgate.instrument_mistral(Mistral(api_key="fake", server_url=f"{llm.url}/mistral"), client)
    llm.fail_next(429)
    with tollgate.task("summarise", customer=customer):
        with pytest.raises(SDKError):
            mistral.chat.complete(model="mistral-small-latest", messages=MESSAGES)
        mistral.chat.complete(model="mistral-small-latest", messages=MESSAGES)
    assert client.flush(10)
    events = api.events(customer)
    failed, retried = one(events, status="error"), one(events, status="success")
    assert (failed["metadata"]["error"], failed["usage"]) == ("429 SDKError", stored_usage(requests=0))
    assert (retried["retry_of"], retried["usage"]) == (failed["transaction_id"], MISTRAL)
