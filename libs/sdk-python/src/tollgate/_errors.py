from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class TollgateDeliveryError(Exception):
    """A delivery problem, passed to ``on_error``; never raised into the agent's code."""

    def __init__(
        self,
        message: str,
        transaction_ids: Sequence[str] = (),
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        #: The transaction ids concerned.
        self.transaction_ids = tuple(transaction_ids)
        #: HTTP status, when the API answered.
        self.status = status
        #: The API's error code (``invalid_event``, ``unauthorized``, …), when it gave one.
        self.code = code


class BudgetExceeded(Exception):
    """Raised by the opt-in budget guard instead of calling the model."""

    def __init__(self, customer: str, reason: str | None, entitlement: Mapping[str, Any]) -> None:
        super().__init__(
            f"Tollgate: customer {customer} may not make another model call" + (f" ({reason})" if reason else "")
        )
        self.customer = customer
        self.reason = reason
        #: ``GET /v1/customers/{id}/entitlement``: ``allowed``, ``reason``, ``ongoing_balance``, ``period_usage``,
        #: ``spend_cap`` (amounts are decimal strings).
        self.entitlement = dict(entitlement)
