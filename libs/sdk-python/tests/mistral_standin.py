"""A stand-in for the ``mistralai`` Python client, which this machine's package index does not have. It has
the public surface ``instrument_mistral`` meters, shaped as mistralai documents and generates it
(github.com/mistralai/client-python: ``chat.py``, ``utils/eventstreaming.py``, ``models/usageinfo.py``):
``Mistral(api_key, server_url).chat.complete / stream / complete_async / stream_async`` (keyword-only
arguments), responses as attribute objects (``usage.prompt_tokens``, extra fields such as
``prompt_tokens_details`` passed through as sent), ``stream`` returning an ``EventStream`` that reads events
``{data: chunk}`` from its ``generator``, errors as ``SDKError`` with ``status_code``. It speaks HTTP to the
fake LLM server's Mistral route, whose responses are written from Mistral's API reference."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Generator
from types import SimpleNamespace
from typing import Any

import httpx


def _model(value: Any) -> Any:
    """JSON as mistralai's pydantic models read: attributes, lists of models; raw dicts left for extras."""
    if isinstance(value, dict):
        return SimpleNamespace(**{k: (v if k == "prompt_tokens_details" else _model(v)) for k, v in value.items()})
    if isinstance(value, list):
        return [_model(v) for v in value]
    return value


class SDKError(Exception):
    def __init__(self, message: str, status_code: int, body: str) -> None:
        super().__init__(f"{message}: Status {status_code}")
        self.status_code = status_code
        self.body = body


def _events(lines: Any) -> Generator[Any, None, None]:
    for line in lines:
        if line.startswith("data: "):
            data = line[len("data: ") :]
            if data == "[DONE]":
                return
            yield SimpleNamespace(event=None, data=_model(json.loads(data)))


class EventStream:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.generator = _events(response.iter_lines())

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> Any:
        return next(self.generator)

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.response.close()


class EventStreamAsync:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response

        async def events() -> AsyncGenerator[Any, None]:
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    data = line[len("data: ") :]
                    if data == "[DONE]":
                        return
                    yield SimpleNamespace(event=None, data=_model(json.loads(data)))

        self.generator = events()

    def __aiter__(self) -> EventStreamAsync:
        return self

    async def __anext__(self) -> Any:
        return await self.generator.__anext__()


class Chat:
    def __init__(self, server_url: str, api_key: str) -> None:
        self._url = f"{server_url}/v1/chat/completions"
        self._headers = {"authorization": f"Bearer {api_key}", "content-type": "application/json"}

    def _check(self, response: httpx.Response) -> None:
        if response.status_code >= 400:
            raise SDKError("API error occurred", response.status_code, response.read().decode())

    def complete(self, *, model: str, messages: list[Any], **kwargs: Any) -> Any:
        response = httpx.post(self._url, json={"model": model, "messages": messages, **kwargs}, headers=self._headers)
        self._check(response)
        return _model(response.json())

    def stream(self, *, model: str, messages: list[Any], **kwargs: Any) -> EventStream:
        client = httpx.Client()
        request = client.build_request(
            "POST",
            self._url,
            json={"model": model, "messages": messages, "stream": True, **kwargs},
            headers=self._headers,
        )
        response = client.send(request, stream=True)
        self._check(response)
        return EventStream(response)

    async def complete_async(self, *, model: str, messages: list[Any], **kwargs: Any) -> Any:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                self._url, json={"model": model, "messages": messages, **kwargs}, headers=self._headers
            )
        self._check(response)
        return _model(response.json())

    async def stream_async(self, *, model: str, messages: list[Any], **kwargs: Any) -> EventStreamAsync:
        client = httpx.AsyncClient()
        request = client.build_request(
            "POST",
            self._url,
            json={"model": model, "messages": messages, "stream": True, **kwargs},
            headers=self._headers,
        )
        response = await client.send(request, stream=True)
        if response.status_code >= 400:
            await response.aread()
            self._check(response)
        return EventStreamAsync(response)


class Mistral:
    def __init__(self, api_key: str, server_url: str) -> None:
        self.chat = Chat(server_url, api_key)
