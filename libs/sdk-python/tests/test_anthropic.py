"""The real ``anthropic`` package against the fake LLM server, delivering to the real Tollgate api."""

from __future__ import annotations

import asyncio

import anthropic
import pytest

import tollgate
from tollgate import Tollgate

from .launched import Api, FakeLlm
from .stored import one, stored_usage

MESSAGES = [{"role": "user", "content": "Draft a reply"}]
# The fake's default: 25 fresh input, 3000 read from the cache, 1500 written to it (1000 for 5 minutes,
# 500 for an hour), 410 output.
CLAUDE = stored_usage(
    input_tokens=25, cache_read_tokens=3000, cache_write_tokens=1000, cache_write_1h_tokens=500, output_tokens=410
)


def test_messages_streamed_or_not_with_cache_writes_split_by_ttl(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    claude = tollgate.instrument_anthropic(
        anthropic.Anthropic(api_key="sk-ant-fake", base_url=llm.url, max_retries=0), client
    )
    with tollgate.task("draft-reply", customer=customer, feature="inbox") as run:
        message = claude.messages.create(model="claude-haiku-4-5", max_tokens=512, messages=MESSAGES)
        for _ in claude.messages.create(model="claude-haiku-4-5", max_tokens=512, messages=MESSAGES, stream=True):
            pass
        with claude.messages.stream(model="claude-haiku-4-5", max_tokens=512, messages=MESSAGES) as stream:
            final = stream.get_final_message()
        claude.beta.messages.create(model="claude-haiku-4-5", max_tokens=512, messages=MESSAGES)
    assert message.usage.cache_creation_input_tokens == 1500 and final.usage.output_tokens == 410
    assert client.flush(10)
    events = api.events(customer)
    assert [(e["provider"], e["model"], e["usage"], e["status"]) for e in events] == [
        ("anthropic", "claude-haiku-4-5", CLAUDE, "success")
    ] * 4
    assert {(e["task_id"], e["feature"]) for e in events} == {(run.task_id, "inbox")}


def test_async_client_and_a_failed_call_repeated(api: Api, llm: FakeLlm, client: Tollgate, customer: str) -> None:
    async def agent() -> None:
        claude = tollgate.instrument_anthropic(
            anthropic.AsyncAnthropic(api_key="sk-ant-fake", base_url=llm.url, max_retries=0), client
        )
        async with tollgate.task("draft-reply", customer=customer):
            llm.fail_next(529)
            with pytest.raises(anthropic.APIStatusError):
                await claude.messages.create(model="claude-haiku-4-5", max_tokens=512, messages=MESSAGES)
            await claude.messages.create(model="claude-haiku-4-5", max_tokens=512, messages=MESSAGES)
            async with claude.messages.stream(model="claude-haiku-4-5", max_tokens=512, messages=MESSAGES) as stream:
                await stream.get_final_message()
        assert await client.aflush(10)

    asyncio.run(agent())
    events = api.events(customer)
    failed = one(events, status="error")
    retried = one(events, retry_of=failed["transaction_id"])
    streamed = one(events, status="success", retry_of=None)
    assert (failed["status"], failed["usage"], failed["metadata"]["error"]) == (
        "error",
        stored_usage(requests=0),
        "529 OverloadedError",
    )
    assert (retried["status"], retried["retry_of"], retried["usage"]) == ("success", failed["transaction_id"], CLAUDE)
    assert (streamed["status"], streamed["usage"]) == ("success", CLAUDE)
