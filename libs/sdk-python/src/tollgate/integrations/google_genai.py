"""``instrument_google_genai(client, tollgate)``: meters a ``google-genai`` client's Gemini calls
(``models.generate_content`` and ``generate_content_stream``, sync and ``client.aio``, chats included; Gemini
API or Vertex AI). Automatic function calling makes several model calls inside one ``generate_content`` and
returns only the last response: each request is metered where the client sends it (its per-request
``_generate_content`` / ``_generate_content_stream``), so none is missed."""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any, TypeVar

from ..normalise._counts import get_either
from ..normalise.gemini import GeminiStreamUsage, normalise_gemini
from ._observer import CallObserver
from ._streams import atap, tap

if TYPE_CHECKING:
    from .._client import Tollgate

C = TypeVar("C")


def _model(kwargs: dict[str, Any]) -> str | None:
    """ "models/gemini-2.5-flash" -> "gemini-2.5-flash": the request's model as the response names it."""
    model = kwargs.get("model")
    return model.rsplit("/", 1)[-1] if isinstance(model, str) else None


def _read(response: Any) -> tuple[Any, Any]:
    usage = get_either(response, "usageMetadata", "usage_metadata")
    return (None if usage is None else normalise_gemini(usage)), get_either(response, "modelVersion", "model_version")


def _method(models: Any, private: str, public: str) -> tuple[str, Any] | None:
    for name in (private, public):
        method = getattr(models, name, None)
        if method is not None:
            return name, method
    return None


def _wrap_generate(models: Any, tollgate: Tollgate) -> None:
    found = _method(models, "_generate_content", "generate_content")
    if found is None or getattr(found[1], "_tollgate", False):
        return
    name, method = found
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def agenerate(*args: Any, **kwargs: Any) -> Any:
            observer = CallObserver(tollgate, "google", "generateContent", kwargs, _model(kwargs))
            await observer.aguard()
            try:
                response = await method(*args, **kwargs)
            except BaseException as error:
                observer.fail(error)
                raise
            observer.succeed(*_read(response))
            return response

        agenerate._tollgate = True  # type: ignore[attr-defined]
        setattr(models, name, agenerate)
        return

    @functools.wraps(method)
    def generate(*args: Any, **kwargs: Any) -> Any:
        observer = CallObserver(tollgate, "google", "generateContent", kwargs, _model(kwargs))
        observer.guard()
        try:
            response = method(*args, **kwargs)
        except BaseException as error:
            observer.fail(error)
            raise
        observer.succeed(*_read(response))
        return response

    generate._tollgate = True  # type: ignore[attr-defined]
    setattr(models, name, generate)


def _wrap_stream(models: Any, tollgate: Tollgate) -> None:
    found = _method(models, "_generate_content_stream", "generate_content_stream")
    if found is None or getattr(found[1], "_tollgate", False):
        return
    name, method = found
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def astream(*args: Any, **kwargs: Any) -> Any:
            observer = CallObserver(tollgate, "google", "generateContentStream", kwargs, _model(kwargs))
            await observer.aguard()
            try:
                chunks = await method(*args, **kwargs)
            except BaseException as error:
                observer.fail(error)
                raise
            return atap(chunks.__aiter__(), observer, GeminiStreamUsage())

        astream._tollgate = True  # type: ignore[attr-defined]
        setattr(models, name, astream)
        return

    @functools.wraps(method)
    def stream(*args: Any, **kwargs: Any) -> Any:
        # A generator: the request goes out when the agent starts reading, and so does the guard.
        observer = CallObserver(tollgate, "google", "generateContentStream", kwargs, _model(kwargs))
        observer.guard()
        return tap(iter(method(*args, **kwargs)), observer, GeminiStreamUsage())

    stream._tollgate = True  # type: ignore[attr-defined]
    setattr(models, name, stream)


def instrument_google_genai(client: C, tollgate: Tollgate) -> C:
    """Returns the same client (``google.genai.Client``), instrumented, its ``aio`` side too."""
    c: Any = client
    for models in (getattr(c, "models", None), getattr(getattr(c, "aio", None), "models", None)):
        if models is not None:
            _wrap_generate(models, tollgate)
            _wrap_stream(models, tollgate)
    return client
