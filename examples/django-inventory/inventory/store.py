"""The items, in memory: no database, no migrations. Items 1 and 2 exist at start."""

import threading


class ItemStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[int, dict] = {
            1: {"id": 1, "name": "hammer", "quantity": 10},
            2: {"id": 2, "name": "screwdriver", "quantity": 25},
        }
        self._next_id = 3

    def list(self) -> list[dict]:
        with self._lock:
            return [dict(item) for item in self._items.values()]

    def add(self, name: str, quantity: int) -> dict:
        with self._lock:
            item = {"id": self._next_id, "name": name, "quantity": quantity}
            self._items[item["id"]] = item
            self._next_id += 1
            return dict(item)

    def replace(self, item_id: int, name: str, quantity: int) -> dict | None:
        with self._lock:
            if item_id not in self._items:
                return None
            item = {"id": item_id, "name": name, "quantity": quantity}
            self._items[item_id] = item
            return dict(item)

    def delete(self, item_id: int) -> bool:
        with self._lock:
            return self._items.pop(item_id, None) is not None


items = ItemStore()
