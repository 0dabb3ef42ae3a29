"""The real ``openai`` package against the fake LLM server, delivering to the real Tollgate api: the stored
events must carry exactly the right dimensions, customer, task and status."""

from __future__ import annotations

import asyncio

import openai
import pytest

import tollgate
from tollgate import Tollgate

from .launched import Api, FakeLlm
from .stored import one, stored_usage, unordered

MESSAGES = [{"role": "user", "content": "Summarise the ticket"}]
# The fake's default chat usage: 1200 prompt (1024 cached), 340 completion (128 reasoning).
CHAT = stored_usage(input_tokens=176, cache_read_tokens=1024, output_tokens=212, reasoning_tokens=128)
# Its default Responses usage: 900 input (512 cached), 300 output (64 reasoning).
RESPONSES = stored_usage(input_tokens=388, cache_read_tokens=512, output_tokens=236, reasoning_tokens=64)


def test_chat_completions_and_responses_streamed_or_not(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    oai = tollgate.instrument_openai(openai.OpenAI(api_key="sk-fake", base_url=f"{llm.url}/v1", max_retries=0), client)
    with tollgate.task("resolve-ticket", customer=customer, feature="support") as run:
        completion = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        chunks = list(oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
        with oai.chat.completions.stream(model="gpt-4o-mini", messages=MESSAGES) as helper:
            for _ in helper:
                pass
        oai.responses.create(model="o4-mini", input="Summarise the ticket")
        for _ in oai.responses.create(model="o4-mini", input="Summarise the ticket", stream=True):
            pass
        with oai.responses.stream(model="o4-mini", input="Summarise the ticket") as responses_helper:
            responses_helper.get_final_response()
        raw = oai.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES)
        assert raw.parse().usage.prompt_tokens == 1200
        oai.chat.completions.parse(model="gpt-4o-mini", messages=MESSAGES)
        # A streaming response's body is read when the agent parses it: metered then.
        with oai.chat.completions.with_streaming_response.create(model="gpt-4o-mini", messages=MESSAGES) as unread:
            assert unread.parse().usage.prompt_tokens == 1200
    assert completion.usage.prompt_tokens == 1200  # the agent's own result is untouched
    # We asked the stream for usage on the agent's behalf; the extra chunk is kept from it.
    assert all(chunk.choices for chunk in chunks)
    assert llm.requests()[-8]["body"]["stream_options"] == {"include_usage": True}
    assert client.flush(10)
    events = api.events(customer)
    assert unordered([(e["provider"], e["model"], e["usage"], e["status"]) for e in events]) == unordered(
        [
            ("openai", "gpt-4o-mini", CHAT, "success"),
            ("openai", "gpt-4o-mini", CHAT, "success"),
            ("openai", "gpt-4o-mini", CHAT, "success"),
            ("openai", "o4-mini", RESPONSES, "success"),
            ("openai", "o4-mini", RESPONSES, "success"),
            ("openai", "o4-mini", RESPONSES, "success"),
            ("openai", "gpt-4o-mini", CHAT, "success"),
            ("openai", "gpt-4o-mini", CHAT, "success"),
            ("openai", "gpt-4o-mini", CHAT, "success"),
        ]
    )
    assert {(e["task_id"], e["feature"], e["metadata"]["task_name"]) for e in events} == {
        (run.task_id, "support", "resolve-ticket")
    }
    assert client.errors == []  # type: ignore[attr-defined]


def test_async_client(api: Api, llm: FakeLlm, client: Tollgate, customer: str) -> None:
    async def agent() -> None:
        oai = tollgate.instrument_openai(
            openai.AsyncOpenAI(api_key="sk-fake", base_url=f"{llm.url}/v1", max_retries=0), client
        )
        async with tollgate.task("async-agent", customer=customer):
            await oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
            stream = await oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
            async for _ in stream:
                pass
            await asyncio.gather(*(oai.responses.create(model="o4-mini", input="Hi") for _ in range(3)))
            async for _ in await oai.responses.create(model="o4-mini", input="Hi", stream=True):
                pass
            async with oai.chat.completions.stream(model="gpt-4o-mini", messages=MESSAGES) as helper:
                await helper.get_final_completion()
        assert await client.aflush(10)

    asyncio.run(agent())
    events = api.events(customer)
    assert sorted(e["usage"] == CHAT for e in events) == [False] * 4 + [True] * 3
    assert {e["usage"] == RESPONSES for e in events if e["usage"] != CHAT} == {True}
    assert {e["external_customer_id"] for e in events} == {customer}


def test_a_failed_call_is_recorded_as_an_error_and_its_repeat_is_a_retry_of_it(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    oai = tollgate.instrument_openai(openai.OpenAI(api_key="sk-fake", base_url=f"{llm.url}/v1", max_retries=0), client)
    llm.fail_next(500)
    with tollgate.task("resolve-ticket", customer=customer):
        with pytest.raises(openai.InternalServerError):
            oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert client.flush(10)
    events = api.events(customer)
    failed, retried = one(events, status="error"), one(events, status="success")
    assert (failed["status"], failed["usage"], failed["metadata"]["error"]) == (
        "error",
        stored_usage(requests=0),
        "500 InternalServerError",
    )
    assert (retried["status"], retried["retry_of"], retried["usage"]) == ("success", failed["transaction_id"], CHAT)


def test_a_stream_left_unfinished_is_reported_with_what_was_known(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    oai = tollgate.instrument_openai(openai.OpenAI(api_key="sk-fake", base_url=f"{llm.url}/v1", max_retries=0), client)
    with tollgate.task("impatient", customer=customer):
        stream = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
        next(iter(stream))
        stream.close()
        del stream
    assert client.flush(10)
    (event,) = api.events(customer)
    assert (event["status"], event["metadata"]["error"], event["usage"]) == (
        "error",
        "stream_abandoned",
        stored_usage(requests=0),
    )


def test_openrouter_carries_its_reported_cost(api: Api, llm: FakeLlm, client: Tollgate, customer: str) -> None:
    router = tollgate.instrument_openai(
        openai.OpenAI(api_key="sk-or", base_url=f"{llm.url}/api/v1", max_retries=0), client, provider="openrouter"
    )
    router.chat.completions.create(
        model="anthropic/claude-sonnet-4.5", messages=MESSAGES, extra_body={"usage": {"include": True}}
    )
    with tollgate.task("routed", customer=customer):
        router.chat.completions.create(model="anthropic/claude-sonnet-4.5", messages=MESSAGES)
    assert client.flush(10)
    (event,) = api.events(customer)
    assert event["provider"] == "openrouter"
    assert event["usage"] == stored_usage(
        input_tokens=200, cache_read_tokens=1500, cache_write_tokens=300, output_tokens=150
    )
    assert event["cost"] == "0.0013845"


def test_with_options_copies_stay_instrumented(api: Api, llm: FakeLlm, client: Tollgate, customer: str) -> None:
    oai = tollgate.instrument_openai(openai.OpenAI(api_key="sk-fake", base_url=f"{llm.url}/v1", max_retries=0), client)
    with tollgate.task("copied", customer=customer):
        oai.with_options(timeout=30).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert client.flush(10)
    assert [e["usage"] for e in api.events(customer)] == [CHAT]


def test_unreadable_usage_is_sent_flagged_never_as_zero(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    warnings: list[dict[str, str]] = []
    client._on_warning = warnings.append
    oai = tollgate.instrument_openai(openai.OpenAI(api_key="sk-fake", base_url=f"{llm.url}/v1", max_retries=0), client)
    llm.set_usage("openai", {"tokens": 20})
    try:
        with tollgate.task("renamed-usage", customer=customer):
            oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    finally:
        llm.set_usage("openai", None)
    assert client.flush(10)
    (event,) = api.events(customer)
    assert (event["status"], event["metadata"]["usage_unknown"]) == ("usage_unknown", "unreadable")
    assert client.stats()["usage_unknown"] == 1
    assert [(w["code"], w["transaction_id"], w["provider"]) for w in warnings] == [
        ("usage_unknown", event["transaction_id"], "openai")
    ]
