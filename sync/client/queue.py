"""An outbox row on its way to the server, as plain data: what the push engine
batches and what the result handling settles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync import protocol


@dataclass
class QueueItem:
    """An outbox row on its way to the server (plain data, not an ORM object)."""

    id: str
    seq: int
    entity: str
    op: str
    entity_id: str
    base_version: int
    payload: dict[str, Any]
    attempts: int

    def mutation(self) -> protocol.Mutation:
        return protocol.Mutation(
            id=self.id,
            seq=self.seq,
            entity=self.entity,  # type: ignore[arg-type]
            op=self.op,  # type: ignore[arg-type]
            entity_id=self.entity_id,
            base_version=self.base_version,
            data=self.payload["data"],
            fields=self.payload.get("fields"),
        )

    def refs(self) -> set[str]:
        data = self.payload.get("data", {})
        return {v for k, v in data.items() if isinstance(v, str) and k.endswith("_id")}
