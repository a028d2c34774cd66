from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """A minimal page through the whole middleware stack: load balancers and the benchmark baseline use it."""
    return HttpResponse("ok", content_type="text/plain")
