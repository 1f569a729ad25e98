"""`{% csrf_token %}` that also writes the form's one-time token.

Installed as a template built-in (settings.TEMPLATES), so it takes the place of
Django's tag in every template, the GOV.UK crispy pack's included: every POST form
that passes the CSRF check also carries a token that makes it save once
(cse.submission_tokens). A form for nobody signed in gets the CSRF token only."""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html

from cse import submission_tokens

register = template.Library()


class FormTokensNode(template.Node):
    def render(self, context) -> str:
        html = CsrfTokenNode().render(context)
        user = getattr(context.get("request"), "user", None)
        if not html or user is None or not user.is_authenticated:
            return html
        return html + format_html(
            '<input type="hidden" name="{}" value="{}">',
            submission_tokens.FIELD,
            submission_tokens.new_token(user),
        )


@register.tag("csrf_token")
def csrf_token(parser, token) -> FormTokensNode:
    return FormTokensNode()
