"""The inventory API. Each view says which Keycloak scope each of its methods needs
(`keycloak_scopes`); KeycloakMiddleware enforces it before the view runs."""

import re

from django.http import JsonResponse
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from .store import items

ID_PATTERN = re.compile(r"[1-9][0-9]{0,8}")


def health(request):
    return JsonResponse({"status": "ok"}, json_dumps_params={"separators": (",", ":")})


def _item_input(data) -> tuple[str, int] | Response:
    name = data.get("name") if isinstance(data, dict) else None
    quantity = data.get("quantity") if isinstance(data, dict) else None
    valid = (
        isinstance(name, str) and name.strip() != "" and len(name) <= 200
        and isinstance(quantity, int) and not isinstance(quantity, bool) and quantity >= 0
    )
    if not valid:
        return Response({"error": "invalid_item", "error_description": "expected {name: non-empty string, quantity: integer >= 0}"}, status=400)
    return name, quantity


def _item_id(raw: str) -> int | None:
    return int(raw) if ID_PATTERN.fullmatch(raw) else None


NOT_FOUND = {"error": "not_found"}


def api_exception_handler(exc, context):
    """DRF's refusals (bad JSON 400, unsupported media type 415…) in the API's own error shape."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, APIException):
        response.data = {"error": exc.default_code, "error_description": str(exc.detail)}
    return response


class InventoryList(APIView):
    keycloak_scopes = {"GET": "inventory:view", "POST": "inventory:add"}

    def get(self, request):
        return Response(items.list())

    def post(self, request):
        parsed = _item_input(request.data)
        if isinstance(parsed, Response):
            return parsed
        item = items.add(*parsed)
        return Response(item, status=201, headers={"Location": f"/api/inventory/{item['id']}"})


class InventoryItem(APIView):
    keycloak_scopes = {"PUT": "inventory:edit", "DELETE": "inventory:delete"}

    def put(self, request, item_id: str):
        parsed = _item_input(request.data)
        if isinstance(parsed, Response):
            return parsed
        item_number = _item_id(item_id)
        item = items.replace(item_number, *parsed) if item_number is not None else None
        return Response(item) if item is not None else Response(NOT_FOUND, status=404)

    def delete(self, request, item_id: str):
        item_number = _item_id(item_id)
        if item_number is None or not items.delete(item_number):
            return Response(NOT_FOUND, status=404)
        return Response(status=204)
