from django.http import JsonResponse
from django.urls import path

from inventory import views
from keycloak_middleware.errors import COMPACT

urlpatterns = [
    path("health", views.health),
    path("api/inventory", views.InventoryList.as_view()),
    path("api/inventory/<str:item_id>", views.InventoryItem.as_view()),
]


# Django's own error pages are HTML; an API answers JSON.
def not_found(request, exception=None):
    return JsonResponse({"error": "not_found"}, status=404, json_dumps_params=COMPACT)


def bad_request(request, exception=None):
    return JsonResponse({"error": "bad_request"}, status=400, json_dumps_params=COMPACT)


def forbidden(request, exception=None):
    return JsonResponse({"error": "forbidden"}, status=403, json_dumps_params=COMPACT)


def server_error(request):
    return JsonResponse({"error": "internal_error"}, status=500, json_dumps_params=COMPACT)


handler400 = bad_request
handler403 = forbidden
handler404 = not_found
handler500 = server_error
