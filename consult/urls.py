from django.contrib import admin
from django.urls import include, path

from consult import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    # Browsers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", views.favicon),
    path("", include("privacy.urls")),
    path("assess/", include("advisor.urls")),
    path("book/", include("bookings.urls")),
    path("", include("monitoring.urls")),
    path("", include("calendars.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]
