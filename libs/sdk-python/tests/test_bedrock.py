"""The real ``boto3`` bedrock-runtime client against the fake LLM server, delivering to the real api."""

from __future__ import annotations

import boto3
import botocore.config
import pytest

import tollgate
from tollgate import Tollgate

from .launched import Api, FakeLlm
from .stored import one, stored_usage, unordered

MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "Classify this ticket"}]}]
# The fake's default Converse usage: 40 fresh input, 2048 cache reads, 300 cache writes (all 1h), 220 output.
CONVERSE = stored_usage(input_tokens=40, cache_read_tokens=2048, cache_write_1h_tokens=300, output_tokens=220)


def bedrock(llm: FakeLlm) -> object:
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=llm.url,
        aws_access_key_id="AKIAFAKE",
        aws_secret_access_key="fake",
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def test_converse_and_converse_stream(api: Api, llm: FakeLlm, client: Tollgate, customer: str) -> None:
    runtime = tollgate.instrument_bedrock(bedrock(llm), client)
    with tollgate.task("classify", customer=customer) as run:
        reply = runtime.converse(modelId=MODEL, messages=MESSAGES)
        streamed = runtime.converse_stream(modelId=MODEL, messages=MESSAGES)
        events = list(streamed["stream"])
    assert reply["usage"]["inputTokens"] == 40
    assert "metadata" in events[-1] and "contentBlockDelta" in events[1]
    assert client.flush(10)
    stored = api.events(customer)
    assert unordered([(e["provider"], e["model"], e["usage"], e["status"], e["task_id"]) for e in stored]) == unordered([
        ("bedrock", MODEL, CONVERSE, "success", run.task_id),
        ("bedrock", MODEL, CONVERSE, "success", run.task_id),
    ])


def test_a_failed_converse_is_an_error_and_its_repeat_a_retry_of_it(api: Api, llm: FakeLlm, client: Tollgate, customer: str) -> None:
    runtime = tollgate.instrument_bedrock(bedrock(llm), client)
    llm.fail_next(500)
    with tollgate.task("classify", customer=customer):
        with pytest.raises(runtime.exceptions.InternalServerException):
            runtime.converse(modelId=MODEL, messages=MESSAGES)
        runtime.converse(modelId=MODEL, messages=MESSAGES)
    assert client.flush(10)
    events = api.events(customer)
    failed, retried = one(events, status="error"), one(events, status="success")
    assert (failed["status"], failed["metadata"]["error"], failed["usage"]) == ("error", "500 InternalServerException", stored_usage(requests=0))
    assert (retried["retry_of"], retried["usage"]) == (failed["transaction_id"], CONVERSE)
