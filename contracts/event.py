"""The base class of every event: an immutable, closed, versioned pydantic model.

An event class declares four class-level facts that are not part of its data:

- ``event_type``: the past-tense CloudEvents type, e.g. ``voucher.redeemed``;
- ``version``: the schema version of its data (a breaking change gets a new version);
- ``aggregate``: the aggregate family whose stream it belongs to (one Kafka topic per family);
- ``subject_field``: the data field holding the aggregate id (the stream, the CloudEvents
  subject and the Kafka key).
"""

from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """An immutable fact that happened to one aggregate; subclass once per (type, version)."""

    # frozen: a recorded fact never changes; forbid: a misspelt or smuggled field (say, a name)
    # fails loudly instead of being dropped or, worse, published.
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    aggregate: ClassVar[str]
    subject_field: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse, at import time, a concrete event class whose declaration is incomplete.

        A class without ``event_type`` is an abstract family base (e.g. ``VoucherEvent``).
        """
        super().__pydantic_init_subclass__(**kwargs)
        if not hasattr(cls, "event_type"):
            return
        for name in ("aggregate", "subject_field"):
            if not hasattr(cls, name):
                raise TypeError(f"{cls.__name__} must declare ClassVar {name}")
        if cls.subject_field not in cls.model_fields:
            raise TypeError(f"{cls.__name__}.subject_field {cls.subject_field!r} is not a field")

    @property
    def aggregate_id(self) -> UUID:
        """The id of the aggregate this event belongs to: stream, CloudEvents subject, Kafka key."""
        value = getattr(self, self.subject_field)
        if not isinstance(value, UUID):
            raise TypeError(f"{type(self).__name__}.{self.subject_field} is not a UUID")
        return value
