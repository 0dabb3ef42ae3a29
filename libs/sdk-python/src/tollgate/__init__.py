"""Tollgate for Python: meter every LLM call your agents make and send it to Tollgate.

import tollgate
client = tollgate.Tollgate(api_key="tg_ingest_…", base_url="https://tollgate.example.com")
openai = tollgate.instrument_openai(OpenAI(), client)
with tollgate.task("resolve-ticket", customer="acme"):
    openai.chat.completions.create(model="gpt-4o-mini", messages=[…])
"""

from ._client import Tollgate
from ._context import TaskContext, Thread, ThreadPoolExecutor, current_task, propagate, task
from ._dimensions import USAGE_DIMENSIONS
from ._errors import BudgetExceeded, TollgateDeliveryError
from ._uuid7 import uuid7
from .integrations.anthropic import instrument_anthropic
from .integrations.bedrock import instrument_bedrock
from .integrations.google_genai import instrument_google_genai
from .integrations.langchain import TollgateCallbackHandler
from .integrations.mistral import instrument_mistral
from .integrations.openai import instrument_openai
from .normalise import NormalisedUsage

__all__ = [
    "BudgetExceeded",
    "NormalisedUsage",
    "TaskContext",
    "Thread",
    "ThreadPoolExecutor",
    "Tollgate",
    "TollgateCallbackHandler",
    "TollgateDeliveryError",
    "USAGE_DIMENSIONS",
    "current_task",
    "instrument_anthropic",
    "instrument_bedrock",
    "instrument_google_genai",
    "instrument_mistral",
    "instrument_openai",
    "propagate",
    "task",
    "uuid7",
]
