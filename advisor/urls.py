from django.urls import path

from advisor import views

app_name = "advisor"

urlpatterns = [
    path("", views.start, name="start"),
    path("resume/", views.resume, name="resume"),
    path("shared/<str:token>/", views.shared, name="shared"),
    path("<str:token>/about/", views.about, name="about"),
    path("<str:token>/organisation/", views.organisation, name="organisation"),
    path("<str:token>/use-cases/", views.use_cases, name="use_cases"),
    path("<str:token>/use-cases/new/", views.use_case_edit, name="use_case_new"),
    path(
        "<str:token>/use-cases/<int:position>/",
        views.use_case_edit,
        name="use_case_edit",
    ),
    path(
        "<str:token>/use-cases/<int:position>/remove/",
        views.use_case_remove,
        name="use_case_remove",
    ),
    path("<str:token>/check/", views.check, name="check"),
    path("<str:token>/result/", views.result, name="result"),
    path("<str:token>/email-link/", views.email_link, name="email_link"),
    path("<str:token>/links/", views.links, name="links"),
    path("<str:token>/forward/", views.forward, name="forward"),
    path("<str:token>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("<str:token>/summary-status/", views.summary_status, name="summary_status"),
]
