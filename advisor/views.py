"""The assessment wizard and its result page.

One view per page. An htmx request gets the ``#step`` partial of the same
template; a plain request (or htmx restoring history) gets the full page, so
every URL works without JavaScript and after the browser's back button.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import HttpResponseClientRedirect

from advisor import selectors, services
from advisor.engine import ContractError
from advisor.enums import INDUSTRY_LABELS, LinkKind
from advisor.forms import AboutForm, ForwardForm, OrganisationForm, UseCaseForm
from advisor.models import Assessment, UseCase
from advisor.pdf import summary_filename
from consult.forms import LinksForm
from consult.http import SAME_ORIGIN, private_response
from consult.ratelimit import ratelimit
from consult.timezones import Times, clock_choice
from consult.views import email_links_page

STEPS = [
    ("about", "About you"),
    ("organisation", "Your organisation"),
    ("use_cases", "Your use cases"),
    ("check", "Check your answers"),
]
# Pages drawn inside #wizard: an htmx request for one gets its partial.
WIZARD_STEPS = {key for key, _ in STEPS}
STALE_MESSAGE = (
    "These answers were changed in another tab or window after this page was opened. "
    "We have loaded the latest saved answers: check them and save again."
)
SUBMITTED_MESSAGE = (
    "This assessment is already submitted, so its answers can no longer change."
)


def _redirect(request: HttpRequest, name: str, token: str, **kwargs) -> HttpResponse:
    url = reverse(f"advisor:{name}", kwargs={"token": token, **kwargs})
    if (
        name not in WIZARD_STEPS
        and request.htmx
        and not request.htmx.history_restore_request
    ):
        # htmx would follow a 303 itself and swap the whole page it leads to
        # into #wizard; HX-Redirect makes the browser load that page instead.
        response = HttpResponseClientRedirect(url)
    else:
        response = HttpResponseRedirect(url, status=303)
    patch_vary_headers(response, ["HX-Request"])
    return private_response(response)


def _render(
    request: HttpRequest, template: str, context: dict, *, status: int = 200
) -> HttpResponse:
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request, f"{template}#step" if partial else template, context, status=status
    )
    patch_vary_headers(response, ["HX-Request"])
    if status >= 400 and request.htmx:
        # An invalid form re-renders in place: keep the address bar as it is.
        response["HX-Push-Url"] = "false"
    # Every step is reached through the private link, and posts its form back.
    return private_response(response, referrer_policy=SAME_ORIGIN)


def _progress(current: str, assessment: Assessment, token: str) -> list[dict]:
    reached = _reached(assessment)
    items = []
    for index, (key, label) in enumerate(STEPS, start=1):
        items.append(
            {
                "key": key,
                "label": label,
                "number": index,
                "current": key == current,
                "done": reached[key] and key != current,
                "url": reverse(f"advisor:{key}", kwargs={"token": token}),
                "reachable": reached[key] or key == current,
            }
        )
    return items


def _reached(assessment: Assessment) -> dict[str, bool]:
    about = bool(
        assessment.contact_name and assessment.contact_email and assessment.company
    )
    organisation = (
        about and assessment.data_can_leave is not None and bool(assessment.industry)
    )
    use_cases = organisation and assessment.use_case_count > 0
    return {
        "about": True,
        "organisation": about,
        "use_cases": organisation,
        "check": use_cases,
    }


def _after_save(request: HttpRequest, next_step: str) -> str:
    # A "Change" link on the check page brings the client back there, not
    # through every later step again.
    return "check" if request.GET.get("return") == "check" else next_step


def _step_context(request, assessment, token, step, **extra) -> dict:
    number = next(index for index, (key, _) in enumerate(STEPS, start=1) if key == step)
    return {
        "assessment": assessment,
        "token": token,
        "step": step,
        "step_number": number,
        "step_count": len(STEPS),
        "step_label": dict(STEPS)[step],
        "progress": _progress(step, assessment, token),
        "draft_retention_days": settings.DRAFT_RETENTION_DAYS,
        "return_to_check": request.GET.get("return") == "check",
        **extra,
    }


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-start", per_ip="30/h")
def start(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        started = services.assessment_start()
        return _redirect(request, "about", started.token)
    return render(request, "advisor/start.html")


def _draft_or_result(
    request: HttpRequest, token: str, *, use_cases: bool = True
) -> tuple[Assessment, HttpResponse | None]:
    assessment = selectors.assessment_by_token(token, use_cases=use_cases)
    if assessment.is_submitted:
        return assessment, _redirect(request, "result", token)
    return assessment, None


def _form_step(request, assessment, token, *, step, form_class, next_step):  # noqa: PLR0913 -- keyword-only step options
    if assessment.is_submitted:
        if request.method == "POST":
            messages.info(request, SUBMITTED_MESSAGE)
        return _redirect(request, "result", token)
    stale = False
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                services.assessment_save_step(
                    assessment=assessment,
                    version=form.cleaned_data["version"],
                    fields=form.answers(),
                )
            except services.StaleAnswers:
                stale = True
                form = form_class(initial=form_class.initial_for(assessment))
            except services.AlreadySubmitted:
                messages.info(request, SUBMITTED_MESSAGE)
                return _redirect(request, "result", token)
            else:
                return _redirect(request, _after_save(request, next_step), token)
    else:
        form = form_class(initial=form_class.initial_for(assessment))
    context = _step_context(
        request,
        assessment,
        token,
        step,
        form=form,
        stale=stale,
        step_template=f"advisor/steps/{step}.html",
    )
    status = 409 if stale else 422 if form.is_bound and form.errors else 200
    return _render(request, "advisor/wizard.html", context, status=status)


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-step", per_ip="300/h", per_email="60/h")
def about(request: HttpRequest, token: str) -> HttpResponse:
    return _form_step(
        request,
        selectors.assessment_by_token(token, use_cases=False),
        token,
        step="about",
        form_class=AboutForm,
        next_step="organisation",
    )


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-step", per_ip="300/h")
def organisation(request: HttpRequest, token: str) -> HttpResponse:
    assessment = selectors.assessment_by_token(token, use_cases=False)
    if not assessment.is_submitted and not _reached(assessment)["organisation"]:
        return _redirect(request, "about", token)
    return _form_step(
        request,
        assessment,
        token,
        step="organisation",
        form_class=OrganisationForm,
        next_step="use_cases",
    )


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-step", per_ip="300/h")
def use_cases(request: HttpRequest, token: str) -> HttpResponse:
    assessment, done = _draft_or_result(request, token)
    if done:
        return done
    if not _reached(assessment)["use_cases"]:
        return _redirect(request, "organisation", token)
    error = None
    if request.method == "POST":
        # "Continue": only once at least one use case is in.
        if assessment.use_cases.all():
            return _redirect(request, "check", token)
        error = "Add at least one use case to continue."
    context = _step_context(
        request,
        assessment,
        token,
        "use_cases",
        step_template="advisor/steps/use_cases.html",
        error=error,
        max_use_cases=services.MAX_USE_CASES,
        can_add=len(assessment.use_cases.all()) < services.MAX_USE_CASES,
    )
    return _render(
        request, "advisor/wizard.html", context, status=422 if error else 200
    )


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-step", per_ip="300/h")
def use_case_edit(
    request: HttpRequest, token: str, position: int | None = None
) -> HttpResponse:
    assessment, done = _draft_or_result(request, token, use_cases=False)
    if done:
        return done
    if not _reached(assessment)["use_cases"]:
        return _redirect(request, "organisation", token)
    use_case = None
    if position is not None:
        use_case = get_object_or_404(UseCase, assessment=assessment, position=position)
    elif assessment.use_case_count >= services.MAX_USE_CASES:
        messages.info(
            request, f"An assessment holds at most {services.MAX_USE_CASES} use cases."
        )
        return _redirect(request, "use_cases", token)
    stale = False
    if request.method == "POST":
        # The use case as saved: a speed it holds that is no preset is offered back.
        form = UseCaseForm(request.POST, use_case=use_case)
        if form.is_valid():
            try:
                services.use_case_save(
                    assessment=assessment,
                    use_case=use_case,
                    version=form.cleaned_data.get("version"),
                    fields=form.answers(),
                )
            except services.StaleAnswers:
                stale = True
                use_case.refresh_from_db()
                form = UseCaseForm(
                    initial=UseCaseForm.initial_for(use_case), use_case=use_case
                )
            except services.AlreadySubmitted:
                return _redirect(request, "result", token)
            except ValueError as exc:
                messages.info(request, str(exc))
                return _redirect(request, "use_cases", token)
            else:
                return _redirect(request, _after_save(request, "use_cases"), token)
    else:
        form = UseCaseForm(initial=UseCaseForm.initial_for(use_case), use_case=use_case)
    context = _step_context(
        request,
        assessment,
        token,
        "use_cases",
        form=form,
        use_case=use_case,
        stale=stale,
        step_template="advisor/steps/use_case_form.html",
    )
    status = 409 if stale else 422 if form.is_bound and form.errors else 200
    return _render(request, "advisor/wizard.html", context, status=status)


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-step", per_ip="300/h")
def use_case_remove(request: HttpRequest, token: str, position: int) -> HttpResponse:
    assessment, done = _draft_or_result(request, token)
    if done:
        return done
    use_case = UseCase.objects.filter(assessment=assessment, position=position).first()
    if use_case is None:
        # Already removed (a second click, or another tab): nothing to confirm.
        return _redirect(request, "use_cases", token)
    if request.method == "POST":
        services.use_case_remove(assessment=assessment, use_case=use_case)
        messages.success(request, f"“{use_case.name}” was removed.")
        return _redirect(request, "use_cases", token)
    context = _step_context(
        request,
        assessment,
        token,
        "use_cases",
        use_case=use_case,
        step_template="advisor/steps/use_case_remove.html",
    )
    return _render(request, "advisor/wizard.html", context)


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-submit", per_ip="30/h")
def check(request: HttpRequest, token: str) -> HttpResponse:
    # Submitting reads the use cases again under a lock: only the page needs them here.
    assessment = selectors.assessment_by_token(
        token, use_cases=request.method != "POST"
    )
    if assessment.is_submitted:
        # A resubmitted old page lands on the one result that exists.
        return _redirect(request, "result", token)
    if not _reached(assessment)["check"]:
        return _redirect(request, "use_cases", token)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.assessment_submit(assessment=assessment, token=token)
        except ContractError as exc:
            errors = [str(error) for error in exc.errors]
        else:
            return _redirect(request, "result", token)
    context = _step_context(
        request,
        assessment,
        token,
        "check",
        step_template="advisor/steps/check.html",
        errors=errors,
        industry_label=INDUSTRY_LABELS.get(assessment.industry, assessment.industry),
    )
    return _render(
        request, "advisor/wizard.html", context, status=422 if errors else 200
    )


# Past this, the page stops polling and says the PDF will come by email (the
# beat relay retries a lost build after two minutes).
SUMMARY_WAIT = timedelta(minutes=5)
SUMMARY_POLL_DONE = 286  # htmx: swap this response, then stop polling


def _summary_state(assessment: Assessment) -> str:
    if assessment.summary_pdf_built_at and assessment.summary_pdf:
        return "ready"
    if timezone.now() - assessment.submitted_at > SUMMARY_WAIT:
        return "delayed"
    return "building"


def _result_context(assessment: Assessment) -> dict:
    """What the result page and its read-only share page both show."""
    recommendation = assessment.recommendation
    output = selectors.recommendation_answer(recommendation)
    cards = [
        {
            "use_case": use_case,
            "answer": answer,
            "chosen": next(
                (o for o in answer.costs.options if o.option == answer.option), None
            ),
            "chart": selectors.answer_chart(
                answer, monthly_requests=use_case.monthly_requests
            ),
        }
        for use_case, answer in zip(
            assessment.use_cases.all(), output.use_cases, strict=True
        )
    ]
    return {
        "assessment": assessment,
        "recommendation": recommendation,
        "output": output,
        "cards": cards,
        "price_book": recommendation.price_book,
        "paths": [answer.path for answer in output.use_cases],
    }


def result(request: HttpRequest, token: str) -> HttpResponse:
    assessment = selectors.assessment_by_token(token)
    if not assessment.is_submitted:
        return _redirect(request, "check", token)
    context = {
        **_result_context(assessment),
        "token": token,
        "summary_state": _summary_state(assessment),
        "retention_days": settings.DATA_RETENTION_DAYS,
    }
    return private_response(
        render(request, "advisor/result.html", context), referrer_policy=SAME_ORIGIN
    )


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The result, read only, through a share link: what the PDF and a forward carry.

    It shows the result and nothing that acts on it: no private link, no delete, no
    booking control, no email or PDF of the client's, no links page.
    """
    assessment = selectors.assessment_by_share_token(token)
    return private_response(
        render(request, "advisor/shared.html", _result_context(assessment))
    )


@require_GET
def summary_status(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF's status for the result page's polling; the page itself without htmx."""
    assessment = selectors.assessment_by_token(token)
    if not assessment.is_submitted or not request.htmx:
        return _redirect(request, "result", token)
    state = _summary_state(assessment)
    response = render(
        request,
        "advisor/_summary_status.html",
        {"token": token, "summary_state": state, "announce": True},
        status=200 if state == "building" else SUMMARY_POLL_DONE,
    )
    patch_vary_headers(response, ["HX-Request"])
    return private_response(response)


@require_GET
def summary_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The summary PDF, only to whoever holds the private link."""
    assessment = selectors.assessment_by_token(token)
    if not assessment.is_submitted:
        return _redirect(request, "check", token)
    if _summary_state(assessment) != "ready":
        messages.info(
            request,
            "Your PDF summary is still being prepared. It will be ready here in a "
            "moment, and we will email it to you too.",
        )
        return _redirect(request, "result", token)
    try:
        stored = assessment.summary_pdf.open("rb")
    except FileNotFoundError:
        raise Http404("No summary at this link.") from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=summary_filename(assessment.company),
        content_type="application/pdf",
    )
    return private_response(response)


@require_POST
@ratelimit(scope="assess-email", per_ip="10/h")
def email_link(request: HttpRequest, token: str) -> HttpResponse:
    assessment = selectors.assessment_by_token(token)
    services.assessment_email_link(assessment=assessment, token=token)
    if assessment.is_submitted:
        messages.success(
            request,
            f"We are emailing your recommendation and its PDF summary to "
            f"{assessment.contact_email}.",
        )
        return _redirect(request, "result", token)
    messages.success(
        request, f"We have sent your private link to {assessment.contact_email}."
    )
    # Back to the step the client asked from; anything else typed in is ignored.
    step = request.POST.get("step", "")
    return _redirect(request, step if step in WIZARD_STEPS else "about", token)


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-resume", per_ip="10/h", per_email="3/h")
def resume(request: HttpRequest) -> HttpResponse:
    """ "I lost my link": fresh links by email, without telling who has assessments."""
    return email_links_page(
        request,
        template="advisor/resume.html",
        label="The email address you gave in the assessment",
        task=services.LINKS_RESEND_TASK,
    )


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-forward", per_ip="20/h", per_email="5/h")
def forward(request: HttpRequest, token: str) -> HttpResponse:
    """ "Forward to a colleague": a read-only share link of the result, by email."""
    assessment = selectors.assessment_by_token(token, use_cases=False)
    if not assessment.is_submitted:
        return _redirect(request, "check", token)
    form = ForwardForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            address = form.cleaned_data["email"]
            try:
                services.assessment_forward(assessment=assessment, to=address)
            except services.ForwardLimitReached:
                form.add_error(
                    None,
                    "This result has been forwarded as often as it can be today. "
                    "Please try again tomorrow.",
                )
                status = 429
            else:
                messages.success(
                    request,
                    f"We are emailing a read-only link to this result to "
                    f"{address.lower()}. You can revoke it on your links page.",
                )
                return _redirect(request, "result", token)
        else:
            status = 422
    response = render(
        request,
        "advisor/forward.html",
        {"assessment": assessment, "token": token, "form": form},
        status=status,
    )
    return private_response(response, referrer_policy=SAME_ORIGIN)


def _link_rows(assessment: Assessment, times: Times) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {LinkKind.PRIVATE: [], LinkKind.SHARE: []}
    for link in selectors.assessment_links_active(assessment):
        rows[link.kind].append(
            {
                "id": link.pk,
                "origin": link.get_origin_display(),
                "note": link.note,
                "created": times.start(link.created_at),
                "last_used": times.start(link.last_used_at)
                if link.last_used_at
                else "",
                "current": link.pk == assessment.link.pk,
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-links", per_ip="60/h")
def links(request: HttpRequest, token: str) -> HttpResponse:
    """The client's links to this assessment: when each was made and last used.

    Reached through any private link; revokes one, or every private link but the
    one in use ("sign out the others"). Never shows a token: only hashes are stored.
    """
    assessment = selectors.assessment_by_token(token, use_cases=False)
    status = 200
    made_url = ""
    form = LinksForm(
        request.POST if request.method == "POST" else None,
        share=assessment.is_submitted,
    )
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["action"] == LinksForm.SHARE:
            # Shown once, in this answer: only the link's hash is kept, so a
            # redirect could not show it again.
            made_url = selectors.share_url(
                services.assessment_share_link_make(assessment=assessment)
            )
        elif form.is_valid():
            if form.cleaned_data["action"] == LinksForm.REVOKE_OTHERS:
                count = services.assessment_links_revoke_others(
                    assessment=assessment, used=assessment.link
                )
                text = (
                    f"{count} other private link{'s' if count != 1 else ''} "
                    f"revoked: only this one opens your assessment now."
                )
            elif services.assessment_link_revoke(
                assessment=assessment,
                link_id=form.cleaned_data["link"],
                used=assessment.link,
            ):
                text = "The link is revoked: it no longer opens anything."
            else:
                text = "That link was already revoked, or is the one you are using."
            messages.success(request, text)
            return _redirect(request, "links", token)
        else:
            status = 400
    # No zone is known for an assessment: UTC, unless the page is asked in another.
    times = Times.of(request.GET.get("tz", ""), hour12=clock_choice(request).hour12)
    rows = _link_rows(assessment, times)
    context = {
        "assessment": assessment,
        "token": token,
        "private_links": rows[LinkKind.PRIVATE],
        "share_links": rows[LinkKind.SHARE],
        "others": sum(1 for row in rows[LinkKind.PRIVATE] if not row["current"]),
        "zone_heading": times.heading(),
        "made_url": made_url,
        "back_url": reverse(
            f"advisor:{'result' if assessment.is_submitted else 'about'}",
            kwargs={"token": token},
        ),
        "form": form,
    }
    response = render(request, "advisor/links.html", context, status=status)
    return private_response(response, referrer_policy=SAME_ORIGIN)
