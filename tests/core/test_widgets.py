"""QuickSelect writes the same menu as Django's Select, without a template per option."""

import re
from html.parser import HTMLParser

import pytest
from django import forms

from core.widgets import QuickSelect


class _Menu(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.select: dict[str, str | None] = {}
        self.options: list[tuple[str | None, bool, str]] = []
        self.groups: list[str | None] = []
        self._in_option = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "select":
            self.select = attributes
        elif tag == "optgroup":
            self.groups.append(attributes.get("label"))
        elif tag == "option":
            self.options.append((attributes.get("value"), "selected" in attributes, ""))
            self._in_option = True

    def handle_endtag(self, tag):
        if tag == "option":
            self._in_option = False

    def handle_data(self, data):
        if self._in_option:
            value, selected, text = self.options[-1]
            self.options[-1] = (value, selected, text + data)


def _parse(html: str) -> _Menu:
    menu = _Menu()
    menu.feed(str(html))
    return menu


def test_same_menu_as_django_select():
    choices = [("", "---------"), (1, "Élu <1> & co"), (2, "Deux"), ("Groupe", [(3, "Trois"), (4, "Quatre")])]
    attrs = {"id": "id_giver", "required": True, "aria-describedby": "help"}
    quick = _parse(QuickSelect(choices=choices).render("giver", 3, attrs=attrs))
    django = _parse(forms.Select(choices=choices).render("giver", 3, attrs=attrs))
    assert (
        quick.select
        == django.select
        == {"name": "giver", "id": "id_giver", "required": None, "aria-describedby": "help"}
    )
    assert quick.options == django.options
    assert ("3", True, "Trois") in quick.options and ("1", False, "Élu <1> & co") in quick.options
    assert quick.groups == django.groups == ["Groupe"]
    assert "<1>" not in str(QuickSelect(choices=choices).render("giver", None))  # labels are escaped


def test_empty_value_selects_the_empty_choice():
    menu = _parse(QuickSelect(choices=[("", "—"), (1, "Un")]).render("x", None))
    assert menu.options == [("", True, "—"), ("1", False, "Un")]


def test_a_list_of_pairs_is_kept_and_other_choices_normalized_as_django_does():
    from django.utils.translation import gettext_lazy

    pairs = [("", "—"), (1, "Un"), (2, "Deux")]
    widget = QuickSelect()
    widget.choices = pairs
    assert widget.choices is pairs  # a page's menu of 240 members: not inspected again
    # Anything else (a lazy label, a mapping, an optgroup, a tuple of pairs) as Django normalizes it.
    for choices in ([(1, gettext_lazy("Un"))], {1: "Un", 2: "Deux"}, [("G", [(1, "Un")])], ((1, "Un"),)):
        widget.choices = choices
        django = forms.Select()
        django.choices = choices
        assert widget.choices == django.choices
        assert _parse(widget.render("x", 1)).options == _parse(django.render("x", 1)).options


def test_menus_shared_between_fields_are_written_once_per_selection():
    menus: dict = {}
    people = [("", "---------"), (1, "Anne"), (2, "Bruno")]
    giver, holder = QuickSelect(choices=people), QuickSelect(choices=people)
    giver.menus = holder.menus = menus
    first = _parse(giver.render("giver", None))
    second = _parse(holder.render("holder", None))
    assert first.options == second.options == [("", True, "---------"), ("1", False, "Anne"), ("2", False, "Bruno")]
    assert len(menus) == 1
    # Another selection, or another empty choice, is another menu.
    assert _parse(holder.render("holder", 2)).options[2] == ("2", True, "Bruno")
    other = QuickSelect(choices=[("", "—"), (1, "Anne"), (2, "Bruno")])
    other.menus = menus
    assert _parse(other.render("person", None)).options[0] == ("", True, "—")
    assert len(menus) == 3


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
