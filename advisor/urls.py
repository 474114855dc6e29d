from django.urls import path

from advisor import views

app_name = "advisor"

urlpatterns = [
    path("", views.start, name="start"),
]
