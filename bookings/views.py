from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def book(request: HttpRequest) -> HttpResponse:
    return render(request, "bookings/book.html")
