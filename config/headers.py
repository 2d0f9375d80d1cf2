"""The Permissions-Policy header (the Content-Security-Policy is django-csp's, configured in settings).

No page uses a browser feature beyond the basics: the check-in QR code is *shown* by the office's screen and
scanned with the phone's own camera app, so not even the camera is allowed to our pages.
"""

from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
