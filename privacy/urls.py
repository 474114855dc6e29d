from django.urls import path

from privacy import views

app_name = "privacy"

# Beside the private links they erase, under /assess/ and /book/.
urlpatterns = [
    path(
        "assess/<str:token>/delete/",
        views.assessment_erase_page,
        name="assessment_erase",
    ),
    path(
        "book/manage/<slug:token>/delete/",
        views.booking_erase_page,
        name="booking_erase",
    ),
]
