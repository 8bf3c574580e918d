from django.http import JsonResponse

COMPACT = {"separators": (",", ":")}  # the same JSON as DRF's renderer


class HttpError(Exception):
    """A refusal that becomes a JSON answer with its status and headers."""

    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("error_description") or body.get("error"))
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        return JsonResponse(self.body, status=self.status, headers=self.headers, json_dumps_params=COMPACT)


def challenge(realm: str, error: str | None = None, description: str | None = None) -> str:
    value = f'Bearer realm="{realm}"'
    return value + (f', error="{error}", error_description="{description}"' if error else "")


def unauthorized(realm: str, error: str | None = None, description: str | None = None) -> HttpError:
    body = {"error": error, "error_description": description} if error else {"error": "unauthorized"}
    return HttpError(401, body, {"WWW-Authenticate": challenge(realm, error, description)})


def bad_request(realm: str, description: str) -> HttpError:
    return HttpError(400, {"error": "invalid_request", "error_description": description}, {"WWW-Authenticate": challenge(realm, "invalid_request", description)})
