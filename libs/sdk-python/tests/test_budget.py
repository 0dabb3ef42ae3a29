"""The opt-in budget guard: the customer's entitlement is checked before the model call."""

from __future__ import annotations

import asyncio
import threading
import time

import anthropic
import openai
import pytest

import tollgate
from tollgate import BudgetExceeded, Tollgate

from .fake_ingest import FakeIngest
from .launched import Api, FakeLlm

MESSAGES = [{"role": "user", "content": "Hi"}]


def test_a_customer_over_their_spend_cap_never_reaches_the_model(api: Api, llm: FakeLlm, customer: str) -> None:
    status, _ = api.request("POST", "/v1/customers", {"external_id": customer, "spend_cap": "0"})
    assert status == 201
    guarded = Tollgate(api.ingest_key, api.url, flush_at_exit=False, budget_guard=True)
    oai = tollgate.instrument_openai(openai.OpenAI(api_key="sk-fake", base_url=f"{llm.url}/v1", max_retries=0), guarded)
    claude = tollgate.instrument_anthropic(
        anthropic.AsyncAnthropic(api_key="sk-ant-fake", base_url=llm.url, max_retries=0), guarded
    )
    requests_before = len(llm.requests())
    with tollgate.task("capped", customer=customer):
        with pytest.raises(BudgetExceeded) as refused:
            oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

        async def call() -> None:
            await claude.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=MESSAGES)

        with pytest.raises(BudgetExceeded):
            asyncio.run(call())
    assert (refused.value.customer, refused.value.reason) == (customer, "spend_cap_reached")
    assert refused.value.entitlement["spend_cap"] == "0"
    assert len(llm.requests()) == requests_before  # no model call was made
    # A customer with room to spend goes ahead.
    with tollgate.task("free", customer=f"{customer}-free"):
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert guarded.shutdown(5)
    assert api.events(customer) == [] and len(api.events(f"{customer}-free")) == 1


def test_answers_are_cached_and_concurrent_checks_share_one_request(ingest: FakeIngest) -> None:
    ingest.entitlements["acme"] = {"allowed": True}
    ingest.entitlements["broke"] = {"allowed": False, "reason": "spend_cap_reached"}
    client = Tollgate("k", ingest.url, flush_at_exit=False, budget_guard=True, budget_cache_ttl=0.3)
    threads = [threading.Thread(target=client.check_budget, args=("acme",)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for _ in range(5):
        client.check_budget("acme")
        with pytest.raises(BudgetExceeded):
            client.check_budget("broke")
    assert ingest.entitlement_requests.count("acme") == 1 and ingest.entitlement_requests.count("broke") == 1
    time.sleep(0.35)
    client.check_budget("acme")
    assert ingest.entitlement_requests.count("acme") == 2
    client.shutdown(1)


def test_unknown_customers_may_spend_and_an_unavailable_answer_fails_open_unless_told_otherwise(
    ingest: FakeIngest,
) -> None:
    ingest.entitlements["flaky"] = {"status": 503}
    open_guard = Tollgate("k", ingest.url, flush_at_exit=False)
    open_guard.check_budget("nobody-yet")  # 404: Tollgate has not seen them, they have spent nothing
    open_guard.check_budget("flaky")
    closed_guard = Tollgate("k", ingest.url, flush_at_exit=False, budget_fail_open=False)
    with pytest.raises(BudgetExceeded) as refused:
        closed_guard.check_budget("flaky")
    assert refused.value.reason == "entitlement_unavailable"

    async def from_async_code() -> None:
        with pytest.raises(BudgetExceeded):
            await closed_guard.acheck_budget("flaky")

    asyncio.run(from_async_code())
    open_guard.shutdown(1)
    closed_guard.shutdown(1)
