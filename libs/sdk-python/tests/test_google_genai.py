"""The real ``google-genai`` package against the fake LLM server (Gemini API wire format), delivering to the
real api."""

from __future__ import annotations

import asyncio

import pytest
from google import genai
from google.genai import errors, types

import tollgate
from tollgate import Tollgate

from .launched import Api, FakeLlm
from .stored import one, stored_usage

# The fake's default: 1300 prompt tokens (1024 cached), 250 candidates, 90 thoughts.
GEMINI = stored_usage(input_tokens=276, cache_read_tokens=1024, output_tokens=250, reasoning_tokens=90)


def gemini(llm: FakeLlm) -> genai.Client:
    options = types.HttpOptions(base_url=llm.url, retry_options=types.HttpRetryOptions(attempts=1))
    return genai.Client(api_key="fake-gemini-key", http_options=options)


def test_generate_content_streamed_or_not_sync_and_async(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    google = tollgate.instrument_google_genai(gemini(llm), client)
    with tollgate.task("summarise", customer=customer) as run:
        reply = google.models.generate_content(model="gemini-2.5-flash", contents="Summarise the ticket")
        chunks = list(google.models.generate_content_stream(model="gemini-2.5-flash", contents="Summarise the ticket"))
        google.chats.create(model="gemini-2.5-flash").send_message("Hi")

        async def from_async() -> None:
            await google.aio.models.generate_content(model="gemini-2.5-flash", contents="Hi")
            async for _ in await google.aio.models.generate_content_stream(model="gemini-2.5-flash", contents="Hi"):
                pass

        asyncio.run(from_async())
    assert reply.usage_metadata.prompt_token_count == 1300 and len(chunks) > 1
    assert client.flush(10)
    events = api.events(customer)
    assert [(e["provider"], e["model"], e["usage"], e["status"], e["task_id"]) for e in events] == [
        ("google", "gemini-2.5-flash", GEMINI, "success", run.task_id)
    ] * 5


def test_a_failed_call_is_an_error_and_its_repeat_a_retry_of_it(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    google = tollgate.instrument_google_genai(gemini(llm), client)
    llm.fail_next(500)
    with tollgate.task("summarise", customer=customer):
        with pytest.raises(errors.ServerError):
            google.models.generate_content(model="gemini-2.5-flash", contents="Hi")
        google.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    assert client.flush(10)
    events = api.events(customer)
    failed, retried = one(events, status="error"), one(events, status="success")
    assert (failed["status"], failed["metadata"]["error"], failed["usage"]) == (
        "error",
        "500 ServerError",
        stored_usage(requests=0),
    )
    assert (retried["retry_of"], retried["usage"]) == (failed["transaction_id"], GEMINI)
