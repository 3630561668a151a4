"""Forms written through Django's Jinja2 widget templates (FORM_RENDERER)."""

import re

import pytest
from django import forms


def test_widget_renderer_writes_djangos_markup_and_reads_the_admins_templates():
    """Forms go through Django's Jinja2 widget templates (FORM_RENDERER); a template only
    Django's engine has, like the admin's related-object wrapper, is read there."""
    from django.forms.renderers import DjangoTemplates

    from core.widgets import WidgetRenderer

    class Sample(forms.Form):
        name = forms.CharField(label="Nom", help_text="Aide & conseil")
        kind = forms.ChoiceField(choices=[("a", "L'un"), ("b", "L'autre")])
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        agree = forms.BooleanField(required=False)

    def markup(form: forms.Form) -> str:  # blank lines between options differ, not the markup
        return re.sub(r">\s+<", "><", " ".join(str(form).split())).replace("&#x27;", "&#39;")

    data = {"name": "", "kind": "b", "day": "2024-03-26"}
    jinja, django = Sample(data, renderer=WidgetRenderer()), Sample(data, renderer=DjangoTemplates())
    assert markup(jinja) == markup(django)
    assert "errorlist" in str(jinja)
    wrapper = WidgetRenderer().render(
        "admin/widgets/related_widget_wrapper.html", {"widget": {}, "rendered_widget": ""}
    )
    assert "related-widget-wrapper" in wrapper


@pytest.mark.django_db
def test_admin_forms_render(organization, make_member, client_for):
    from core.roles import Role

    user = make_member(organization, Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client = client_for(user)
    for path in (
        f"/admin/parties/organization/{organization.pk}/change/",
        "/admin/conventions/convention/add/",
        "/admin/deliberations/sitting/add/",
        "/admin/core/user/add/",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<select" in page.content.decode() or "<input" in page.content.decode()
