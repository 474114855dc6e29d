from django.urls import path

from bookings import views

app_name = "bookings"

urlpatterns = [
    path("", views.book, name="book"),
    path("details/", views.details, name="details"),
    path("confirmed/<slug:token>/", views.confirmed, name="confirmed"),
    path("lost-link/", views.lost_link, name="lost_link"),
    path("manage/<slug:token>/", views.manage, name="manage"),
    path("manage/<slug:token>/reschedule/", views.reschedule, name="reschedule"),
    path("manage/<slug:token>/cancel/", views.cancel, name="cancel"),
    path("manage/<slug:token>/links/", views.links, name="links"),
    path(
        "manage/<slug:token>/consultation.ics",
        views.calendar_file,
        name="calendar",
    ),
]
