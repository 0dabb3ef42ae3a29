"""The real ``boto3`` bedrock-runtime client against the fake LLM server, delivering to the real api."""

from __future__ import annotations

import json

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
    assert unordered([(e["provider"], e["model"], e["usage"], e["status"], e["task_id"]) for e in stored]) == unordered(
        [
            ("bedrock", MODEL, CONVERSE, "success", run.task_id),
            ("bedrock", MODEL, CONVERSE, "success", run.task_id),
        ]
    )


def test_a_failed_converse_is_an_error_and_its_repeat_a_retry_of_it(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    runtime = tollgate.instrument_bedrock(bedrock(llm), client)
    llm.fail_next(500)
    with tollgate.task("classify", customer=customer):
        with pytest.raises(runtime.exceptions.InternalServerException):
            runtime.converse(modelId=MODEL, messages=MESSAGES)
        runtime.converse(modelId=MODEL, messages=MESSAGES)
    assert client.flush(10)
    events = api.events(customer)
    failed, retried = one(events, status="error"), one(events, status="success")
    assert (failed["status"], failed["metadata"]["error"], failed["usage"]) == (
        "error",
        "500 InternalServerException",
        stored_usage(requests=0),
    )
    assert (retried["retry_of"], retried["usage"]) == (failed["transaction_id"], CONVERSE)


# InvokeModel: each model family's own body. The fake's counts: 40 input, 220 output, 2048 cache reads, 300
# cache writes (200 of them 1h, which only Anthropic's body tells), rendered in each family's shape.
INVOKE_MODELS = {
    "anthropic": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    "nova": "us.amazon.nova-pro-v1:0",
    "openai": "openai.gpt-oss-120b-1:0",
    "native": "mistral.mistral-7b-instruct-v0:2",
}
INVOKE_BODIES = {
    "anthropic": {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 512,
        "messages": [{"role": "user", "content": "Classify this email"}],
    },
    "nova": {
        "messages": [{"role": "user", "content": [{"text": "Classify this email"}]}],
        "inferenceConfig": {"maxTokens": 512},
    },
    "openai": {"messages": [{"role": "user", "content": "Classify this email"}], "max_completion_tokens": 512},
    "native": {"prompt": "<s>[INST] Classify this email [/INST]", "max_tokens": 512},
}
INVOKED = {
    "anthropic": stored_usage(
        input_tokens=40, cache_read_tokens=2048, cache_write_tokens=100, cache_write_1h_tokens=200, output_tokens=220
    ),
    "nova": stored_usage(input_tokens=40, cache_read_tokens=2048, cache_write_tokens=300, output_tokens=220),
    # prompt_tokens 2088 including 2048 cached: OpenAI-compatible bodies report no cache writes.
    "openai": stored_usage(input_tokens=40, cache_read_tokens=2048, output_tokens=220),
    # No usage in the body: Bedrock's x-amzn-bedrock-*-token-count headers.
    "native": stored_usage(input_tokens=40, cache_read_tokens=2048, cache_write_tokens=300, output_tokens=220),
}


def test_invoke_model_reads_each_family_and_falls_back_to_bedrock_counts(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    runtime = tollgate.instrument_bedrock(bedrock(llm), client)
    with tollgate.task("classify", customer=customer):
        for family, model in INVOKE_MODELS.items():
            response = runtime.invoke_model(
                modelId=model, body=json.dumps(INVOKE_BODIES[family]), contentType="application/json"
            )
            assert "fake" in response["body"].read().decode()  # the agent still reads the body it was sent
    assert client.flush(10)
    events = api.events(customer)
    for family, model in INVOKE_MODELS.items():
        assert one(events, model=model)["usage"] == INVOKED[family], family


def test_invoke_model_with_response_stream_reads_each_family_or_the_invocation_metrics(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    runtime = tollgate.instrument_bedrock(bedrock(llm), client)
    with tollgate.task("classify", customer=customer):
        for family, model in INVOKE_MODELS.items():
            response = runtime.invoke_model_with_response_stream(modelId=model, body=json.dumps(INVOKE_BODIES[family]))
            assert sum(1 for event in response["body"] if "chunk" in event) > 1
    assert client.flush(10)
    events = api.events(customer)
    # gpt-oss streamed without stream_options.include_usage has no usage chunk: the invocation metrics count it.
    streamed = {**INVOKED, "openai": INVOKED["native"]}
    for family, model in INVOKE_MODELS.items():
        assert one(events, model=model)["usage"] == streamed[family], family


def test_invocations_without_readable_usage_or_bedrock_counts_are_usage_unknown(
    api: Api, llm: FakeLlm, client: Tollgate, customer: str
) -> None:
    runtime = tollgate.instrument_bedrock(bedrock(llm), client)
    llm.set_usage(
        "bedrockInvoke",
        {
            "input": 40,
            "output": 220,
            "cacheRead": 0,
            "cacheWrite": 0,
            "cacheWrite1h": 0,
            "bodyUsage": {"tokens": 260},
            "tokenCounts": False,
        },
    )
    try:
        with tollgate.task("classify", customer=customer):
            for family, model in INVOKE_MODELS.items():
                runtime.invoke_model(modelId=model, body=json.dumps(INVOKE_BODIES[family]))
                for _ in runtime.invoke_model_with_response_stream(
                    modelId=model, body=json.dumps(INVOKE_BODIES[family])
                )["body"]:
                    pass
    finally:
        llm.set_usage("bedrockInvoke", None)
    assert client.flush(10)
    events = api.events(customer)
    assert len(events) == 8 and {(e["status"], e["usage"]["input_tokens"]) for e in events} == {("usage_unknown", 0)}
    assert client.stats()["usage_unknown"] == 8
