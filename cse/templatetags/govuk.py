from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def elided_pages(page_obj: Page) -> list:
    """Page numbers to show: the first, the last, the current one and its neighbours,
    with the paginator's ellipsis between (never every page of a long list)."""
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=1, on_ends=1
        )
    )
