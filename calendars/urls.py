from django.urls import path

from calendars import views

app_name = "calendars"

urlpatterns = [
    path("calendar/<str:token>.ics", views.subscription_feed, name="subscription_feed"),
]
